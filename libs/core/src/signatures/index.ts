import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

function equalHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** `sha256=` + HMAC-SHA256(secret, message id + timestamp + raw body) (Twitch EventSub). */
export function twitchSignature(
  secret: string,
  messageId: string,
  timestamp: string,
  rawBody: string | Buffer,
): string {
  return (
    'sha256=' + createHmac('sha256', secret).update(messageId).update(timestamp).update(rawBody).digest('hex')
  );
}

export function verifyTwitchSignature(
  secret: string,
  messageId: string,
  timestamp: string,
  rawBody: string | Buffer,
  signature: string,
): boolean {
  return equalHex(twitchSignature(secret, messageId, timestamp, rawBody), signature);
}

/** `v0=` + HMAC-SHA256(secret, `v0:<timestamp>:<raw body>`) (Slack). */
export function slackSignature(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex');
}

export function verifySlackSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Buffer,
  signature: string,
): boolean {
  return equalHex(slackSignature(secret, timestamp, rawBody), signature);
}

// DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Ed25519 over timestamp + raw body with the application's hex public key (Discord). */
export function verifyDiscordSignature(
  publicKeyHex: string,
  timestamp: string,
  rawBody: string | Buffer,
  signatureHex: string,
): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(publicKeyHex) || !/^[0-9a-fA-F]{128}$/.test(signatureHex)) return false;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(publicKeyHex, 'hex')]),
      format: 'der',
      type: 'spki',
    });
    const message = Buffer.concat([
      Buffer.from(timestamp, 'utf8'),
      Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8'),
    ]);
    return verify(null, message, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
