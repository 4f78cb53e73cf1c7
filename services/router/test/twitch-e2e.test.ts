import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineOf } from '@waddlebot/core';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  startFakeServer,
  twitchEventSubHeaders,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { Kysely } from 'kysely';
// The real Twitch receiver and its fake-Twitch fixtures, by path (see integration.test.ts).
import { service as twitchService } from '../../twitch/src/service.js';
import { BOT_ID, EVENTSUB_SECRET, chatEvent, playTwitch } from '../../twitch/test/fixtures.js';
import type { RouterDB } from '../src/db.js';
import { service } from '../src/service.js';

/** Scenarios 4, 5, 13 and 26 end to end: signed EventSub → Twitch receiver → router → module → Helix. */
let rt: TestRuntime;
let fakes: Record<'twitch' | 'module' | 'identity' | 'reputation' | 'browser', FakeServer>;
let router: Awaited<ReturnType<TestRuntime['add']>>;
let receiver: Awaited<ReturnType<TestRuntime['add']>>;
let db: Kysely<RouterDB>;

beforeAll(async () => {
  const [twitch, module, identity, reputation, browser] = await Promise.all(
    Array.from({ length: 5 }, () => startFakeServer()),
  );
  fakes = {
    twitch: twitch!,
    module: module!,
    identity: identity!,
    reputation: reputation!,
    browser: browser!,
  };
  playTwitch(fakes.twitch);
  fakes.identity.on('POST', '/identity/resolve', (req) => ({
    body: { success: true, data: { uid: `9${req.json.platform_user_id}`, created: false } },
  }));
  fakes.reputation.on('POST', '/reputation/process', { body: { success: true } });
  fakes.browser.on('POST', '/browser/source/display', { body: { success: true } });
  fakes.module.on('POST', '/shoutout', {
    body: {
      success: true,
      response_action: 'chat',
      chat_message: 'bob is awesome, go follow!',
      additional_responses: [{ response_action: 'general', content: '<div>bob</div>', duration: 15 }],
    },
  });
  fakes.module.on('POST', '/later', { status: 202, body: {} });
  rt = await createTestRuntime({
    env: {
      TWITCH_API_BASE_URL: `${fakes.twitch.url}/helix`,
      TWITCH_AUTH_BASE_URL: `${fakes.twitch.url}/oauth2`,
      TWITCH_CLIENT_ID: 'cid',
      TWITCH_CLIENT_SECRET: 'client-secret-xyz',
      TWITCH_EVENTSUB_SECRET: EVENTSUB_SECRET,
      TWITCH_WEBHOOK_CALLBACK_URL: 'https://bot.example/twitch/webhook',
      TWITCH_REDIRECT_URI: 'https://bot.example/twitch/auth/callback',
      TWITCH_BOT_USER_ID: BOT_ID,
      IDENTITY_URL: fakes.identity.url,
      REPUTATION_URL: fakes.reputation.url,
      BROWSER_SOURCE_URL: fakes.browser.url,
      SHOUTOUT_URL: fakes.module.url,
    },
  });
  router = await rt.add(service);
  receiver = await rt.add(twitchService);
  db = rt.db.database.forSchema<RouterDB>('router');
  expect(
    (
      await call(receiver.app, 'POST', '/twitch/api/channels', {
        broadcaster_id: '1001',
        channel_name: 'alicetv',
      })
    ).status,
  ).toBe(201);
  for (const [command, path, rateLimit] of [
    ['so', '/shoutout', 2],
    ['later', '/later', 0],
  ] as const) {
    const res = await call(router.app, 'POST', '/router/admin/commands', {
      command,
      module_name: 'shoutout',
      location_url: `${fakes.module.url}${path}`,
      rate_limit: rateLimit,
    });
    expect(res.status).toBe(201);
  }
});
afterAll(async () => {
  await rt.close();
  await Promise.all(Object.values(fakes).map((f) => f.close()));
});

async function deliver(text: string, messageId: string) {
  const body = JSON.stringify(chatEvent({ text, messageId }));
  const res = await receiver.app.request('/twitch/webhook', {
    method: 'POST',
    body,
    headers: twitchEventSubHeaders({
      secret: EVENTSUB_SECRET,
      body,
      timestamp: rt.clock.now().toISOString(),
      messageId,
      subscriptionType: 'channel.chat.message',
    }),
  });
  await pipelineOf(receiver.deps).idle();
  return res.status;
}

