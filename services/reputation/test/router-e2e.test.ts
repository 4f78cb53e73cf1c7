import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
// The real router, community and labels services, by path (as services/router/test/integration.test.ts does).
import { service as communityService } from '../../community/src/service.js';
import { service as labelsService } from '../../labels/src/service.js';
import { service as routerService } from '../../router/src/service.js';
import { service } from '../src/service.js';

/**
 * Router → labels (`user_context.labels`) and router → reputation (fire-and-forget
 * `POST /reputation/process`) in one process, with the real community service resolving the
 * channel's community for both.
 */
let rt: TestRuntime;
let identity: FakeServer;
let module: FakeServer;
let router: Awaited<ReturnType<TestRuntime['add']>>['app'];
let labels: Awaited<ReturnType<TestRuntime['add']>>['app'];
let reputation: Awaited<ReturnType<TestRuntime['add']>>['app'];
let community: Awaited<ReturnType<TestRuntime['add']>>['app'];
let penguins: number;

let seq = 0;
const twitchEvent = (message_type: string, text: string, over: Record<string, unknown> = {}) => {
  const id = `e2e-${++seq}`;
  return {
    platform: 'twitch',
    server_id: '1001',
    channel_id: '',
    user_id: '555',
    user_name: 'alice',
    message_content: text,
    message_type,
    event_id: id,
    metadata: { message_id: id, platform_role: 'owner' },
    reply_context: { broadcaster_id: '1001', message_id: id },
    ...over,
  };
};
const say = (text: string) => call(router, 'POST', '/router/events', twitchEvent('chatMessage', text));

async function eventually<T>(read: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}
const scoreRow = (user: string, communityId: number) =>
  rt.db.database
    .forSchema('reputation')
    .selectFrom('user_reputation')
    .select(['current_score', 'total_events'])
    .where('user_id', '=', user)
    .where('community_id', '=', communityId)
    .executeTakeFirst();

beforeAll(async () => {
  [identity, module] = await Promise.all([startFakeServer(), startFakeServer()]);
  identity.on('POST', '/identity/resolve', (req) => ({
    body: { success: true, data: { uid: `9${req.json.platform_user_id}`, created: false } },
  }));
  module.on('POST', '/echo', { body: { success: true, response_action: 'chat', chat_message: 'ok' } });
  rt = await createTestRuntime({ env: { IDENTITY_URL: identity.url } });
  router = (await rt.add(routerService)).app;
  const c = await rt.add(communityService);
  community = c.app;
  await c.seeded;
  labels = (await rt.add(labelsService)).app;
  reputation = (await rt.add(service)).app;
  const echo = await call(router, 'POST', '/router/admin/commands', {
    command: 'echo',
    module_name: 'echo',
    location_url: `${module.url}/echo`,
  });
  expect(echo.status).toBe(201);

  expect((await say('!community create Penguins')).body.replies[0].text).toMatch(/Penguins/);
  expect((await say('!community add entity twitch:1001')).body.outcome).toBe('executed');
  const owner = await call(community, 'GET', `/entities/${encodeURIComponent('twitch:1001')}/community`);
  penguins = owner.body.data.community_id;
  expect(penguins).toBeGreaterThan(1);
  // Reputation caches entity → community for 60 s (§5.1); the chat above saw twitch:1001 in none.
  (rt.clock as FakeClock).advance(61_000);
  // Four services migrate one embedded database: generous on a busy machine, only a bound.
}, 180_000);
afterAll(async () => {
  await rt.close();
  await Promise.all([identity.close(), module.close()]);
}, 60_000);

describe('router → labels', { timeout: 120_000 }, () => {
  it("a command's ModuleRequest carries the user's labels in the channel's community", async () => {
    const created = await call(labels, 'POST', '/labels', {
      name: 'memories',
      category: 'user',
      created_by: 'e2e',
    });
    const elsewhere = await call(labels, 'POST', '/labels', {
      name: 'other-place',
      category: 'user',
      created_by: 'e2e',
    });
    const apply = (label: number, communityId: number) =>
      call(labels, 'POST', '/labels/apply', {
        entity_id: '9555',
        entity_type: 'user',
        label_id: label,
        applied_by: 'e2e',
        community_id: communityId,
      });
    expect((await apply(created.body.data.label_id, penguins)).status).toBe(201);
    expect((await apply(elsewhere.body.data.label_id, penguins + 1000)).status).toBe(201);

    const res = await say('!echo hi');
    expect(res.body.outcome).toBe('executed');
    const [sent] = module.calls('POST', '/echo');
    expect(sent!.json).toMatchObject({ community_id: String(penguins), user: { uid: '9555' } });
    expect(sent!.json.user_context.labels).toEqual(['memories']);
  });
});

describe('router → reputation', { timeout: 120_000 }, () => {
  it("platform events move the user's score in the channel's community and in Global", async () => {
    // The chat above already counted as messages.
    await eventually(async () => (await scoreRow('9555', penguins)) ?? false);
    const before = (await scoreRow('9555', penguins))!;
    const globalBefore = (await scoreRow('9555', 1))!;

    const res = await call(router, 'POST', '/router/events', twitchEvent('follow', ''));
    expect(res.status).toBe(200);
    const after = await eventually(async () => {
      const row = await scoreRow('9555', penguins);
      return row && row.total_events > before.total_events && row;
    });
    expect(Number(after.current_score)).toBeCloseTo(Number(before.current_score) + 1, 4);
    const global = await eventually(async () => {
      const row = await scoreRow('9555', 1);
      return row && row.total_events > globalBefore.total_events && row;
    });
    expect(Number(global.current_score)).toBeCloseTo(Number(globalBefore.current_score) + 1, 4);

    const cheer = await call(
      router,
      'POST',
      '/router/events',
      twitchEvent('cheer', 'Cheer300', { metadata: { bits: 300 } }),
    );
    expect(cheer.status).toBe(200);
    await eventually(async () => {
      const row = await scoreRow('9555', penguins);
      return row && Math.abs(Number(row.current_score) - (Number(after.current_score) + 3)) < 1e-6;
    });
    const events = await call(reputation, 'GET', `/reputation/events/9555?community_id=${penguins}&limit=1`);
    expect(events.body.data.events[0]).toMatchObject({
      event_name: 'cheer',
      event_score: 3,
      entity_id: 'twitch:1001',
    });
  });

  it('events the router does not forward or the model does not weigh write nothing', async () => {
    const before = (await call(reputation, 'GET', '/reputation/events/9555?limit=200')).body.data.total;
    for (const type of ['stream_online', 'reaction', 'voice_join'])
      expect((await call(router, 'POST', '/router/events', twitchEvent(type, ''))).status).toBe(200);
    const raid = await call(
      router,
      'POST',
      '/router/events',
      twitchEvent('raid', '', { metadata: { viewers: 5 } }),
    );
    expect(raid.status).toBe(200);
    // The raid is booked (+2 in both); nothing else was.
    await eventually(async () => {
      const total = (await call(reputation, 'GET', '/reputation/events/9555?limit=200')).body.data.total;
      return total === before + 2;
    });
    const latest = (await call(reputation, 'GET', '/reputation/events/9555?limit=2')).body.data.events;
    expect(latest.map((e: { event_name: string }) => e.event_name)).toEqual(['raid', 'raid']);
  });
});
