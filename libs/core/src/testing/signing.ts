import { generateKeyPairSync, sign } from 'node:crypto';
import { slackSignature, twitchSignature } from '../signatures/index.js';

/** Headers of a signed Twitch EventSub delivery. */
export function twitchEventSubHeaders(opts: {
  secret: string;
  body: string;
  messageId?: string;
  timestamp?: string;
  type?: 'notification' | 'webhook_callback_verification' | 'revocation';
  subscriptionType?: string;
}): Record<string, string> {
  const messageId = opts.messageId ?? crypto.randomUUID();
  const timestamp = opts.timestamp ?? new Date().toISOString();
  return {
    'Content-Type': 'application/json',
    'Twitch-Eventsub-Message-Id': messageId,
    'Twitch-Eventsub-Message-Timestamp': timestamp,
    'Twitch-Eventsub-Message-Type': opts.type ?? 'notification',
    'Twitch-Eventsub-Message-Signature': twitchSignature(opts.secret, messageId, timestamp, opts.body),
    'Twitch-Eventsub-Subscription-Type': opts.subscriptionType ?? 'channel.chat.message',
    'Twitch-Eventsub-Subscription-Version': '1',
  };
}

/** Headers of a signed Slack request (timestamp in seconds). */
export function slackHeaders(opts: {
  secret: string;
  body: string;
  timestamp?: number;
  contentType?: string;
}): Record<string, string> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'Content-Type': opts.contentType ?? 'application/json',
    'X-Slack-Request-Timestamp': ts,
    'X-Slack-Signature': slackSignature(opts.secret, ts, opts.body),
  };
}

/** A Discord application key pair: the hex public key to configure and a signer for requests. */
export function discordKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = (publicKey.export({ format: 'der', type: 'spki' }) as Buffer)
    .subarray(12)
    .toString('hex');
  return {
    publicKeyHex,
    headers(body: string, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
      const signature = sign(null, Buffer.from(timestamp + body, 'utf8'), privateKey).toString('hex');
      return {
        'Content-Type': 'application/json',
        'X-Signature-Ed25519': signature,
        'X-Signature-Timestamp': timestamp,
      };
    },
  };
}