describe('Twitch → router → module → Helix', () => {
  it('scenario 5: !so @bob posts the module text to Helix as a reply', async () => {
    expect(await deliver('!so @bob', 'e2e-m1')).toBe(204);
    const [modCall] = fakes.module.calls('POST', '/shoutout');
    expect(modCall!.json).toMatchObject({
      command: 'so',
      args: ['@bob'],
      entity_id: 'twitch:1001',
      user: { uid: '9555' },
      user_context: { role: 'member' },
    });
    expect(modCall!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    const post = await fakes.twitch.waitFor((r) => r.path === '/helix/chat/messages');
    expect(post.json).toMatchObject({
      broadcaster_id: '1001',
      sender_id: BOT_ID,
      message: 'bob is awesome, go follow!',
      reply_parent_message_id: 'e2e-m1',
    });
    const overlay = await fakes.browser.waitFor((r) => r.path === '/browser/source/display');
    expect(overlay.json.source_type).toBe('general');
    const rep = await fakes.reputation.waitFor((r) => r.path === '/reputation/process');
    expect(rep.json.event_name).toBe('message');
  });

  it('scenario 4: a replayed notification runs once', async () => {
    const before = fakes.twitch.calls('POST', '/helix/chat/messages').length;
    expect(await deliver('!so carol', 'e2e-m2')).toBe(204);
    expect(await deliver('!so carol', 'e2e-m2')).toBe(204);
    const executions = await db
      .selectFrom('command_executions')
      .selectAll()
      .where('message_content', '=', '!so carol')
      .execute();
    expect(executions).toHaveLength(1);
    expect(fakes.twitch.calls('POST', '/helix/chat/messages')).toHaveLength(before + 1);
  });

  it('scenario 13: an async response reaches Helix through /twitch/send', async () => {
    expect(await deliver('!later', 'e2e-m3')).toBe(204);
    const execution = await db
      .selectFrom('command_executions')
      .selectAll()
      .where('message_content', '=', '!later')
      .executeTakeFirstOrThrow();
    expect(execution.status).toBe('pending');
    const res = await call(router.app, 'POST', '/router/responses', {
      execution_id: execution.execution_id,
      session_id: execution.session_id,
      module_name: 'shoutout',
      success: true,
      response_action: 'chat',
      chat_message: 'later!',
    });
    expect(res.status).toBe(200);
    const post = await fakes.twitch.waitFor(
      (r) => r.path === '/helix/chat/messages' && r.json?.message === 'later!',
    );
    expect(post.json.broadcaster_id).toBe('1001');
  });
});

describe('scenario 26: outbound messages through the Twitch receiver to Helix', () => {
  const BROADCASTER = '3003';
  const chat = (key: string, over: Record<string, unknown> = {}) => ({
    platform: 'twitch',
    entity_id: `twitch:${BROADCASTER}`,
    type: 'chat',
    text: '🔔 stream starts in 5',
    module_name: 'memories',
    idempotency_key: key,
    ...over,
  });
  const outbound = (body: unknown) => call(router.app, 'POST', '/router/messages/outbound', body);
  const chatPosts = () =>
    fakes.twitch.calls('POST', '/helix/chat/messages').filter((r) => r.json?.broadcaster_id === BROADCASTER);

  beforeAll(async () => {
    // A channel the receiver monitors but that has never sent the router an event.
    expect(
      (
        await call(receiver.app, 'POST', '/twitch/api/channels', {
          broadcaster_id: BROADCASTER,
          channel_name: 'carolstream',
        })
      ).status,
    ).toBe(201);
    // Whispers need the bot account's user token (OAuth with ?bot=1).
    const login = await receiver.app.request('/twitch/auth/login?bot=1');
    const state = new URL(login.headers.get('location')!).searchParams.get('state')!;
    const callback = await call(
      receiver.app,
      'GET',
      `/twitch/auth/callback?code=bot&state=${state}`,
      undefined,
      {},
    );
    expect(callback.status).toBe(200);
    fakes.twitch.on('GET', '/helix/users', (req) =>
      req.query.get('login') === 'davetv'
        ? { body: { data: [{ id: '4004', login: 'davetv', display_name: 'DaveTV' }] } }
        : { body: { data: [] } },
    );
  });

  it('a chat reaches Helix once per idempotency key', async () => {
    const first = await outbound(chat('memories:reminder:42'));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ success: true, duplicate: false });
    expect(first.body.outbound_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(chatPosts()).toHaveLength(1);
    expect(chatPosts()[0]!.json).toEqual({
      broadcaster_id: BROADCASTER,
      sender_id: BOT_ID,
      message: '🔔 stream starts in 5',
    });
    const again = await outbound(chat('memories:reminder:42'));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ success: true, duplicate: true, outbound_id: first.body.outbound_id });
    expect(chatPosts()).toHaveLength(1);
  });

  it('a dm by user_name looks the login up, then whispers as the bot', async () => {
    const before = fakes.twitch.requests.length;
    const res = await outbound({
      platform: 'twitch',
      type: 'dm',
      user_name: 'DaveTV',
      text: 'Your code: Q9ZP4L',
      module_name: 'identity',
      idempotency_key: 'identity:verification:88:1',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, duplicate: false });
    const after = fakes.twitch.requests.slice(before).filter((r) => r.path !== '/oauth2/token');
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /helix/users', 'POST /helix/whispers']);
    expect(after[0]!.query.get('login')).toBe('davetv');
    expect(after[1]!.query.get('from_user_id')).toBe(BOT_ID);
    expect(after[1]!.query.get('to_user_id')).toBe('4004');
    expect(after[1]!.json).toEqual({ message: 'Your code: Q9ZP4L' });
    // The code of a dm never reaches the log (§3.13.1).
    expect(rt.logLines.some((l) => l.includes('Q9ZP4L'))).toBe(false);
  });

  it('an unknown dm recipient is 404 and is not recorded as delivered, so a later retry sends', async () => {
    const body = {
      platform: 'twitch',
      type: 'dm',
      user_name: 'nobody_here',
      text: 'hi',
      module_name: 'identity',
      idempotency_key: 'identity:verification:89:0',
    };
    const whispers = fakes.twitch.calls('POST', '/helix/whispers').length;
    const res = await outbound(body);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(fakes.twitch.calls('POST', '/helix/whispers')).toHaveLength(whispers);
    fakes.twitch.on('GET', '/helix/users', (req) =>
      req.query.get('login') === 'nobody_here'
        ? { body: { data: [{ id: '4005', login: 'nobody_here', display_name: 'Nobody' }] } }
        : { body: { data: [] } },
    );
    const later = await outbound(body);
    expect(later.status).toBe(200);
    expect(later.body.duplicate).toBe(false);
    expect(fakes.twitch.calls('POST', '/helix/whispers').at(-1)!.query.get('to_user_id')).toBe('4005');
  });

  it('an unknown entity is 404 and Helix is not called', async () => {
    const before = fakes.twitch.calls('POST', '/helix/chat/messages').length;
    const res = await outbound(chat('memories:reminder:43', { entity_id: 'twitch:7777' }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    expect(fakes.twitch.calls('POST', '/helix/chat/messages')).toHaveLength(before);
  });

  it('Helix failing is 502 UPSTREAM_ERROR; a retry with the same key then delivers once', async () => {
    fakes.twitch.on('POST', '/helix/chat/messages', { status: 500, body: { message: 'boom' } });
    const failed = await outbound(chat('memories:reminder:44', { text: 'second try' }));
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('UPSTREAM_ERROR');
    expect(failed.body.error.request_id).toBeTruthy();
    fakes.twitch.on('POST', '/helix/chat/messages', {
      body: { data: [{ message_id: 'ok', is_sent: true }] },
    });
    const retry = await outbound(chat('memories:reminder:44', { text: 'second try' }));
    expect(retry.status).toBe(200);
    expect(retry.body.duplicate).toBe(false);
    const posts = chatPosts().filter((r) => r.json?.message === 'second try');
    // One refused attempt, one delivery.
    expect(posts).toHaveLength(2);
    const third = await outbound(chat('memories:reminder:44', { text: 'second try' }));
    expect(third.body.duplicate).toBe(true);
    expect(chatPosts().filter((r) => r.json?.message === 'second try')).toHaveLength(2);
  });
});
