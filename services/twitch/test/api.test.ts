import { beforeAll, describe, expect, it } from 'vitest';
import { call, type FakeServer, type TestRuntime } from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import {
  useReceiverHarness,
  type StartedReceiver,
} from '../../../libs/core/test/receiver/receiver-harness.js';
import {
  itPublishesOpenApi,
  itRefusesInvalidSends,
  itRefusesMissingAndWrongServiceKeys,
} from '../../../libs/core/test/receiver/receiver-contract.js';
import { BOT_ID, EVENTSUB_SECRET, playTwitch, twitchEnv } from './fixtures.js';

let rt: TestRuntime;
let twitch: FakeServer;
let app: StartedReceiver<typeof service>['app'];
let deps: StartedReceiver<typeof service>['deps'];

useReceiverHarness({
  service,
  env: twitchEnv,
  playPlatform: playTwitch,
  started: (h) => {
    ({ rt, platform: twitch } = h);
    ({ app, deps } = h.svc);
  },
});

const noKey = { 'Content-Type': 'application/json' };
const wrongKey = {
  'Content-Type': 'application/json',
  'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong',
};

/** Runs the OAuth flow through login → fake Twitch → callback and returns the callback answer. */
async function authorise(code: string, query = '') {
  const login = await app.request(`/twitch/auth/login${query}`);
  expect(login.status).toBe(302);
  const location = new URL(login.headers.get('location')!);
  const state = location.searchParams.get('state')!;
  return call(app, 'GET', `/twitch/auth/callback?code=${code}&state=${state}`, undefined, {});
}

describe('monitored channels API (contracts §17.5)', () => {
  it('adds idempotently (201 then 200), lists and removes; 404 for an unknown id', async () => {
    const first = await call(app, 'POST', '/twitch/api/channels', {
      broadcaster_id: '3003',
      channel_name: 'CarolTV',
    });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({
      broadcaster_id: '3003',
      channel_name: 'caroltv',
      is_active: true,
    });
    expect(
      (await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '3003', channel_name: 'caroltv' }))
        .status,
    ).toBe(200);
    const list = await call(app, 'GET', '/twitch/api/channels');
    expect(list.body.data.map((r: { broadcaster_id: string }) => r.broadcaster_id)).toContain('3003');
    expect((await call(app, 'DELETE', '/twitch/api/channels/3003')).status).toBe(200);
    expect((await call(app, 'DELETE', '/twitch/api/channels/3003')).status).toBe(404);
    const after = await call(app, 'GET', '/twitch/api/channels');
    expect(after.body.data.map((r: { broadcaster_id: string }) => r.broadcaster_id)).not.toContain('3003');
    expect(
      (await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '3003', channel_name: 'caroltv' }))
        .status,
    ).toBe(201);
  });

  it('validates the body', async () => {
    const res = await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: 'abc', channel_name: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'broadcaster_id',
      'channel_name',
    ]);
  });

  it('requires the service key', async () => {
    expect((await call(app, 'GET', '/twitch/api/channels', undefined, noKey)).body.error.code).toBe(
      'AUTH_REQUIRED',
    );
    expect((await call(app, 'GET', '/twitch/api/channels', undefined, wrongKey)).body.error.code).toBe(
      'INVALID_API_KEY',
    );
    expect(
      (await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '1', channel_name: 'x' }, wrongKey))
        .status,
    ).toBe(401);
    expect((await call(app, 'DELETE', '/twitch/api/channels/1001', undefined, noKey)).status).toBe(401);
  });
});

