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

/** Scenarios 4, 5 and 13 end to end: signed EventSub → Twitch receiver → router → module → Helix. */
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
