import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';

let rt: TestRuntime;
let community: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let communityDown = false;
const db = () => rt.db.database.forSchema('reputation');
const clock = () => rt.clock as FakeClock;

const ENTITY_COMMUNITY: Record<string, number> = { 'twitch:1001': 7, 'twitch:2002': 9, 'twitch:3003': 7 };
const processEvent = (uid: string, entity: string, event_name = 'follow') =>
  call(app, 'POST', '/reputation/process', { user_id: `p${uid}`, uid, entity_id: entity, event_name });
const rowsOf = (user: string) =>
  db()
    .selectFrom('user_reputation')
    .select(['community_id', 'current_score', 'total_events', 'last_activity'])
    .where('user_id', '=', user)
    .orderBy('community_id')
    .execute();

beforeAll(async () => {
  community = await startFakeServer();
  community.on('GET', /^\/entities\/[^/]+\/community$/, (req) => {
    if (communityDown) return { status: 500, body: { success: false } };
    const id = ENTITY_COMMUNITY[decodeURIComponent(req.path.split('/')[2]!)];
    return id
      ? { status: 200, body: { success: true, data: { community_id: id, community_name: 'x' } } }
      : { status: 404, body: { success: false } };
  });
  rt = await createTestRuntime({ env: { COMMUNITY_URL: community.url } });
  app = (await rt.add(service)).app;
});
afterAll(async () => {
  await rt.close();
  await community.close();
});

describe('§8.5 scenario 6: POST /internal/user-merged', () => {
  it('keeps the higher score per community, sums events, re-keys events, and is idempotent', async () => {
    for (let i = 0; i < 3; i++) await processEvent('m-u1', 'twitch:1001');
    clock().advance(5000);
    for (let i = 0; i < 2; i++) await processEvent('m-u2', 'twitch:1001');
    await processEvent('m-u2', 'twitch:2002');
    const latest = clock().now().toISOString();
    const put = (c: number, u: string, s: number) =>
      call(app, 'PUT', `/reputation/${c}/user/${u}`, { score: s, reason: 'setup' });
    await put(7, 'm-u1', 640);
    await put(7, 'm-u2', 612);
    await put(9, 'm-u2', 650);
    // A row held under the platform key while identity was unavailable merges too.
    await call(app, 'POST', '/reputation/process', {
      user_id: '31',
      uid: null,
      entity_id: 'twitch:3003',
      event_name: 'raid',
    });

    const body = {
      from_uid: 'm-u2',
      into_uid: 'm-u1',
      identities: [{ platform: 'twitch', platform_user_id: '31' }],
    };
    const res = await call(app, 'POST', '/internal/user-merged', body);
    expect(res.body).toEqual({ success: true, data: { merged: true } });

    const rows = await rowsOf('m-u1');
    expect(rows.map((r) => [r.community_id, Number(r.current_score), r.total_events])).toEqual([
      [1, 603, 7],
      [7, 640, 6],
      [9, 650, 1],
    ]);
    expect(new Date(rows[1]!.last_activity!).toISOString()).toBe(latest);
    expect(await rowsOf('m-u2')).toEqual([]);
    expect(await rowsOf('twitch:31')).toEqual([]);
    const leftover = await db()
      .selectFrom('reputation_events')
      .select('id')
      .where('user_id', 'in', ['m-u2', 'twitch:31'])
      .execute();
    expect(leftover).toEqual([]);
    const events = await call(app, 'GET', '/reputation/events/m-u1?limit=200');
    expect(events.body.data.total).toBe(3 * 2 + 2 * 2 + 2 + 3 + 2);

    const snapshot = await rowsOf('m-u1');
    expect((await call(app, 'POST', '/internal/user-merged', body)).status).toBe(200);
    expect(await rowsOf('m-u1')).toEqual(snapshot);
  });

  it('a merge into itself or of an unknown uid changes nothing', async () => {
    await processEvent('solo', 'twitch:1001');
    const before = await rowsOf('solo');
    expect(
      (await call(app, 'POST', '/internal/user-merged', { from_uid: 'solo', into_uid: 'solo' })).status,
    ).toBe(200);
    expect(
      (await call(app, 'POST', '/internal/user-merged', { from_uid: 'ghost', into_uid: 'solo' })).status,
    ).toBe(200);
    expect(await rowsOf('solo')).toEqual(before);
    expect((await call(app, 'POST', '/internal/user-merged', { into_uid: 'solo' })).status).toBe(400);
  });
});

describe('community service outages', () => {
  it('caches entity → community for 60 s', async () => {
    const calls = () => community.calls('GET', /\/entities\/twitch(:|%3A)2002\/community/).length;
    await processEvent('c1', 'twitch:2002');
    const first = calls();
    await processEvent('c1', 'twitch:2002');
    expect(calls()).toBe(first);
    clock().advance(61_000);
    await processEvent('c1', 'twitch:2002');
    expect(calls()).toBe(first + 1);
  });

  it('uses the last known community while the service is down, else books Global only', async () => {
    await processEvent('c2', 'twitch:1001');
    clock().advance(120_000);
    communityDown = true;
    try {
      const known = await processEvent('c2', 'twitch:1001');
      expect(known.status).toBe(200);
      expect(known.body.data).toMatchObject({ applied: true, community_id: 7 });
      expect(known.body.data.community_resolved).toBeUndefined();

      const unknown = await call(app, 'POST', '/reputation/process', {
        user_id: '1',
        uid: 'c3',
        entity_id: 'discord:55:66',
        event_name: 'follow',
      });
      expect(unknown.status).toBe(200);
      expect(unknown.body.data).toMatchObject({
        applied: true,
        community_id: 1,
        new_score: 601,
        global: { new_score: 601 },
        community_resolved: false,
      });
      expect((await rowsOf('c3')).map((r) => r.community_id)).toEqual([1]);
      // The outage answer is not cached: once the service is back, the entity resolves.
      communityDown = false;
      ENTITY_COMMUNITY['discord:55:66'] = 9;
      const back = await call(app, 'POST', '/reputation/process', {
        user_id: '1',
        uid: 'c3',
        entity_id: 'discord:55:66',
        event_name: 'follow',
      });
      expect(back.body.data).toMatchObject({ community_id: 9, global: { new_score: 602 } });
    } finally {
      communityDown = false;
    }
  });
});