describe('POST /twitch/send', () => {
  beforeAll(async () => {
    await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '1001', channel_name: 'alicetv' });
    const bot = await authorise('bot', '?bot=1');
    expect(bot.status).toBe(200);
  });

  it('delivers chat to the entity’s broadcaster as the bot', async () => {
    const res = await call(app, 'POST', '/twitch/send', {
      entity_id: 'twitch:1001',
      replies: [{ type: 'chat', text: 'later!' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, delivered: 1 });
    const [post] = twitch.calls('POST', '/helix/chat/messages');
    expect(post!.json).toEqual({ broadcaster_id: '1001', sender_id: BOT_ID, message: 'later!' });
  });

  it('delivers a dm by user_name: GET /users?login= then POST /whispers with the bot user token', async () => {
    const res = await call(app, 'POST', '/twitch/send', {
      replies: [{ type: 'dm', user_name: 'AliceTV', text: 'Your code: K7QX2M' }],
    });
    expect(res.status).toBe(200);
    expect(twitch.calls('GET', '/helix/users')[0]!.query.get('login')).toBe('alicetv');
    const [whisper] = twitch.calls('POST', '/helix/whispers');
    expect(whisper!.query.get('from_user_id')).toBe(BOT_ID);
    expect(whisper!.query.get('to_user_id')).toBe('1001');
    expect(whisper!.json).toEqual({ message: 'Your code: K7QX2M' });
    expect(whisper!.headers.authorization).toBe('Bearer user-token-bot');
  });

  it('refreshes the bot user token on a 401 and retries the whisper once', async () => {
    let n = 0;
    twitch.on('POST', '/helix/whispers', () =>
      ++n === 1 ? { status: 401, body: { message: 'expired' } } : { status: 204 },
    );
    const res = await call(app, 'POST', '/twitch/send', {
      replies: [{ type: 'dm', user_id: '1001', text: 'hi' }],
    });
    expect(res.status).toBe(200);
    const whispers = twitch.calls('POST', '/helix/whispers');
    expect(whispers).toHaveLength(2);
    expect(whispers[1]!.headers.authorization).toBe('Bearer refreshed-refresh-bot');
  });

  it('deletes with the bot user token and renders forms as text', async () => {
    const res = await call(app, 'POST', '/twitch/send', {
      entity_id: 'twitch:1001',
      replies: [
        { type: 'delete', message_id: 'bad-1' },
        {
          type: 'form',
          title: 'Sign up',
          description: 'For game night',
          fields: [{ name: 'nick', type: 'select', label: 'Nickname', required: true, options: ['a', 'b'] }],
          submit_url: 'https://x.example/f',
        },
      ],
    });
    expect(res.body.delivered).toBe(2);
    const del = twitch.calls('DELETE', '/helix/moderation/chat')[0]!;
    expect(Object.fromEntries(del.query)).toEqual({
      broadcaster_id: '1001',
      moderator_id: BOT_ID,
      message_id: 'bad-1',
    });
    expect(twitch.calls('POST', '/helix/chat/messages')[0]!.json.message).toBe(
      'Sign up\nFor game night\n• Nickname (select) *: a, b\nSubmit: https://x.example/f',
    );
  });

  it('a refused delete is logged, not an error', async () => {
    twitch.on('DELETE', '/helix/moderation/chat', { status: 403, body: { message: 'not a mod' } });
    const res = await call(app, 'POST', '/twitch/send', {
      entity_id: 'twitch:1001',
      replies: [{ type: 'delete', message_id: 'x' }],
    });
    expect(res.body).toEqual({ success: true, delivered: 0 });
  });

  it('a dm to a login Twitch does not know → 404 NOT_FOUND', async () => {
    const unknown = await call(app, 'POST', '/twitch/send', {
      replies: [{ type: 'dm', user_name: 'nobody', text: 'x' }],
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(twitch.calls('POST', '/helix/whispers')).toHaveLength(0);
  });

  itRefusesInvalidSends(() => app, {
    platform: 'twitch',
    entity: 'twitch:1001',
    platformApi: () => twitch,
    failChat: (api) => api.on('POST', '/helix/chat/messages', { status: 500, body: { message: 'boom' } }),
  });
});

describe('OAuth (§5.4)', () => {
  it('login redirects to the authorize URL with the broadcaster scopes and a stored state', async () => {
    const res = await app.request('/twitch/auth/login');
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location')!);
    expect(url.origin + url.pathname).toBe(`${twitch.url}/oauth2/authorize`);
    expect(url.searchParams.get('client_id')).toBe('cid');
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('force_verify')).toBe('true');
    expect(url.searchParams.get('scope')).toContain('channel:bot');
    expect(url.searchParams.get('scope')).toContain('channel:moderate');
    expect(await deps.state.kv.get(`waddlebot:twitch:oauth:${url.searchParams.get('state')}`)).not.toBeNull();
  });

  it('callback: stores encrypted tokens, monitors the broadcaster and creates the EventSub subscriptions', async () => {
    const res = await authorise('abc');
    expect(res.status).toBe(200);
    expect(res.body.data.user).toEqual({ id: '1001', login: 'alicetv', display_name: 'AliceTV' });
    const row = await deps.db
      .selectFrom('twitch_tokens')
      .selectAll()
      .where('user_id', '=', '1001')
      .executeTakeFirstOrThrow();
    expect(row.access_token).not.toContain('user-token-abc');
    expect(row.refresh_token).not.toContain('refresh-abc');
    const created = twitch.calls('POST', '/helix/eventsub/subscriptions').map((r) => r.json);
    expect(created.map((s) => s.type).sort()).toEqual(
      [
        'channel.ban',
        'channel.chat.message',
        'channel.cheer',
        'channel.follow',
        'channel.raid',
        'channel.subscribe',
        'channel.subscription.gift',
        'channel.subscription.message',
        'stream.offline',
        'stream.online',
      ].sort(),
    );
    const byType = Object.fromEntries(created.map((s) => [s.type, s]));
    expect(byType['channel.raid'].condition).toEqual({ to_broadcaster_user_id: '1001' });
    expect(byType['channel.follow']).toMatchObject({
      version: '2',
      condition: { broadcaster_user_id: '1001', moderator_user_id: '1001' },
    });
    expect(byType['channel.chat.message'].condition).toEqual({
      broadcaster_user_id: '1001',
      user_id: BOT_ID,
    });
    expect(byType['stream.online'].transport).toEqual({
      method: 'webhook',
      callback: 'https://bot.example/twitch/webhook',
      secret: EVENTSUB_SECRET,
    });
    expect(res.body.data.subscriptions).toHaveLength(10);
    const channel = await deps.db
      .selectFrom('twitch_channels')
      .selectAll()
      .where('broadcaster_id', '=', '1001')
      .executeTakeFirstOrThrow();
    expect(channel.is_active).toBe(true);
    expect(JSON.stringify(res.body)).not.toContain('user-token-abc');
  });

  it('callback refuses a reused, unknown or missing state, and an error from Twitch', async () => {
    const login = await app.request('/twitch/auth/login');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    expect(
      (await call(app, 'GET', `/twitch/auth/callback?code=x&state=${state}`, undefined, {})).status,
    ).toBe(200);
    expect(
      (await call(app, 'GET', `/twitch/auth/callback?code=x&state=${state}`, undefined, {})).status,
    ).toBe(400);
    expect((await call(app, 'GET', '/twitch/auth/callback?code=x&state=nope', undefined, {})).status).toBe(
      400,
    );
    expect((await call(app, 'GET', '/twitch/auth/callback?code=x', undefined, {})).status).toBe(400);
    const denied = await call(app, 'GET', '/twitch/auth/callback?error=access_denied&state=x', undefined, {});
    expect(denied.status).toBe(400);
    expect(denied.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('the state expires after OAUTH_STATE_TTL', async () => {
    const login = await app.request('/twitch/auth/login');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    await deps.state.kv.del(`waddlebot:twitch:oauth:${state}`);
    expect(
      (await call(app, 'GET', `/twitch/auth/callback?code=x&state=${state}`, undefined, {})).status,
    ).toBe(400);
  });

  it('the bot flow asks for the bot scopes and accepts only TWITCH_BOT_USER_ID', async () => {
    const login = await app.request('/twitch/auth/login?bot=1');
    expect(new URL(login.headers.get('location')!).searchParams.get('scope')).toBe(
      'user:read:chat user:write:chat user:bot user:manage:whispers moderator:manage:chat_messages',
    );
    const notBot = await authorise('someone', '?bot=1');
    expect(notBot.status).toBe(403);
  });

  it('refresh needs the client credentials, not the login redirect URI', async () => {
    await authorise('r2');
    const withoutRedirect = await rt.add(service, { TWITCH_REDIRECT_URI: '' });
    const refreshed = await call(withoutRedirect.app, 'POST', '/twitch/auth/refresh/1001');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.data.user_id).toBe('1001');
    const login = await call(withoutRedirect.app, 'GET', '/twitch/auth/login', undefined, {});
    expect([login.status, login.body.error.message]).toEqual([
      503,
      'twitch is not configured: set TWITCH_REDIRECT_URI',
    ]);
  });

  it('refresh, validate and revoke (service key; 404 without tokens)', async () => {
    await authorise('v1');
    const refreshed = await call(app, 'POST', '/twitch/auth/refresh/1001');
    expect(refreshed.status).toBe(200);
    expect(
      twitch.calls('POST', '/oauth2/token').some((r) => r.text.includes('grant_type=refresh_token')),
    ).toBe(true);
    const valid = await call(app, 'GET', '/twitch/auth/validate/1001');
    expect(valid.body.data).toMatchObject({ valid: true, login: 'alicetv' });
    expect(twitch.calls('GET', '/oauth2/validate')[0]!.headers.authorization).toMatch(/^OAuth /);
    expect((await call(app, 'POST', '/twitch/auth/revoke/1001')).status).toBe(200);
    expect(twitch.calls('POST', '/oauth2/revoke')).toHaveLength(1);
    expect((await call(app, 'GET', '/twitch/auth/validate/1001')).status).toBe(404);
    expect((await call(app, 'POST', '/twitch/auth/refresh/4242')).status).toBe(404);
    expect((await call(app, 'POST', '/twitch/auth/revoke/4242')).status).toBe(404);
    expect((await call(app, 'POST', '/twitch/auth/refresh/abc')).status).toBe(400);
    expect((await call(app, 'POST', '/twitch/auth/refresh/1001', undefined, noKey)).status).toBe(401);
    expect((await call(app, 'GET', '/twitch/auth/validate/1001', undefined, wrongKey)).body.error.code).toBe(
      'INVALID_API_KEY',
    );
  });
});

describe('EventSub subscription management', () => {
  it('creates for a monitored channel; a 202 stored after the challenge never downgrades enabled', async () => {
    await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '5005', channel_name: 'dave' });
    // The challenge for sub-1 of this run arrives before the create call's 202 is stored.
    twitch.on('POST', '/helix/eventsub/subscriptions', async (req) => {
      const id = `early-${req.json.type}`;
      await deps.db
        .insertInto('twitch_subscriptions')
        .values({
          subscription_id: id,
          channel_id: null,
          event_type: req.json.type,
          version: '1',
          status: 'enabled',
          cost: 0,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute();
      return {
        status: 202,
        body: {
          data: [
            {
              id,
              status: 'webhook_callback_verification_pending',
              type: req.json.type,
              version: req.json.version,
              cost: 1,
              condition: req.json.condition,
            },
          ],
        },
      };
    });
    const res = await call(app, 'POST', '/twitch/api/channels/5005/subscriptions');
    expect(res.status).toBe(200);
    expect(res.body.data.failed).toEqual([]);
    const rows = await deps.db
      .selectFrom('twitch_subscriptions')
      .selectAll()
      .where('subscription_id', 'like', 'early-%')
      .execute();
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r: { status: string }) => r.status))).toEqual(new Set(['enabled']));
    expect(
      rows.every((r: { channel_id: number | null; cost: number }) => r.channel_id !== null && r.cost === 1),
    ).toBe(true);
  });

  it('reports per-type failures', async () => {
    await call(app, 'POST', '/twitch/api/channels', { broadcaster_id: '6006', channel_name: 'erin' });
    twitch.on('POST', '/helix/eventsub/subscriptions', (req) =>
      req.json.type === 'channel.ban'
        ? { status: 403, body: { message: 'missing scope' } }
        : {
            status: 202,
            body: {
              data: [
                {
                  id: `x-${req.json.type}-6006`,
                  status: 'pending',
                  type: req.json.type,
                  version: '1',
                  cost: 1,
                },
              ],
            },
          },
    );
    const res = await call(app, 'POST', '/twitch/api/channels/6006/subscriptions');
    expect(res.body.data.failed).toEqual([{ type: 'channel.ban', status: 403, error: 'missing scope' }]);
    expect(res.body.data.subscriptions).toHaveLength(9);
  });

  it('404 for a channel that is not monitored; 401 without the key', async () => {
    expect((await call(app, 'POST', '/twitch/api/channels/7777/subscriptions')).status).toBe(404);
    expect(
      (await call(app, 'POST', '/twitch/api/channels/1001/subscriptions', undefined, noKey)).status,
    ).toBe(401);
    expect(twitch.calls('POST', '/helix/eventsub/subscriptions')).toHaveLength(0);
  });

  it('lists from Helix and deletes by id (row marked deleted); unknown id → 404', async () => {
    const list = await call(app, 'GET', '/twitch/api/subscriptions');
    expect(list.body.data.subscriptions).toHaveLength(1);
    await deps.db
      .insertInto('twitch_subscriptions')
      .values({
        subscription_id: 'gone-1',
        channel_id: null,
        event_type: 'stream.online',
        version: '1',
        status: 'enabled',
        cost: 1,
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();
    const del = await call(app, 'DELETE', '/twitch/api/subscriptions?id=gone-1');
    expect(del.status).toBe(200);
    expect(twitch.calls('DELETE', '/helix/eventsub/subscriptions')[0]!.query.get('id')).toBe('gone-1');
    const row = await deps.db
      .selectFrom('twitch_subscriptions')
      .select('status')
      .where('subscription_id', '=', 'gone-1')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('deleted');
    expect((await call(app, 'DELETE', '/twitch/api/subscriptions?id=missing')).status).toBe(404);
    expect((await call(app, 'DELETE', '/twitch/api/subscriptions')).status).toBe(400);
    expect((await call(app, 'GET', '/twitch/api/subscriptions', undefined, wrongKey)).status).toBe(401);
  });
});

describe('GET /twitch/events', () => {
  it('pages the raw log, 20 per page, newest first', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      event_id: `log-${i}`,
      event_type: 'stream.online',
      event_data: '{}',
      processed: false,
      created_at: new Date(),
    }));
    await deps.db.insertInto('twitch_events').values(rows).execute();
    const first = await call(app, 'GET', '/twitch/events');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(20);
    expect(first.body.data[0].event_id).toBe('log-24');
    expect(first.body.meta).toMatchObject({ page: 1, per_page: 20, has_next: true });
    const second = await call(app, 'GET', '/twitch/events?page=2');
    expect(second.body.data.length).toBeGreaterThanOrEqual(5);
    expect((await call(app, 'GET', '/twitch/events?page=0')).status).toBe(400);
    expect((await call(app, 'GET', '/twitch/events', undefined, noKey)).status).toBe(401);
  });
});

