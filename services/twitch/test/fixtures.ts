import type { FakeServer } from '@waddlebot/core/testing';

export const EVENTSUB_SECRET = 'eventsub-secret-0123456789';
export const BOT_ID = '999';

/** The receiver's env against a fake Twitch serving OAuth under /oauth2 and Helix under /helix. */
export function twitchEnv(twitch: FakeServer): Record<string, string> {
  return {
    TWITCH_API_BASE_URL: `${twitch.url}/helix`,
    TWITCH_AUTH_BASE_URL: `${twitch.url}/oauth2`,
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_CLIENT_SECRET: 'client-secret-xyz',
    TWITCH_EVENTSUB_SECRET: EVENTSUB_SECRET,
    TWITCH_WEBHOOK_CALLBACK_URL: 'https://bot.example/twitch/webhook',
    TWITCH_REDIRECT_URI: 'https://bot.example/twitch/auth/callback',
    TWITCH_BOT_USER_ID: BOT_ID,
  };
}

/** Fake Twitch: OAuth under /oauth2, Helix under /helix. */
let appTokens = 0;

export function playTwitch(twitch: FakeServer) {
  twitch.on('POST', '/oauth2/token', (req) => {
    const form = new URLSearchParams(req.text);
    switch (form.get('grant_type')) {
      case 'client_credentials':
        appTokens++;
        return { body: { access_token: `app-token-${appTokens}`, expires_in: 3600, token_type: 'bearer' } };
      case 'authorization_code':
        return {
          body: {
            access_token: `user-token-${form.get('code')}`,
            refresh_token: `refresh-${form.get('code')}`,
            expires_in: 14000,
            scope: ['channel:bot'],
          },
        };
      case 'refresh_token':
        return {
          body: {
            access_token: `refreshed-${form.get('refresh_token')}`,
            refresh_token: form.get('refresh_token'),
            expires_in: 14000,
          },
        };
      default:
        return { status: 400, body: { message: 'bad grant' } };
    }
  });
  twitch.on('GET', '/oauth2/validate', (req) =>
    req.headers.authorization?.startsWith('OAuth ')
      ? {
          body: {
            client_id: 'cid',
            login: 'alicetv',
            scopes: ['channel:bot'],
            user_id: '1001',
            expires_in: 5000,
          },
        }
      : { status: 401, body: { message: 'invalid' } },
  );
  twitch.on('POST', '/oauth2/revoke', { status: 200 });
  twitch.on('POST', '/helix/chat/messages', { body: { data: [{ message_id: 'sent-1', is_sent: true }] } });
  twitch.on('POST', '/helix/whispers', { status: 204 });
  twitch.on('DELETE', '/helix/moderation/chat', { status: 204 });
  twitch.on('GET', '/helix/users', (req) => {
    const login = req.query.get('login');
    if (login === 'alicetv')
      return { body: { data: [{ id: '1001', login: 'alicetv', display_name: 'AliceTV' }] } };
    if (login) return { body: { data: [] } };
    const code = /user-token-(\w+)/.exec(req.headers.authorization ?? '')?.[1];
    if (code === 'bot')
      return { body: { data: [{ id: BOT_ID, login: 'waddlebot', display_name: 'WaddleBot' }] } };
    return { body: { data: [{ id: '1001', login: 'alicetv', display_name: 'AliceTV' }] } };
  });
  let subs = 0;
  twitch.on('POST', '/helix/eventsub/subscriptions', (req) => {
    subs++;
    return {
      status: 202,
      body: {
        data: [
          {
            id: `sub-${subs}`,
            status: 'webhook_callback_verification_pending',
            type: req.json.type,
            version: req.json.version,
            condition: req.json.condition,
            cost: 1,
          },
        ],
        total: subs,
      },
    };
  });
  twitch.on('GET', '/helix/eventsub/subscriptions', {
    body: { data: [{ id: 'sub-1', status: 'enabled', type: 'channel.follow' }], total: 1, pagination: {} },
  });
  twitch.on('DELETE', '/helix/eventsub/subscriptions', (req) =>
    req.query.get('id') === 'missing' ? { status: 404, body: { message: 'not found' } } : { status: 204 },
  );
}

export function chatEvent(opts: {
  text: string;
  messageId?: string;
  chatter?: string;
  broadcaster?: string;
  badges?: string[];
}) {
  return {
    subscription: {
      id: 'sub-chat',
      type: 'channel.chat.message',
      version: '1',
      status: 'enabled',
      condition: { broadcaster_user_id: opts.broadcaster ?? '1001', user_id: BOT_ID },
    },
    event: {
      broadcaster_user_id: opts.broadcaster ?? '1001',
      broadcaster_user_login: 'alicetv',
      broadcaster_user_name: 'AliceTV',
      chatter_user_id: opts.chatter ?? '555',
      chatter_user_login: 'alice',
      chatter_user_name: 'Alice',
      message_id: opts.messageId ?? 'm1',
      message: { text: opts.text, fragments: [] },
      badges: (opts.badges ?? []).map((set_id) => ({ set_id, id: '1', info: '' })),
    },
  };
}