describe('every service-key route refuses missing and wrong keys', () => {
  itRefusesMissingAndWrongServiceKeys(
    () => app,
    [
      ['GET', '/twitch/api/channels'],
      ['POST', '/twitch/api/channels'],
      ['DELETE', '/twitch/api/channels/1001'],
      ['POST', '/twitch/api/channels/1001/subscriptions'],
      ['GET', '/twitch/api/subscriptions'],
      ['DELETE', '/twitch/api/subscriptions?id=sub-1'],
      ['GET', '/twitch/events'],
      ['POST', '/twitch/send'],
      ['POST', '/twitch/auth/refresh/1001'],
      ['GET', '/twitch/auth/validate/1001'],
      ['POST', '/twitch/auth/revoke/1001'],
    ],
  );
});

describe('OpenAPI', () => {
  itPublishesOpenApi(
    () => app,
    [
      '/twitch/webhook',
      '/twitch/send',
      '/twitch/auth/login',
      '/twitch/auth/callback',
      '/twitch/auth/refresh/{user_id}',
      '/twitch/auth/validate/{user_id}',
      '/twitch/auth/revoke/{user_id}',
      '/twitch/api/channels',
      '/twitch/api/channels/{id}',
      '/twitch/api/channels/{broadcaster_id}/subscriptions',
      '/twitch/api/subscriptions',
      '/twitch/events',
    ],
  );
});
