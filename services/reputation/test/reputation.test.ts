import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '@waddlebot/core';
import {
  FakeClock,
  TEST_SECRET_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';

let rt: TestRuntime;
let community: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];

/** twitch:1001 and discord:9:1 are in community 7, twitch:2002 in 9, anything else in none. */
const ENTITY_COMMUNITY: Record<string, number> = { 'twitch:1001': 7, 'discord:9:1': 7, 'twitch:2002': 9 };
/** Stored roles the fake community service reports: (user, community) → role. */
const ROLES: Record<string, string> = {
  '900@7': 'admin',
  '901@7': 'member',
  '902@7': 'moderator',
  '900@9': 'member',
};

const jwtFor = (uid: string, roles: string[] = []) =>
  signJwt({ sub: uid, username: `user${uid}`, roles }, TEST_SECRET_KEY, { now: rt.clock.now() });
const asUser = (uid: string, roles: string[] = []) => ({
  Authorization: `Bearer ${jwtFor(uid, roles)}`,
  'Content-Type': 'application/json',
});
const noKey = { 'Content-Type': 'application/json' };
const wrongKey = serviceHeaders({ 'X-Service-Key': 'y'.repeat(44) });
const db = () => rt.db.database.forSchema('reputation');

const processEvent = (body: Record<string, unknown>) => call(app, 'POST', '/reputation/process', body);
const event = (user: string, event_name: string, extra: Record<string, unknown> = {}) =>
  processEvent({ user_id: `p-${user}`, uid: user, entity_id: 'twitch:1001', event_name, ...extra });
const score = async (user: string, communityId: number) =>
  (await call(app, 'GET', `/reputation/user/${encodeURIComponent(user)}?community_id=${communityId}`)).body
    .data;

beforeAll(async () => {
  community = await startFakeServer();
  community.on('GET', /^\/entities\/[^/]+\/community$/, (req) => {
    const entity = decodeURIComponent(req.path.split('/')[2]!);
    const id = ENTITY_COMMUNITY[entity];
    return id
      ? { status: 200, body: { success: true, data: { community_id: id, community_name: `C${id}` } } }
      : { status: 404, body: { success: false, error: { code: 'NOT_FOUND', message: 'none' } } };
  });
  community.on('GET', /^\/communities\/\d+$/, (req) => ({
    status: 200,
    body: {
      success: true,
      data: { id: Number(req.path.split('/')[2]), name: `Community ${req.path.split('/')[2]}` },
    },
  }));
  community.on('GET', /^\/users\/[^/]+\/communities\/\d+\/role$/, (req) => {
    const [, , user, , id] = req.path.split('/');
    return { status: 200, body: { success: true, data: { role: ROLES[`${user}@${id}`] ?? null } } };
  });
  rt = await createTestRuntime({ env: { COMMUNITY_URL: community.url } });
  app = (await rt.add(service)).app;
});
afterAll(async () => {
  await rt.close();
  await community.close();
});

describe('authentication on every route', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/reputation/process', { user_id: '1', entity_id: 'twitch:1', event_name: 'follow' }],
    ['GET', '/reputation/user/u1'],
    ['GET', '/reputation/leaderboard/7'],
    ['GET', '/reputation/events/u1'],
    ['GET', '/reputation/scoring/7'],
    ['POST', '/reputation/scoring/7', { event_name: 'follow', event_score: 2 }],
    ['DELETE', '/reputation/scoring/7/follow'],
    ['PUT', '/reputation/7/user/u1', { score: 700, reason: 'x' }],
    ['GET', '/reputation/stats/7'],
    ['POST', '/init'],
    ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2' }],
  ];
  it.each(routes)('%s %s', async (method, path, body) => {
    const none = await call(app, method, path, body, noKey);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, method, path, body, wrongKey);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });

  it('service-only routes refuse a JWT', async () => {
    for (const [method, path, body] of [
      ['POST', '/reputation/process', { user_id: '1', entity_id: 'twitch:1', event_name: 'follow' }],
      ['POST', '/init', undefined],
      ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2' }],
    ] as const)
      expect((await call(app, method, path, body, asUser('900', ['admin']))).status).toBe(401);
  });

  it('health, alias and metrics need no credential', async () => {
    expect((await call(app, 'GET', '/healthz', undefined, noKey)).status).toBe(200);
    expect((await call(app, 'GET', '/health', undefined, noKey)).body.status).toBe('healthy');
    await processEvent({ user_id: '1', uid: 'metrics', entity_id: 'slack:T9:C9', event_name: 'voice_join' });
    const metrics = await app.request('/metrics');
    const text = await metrics.text();
    expect(text).toMatch(/reputation_events_total\{outcome="no_weight"[^}]*\} 1/);
  });

  it('the tier table is public', async () => {
    const res = await call(app, 'GET', '/reputation/tiers', undefined, noKey);
    expect(res.status).toBe(200);
    expect(res.body.data.tiers).toEqual([
      { tier: 'exceptional', min_score: 800, max_score: 850 },
      { tier: 'very_good', min_score: 740, max_score: 799 },
      { tier: 'good', min_score: 670, max_score: 739 },
      { tier: 'fair', min_score: 580, max_score: 669 },
      { tier: 'poor', min_score: 300, max_score: 579 },
    ]);
  });
});

describe('§8.5 scenario 1: a follow moves the community and Global', () => {
  it('books +1 in community 7 and Global, keyed by uid, else by platform key', async () => {
    const res = await processEvent({
      user_id: '555',
      uid: 'u1',
      entity_id: 'twitch:1001',
      event_name: 'follow',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      applied: true,
      user_id: 'u1',
      community_id: 7,
      event_name: 'follow',
      event_score: 1,
      previous_score: 600,
      new_score: 601,
      tier: 'fair',
      total_events: 1,
      global: { previous_score: 600, new_score: 601 },
    });
    const rows = await db()
      .selectFrom('user_reputation')
      .selectAll()
      .where('user_id', '=', 'u1')
      .orderBy('community_id')
      .execute();
    expect(rows.map((r) => [r.community_id, Number(r.current_score)])).toEqual([
      [1, 601],
      [7, 601],
    ]);

    const anon = await processEvent({
      user_id: '555',
      uid: null,
      entity_id: 'twitch:1001',
      event_name: 'follow',
    });
    expect(anon.body.data.user_id).toBe('twitch:555');
    const keyed = await db()
      .selectFrom('user_reputation')
      .select('community_id')
      .where('user_id', '=', 'twitch:555')
      .execute();
    expect(keyed.map((r) => r.community_id).sort()).toEqual([1, 7]);
    const byKey = await call(
      app,
      'GET',
      `/reputation/user/${encodeURIComponent('twitch:555')}?community_id=7`,
    );
    expect(byKey.body.data).toMatchObject({ user_id: 'twitch:555', current_score: 601, total_events: 1 });
    // The platform field wins over the entity prefix.
    const named = await processEvent({
      user_id: '77',
      entity_id: 'discord:9:1',
      platform: 'discord',
      event_name: 'follow',
    });
    expect(named.body.data.user_id).toBe('discord:77');
  });

  it('an entity in no community updates Global only', async () => {
    const res = await processEvent({
      user_id: '1',
      uid: 'lonely',
      entity_id: 'slack:T1:C1',
      event_name: 'raid',
    });
    expect(res.body.data).toMatchObject({
      applied: true,
      community_id: 1,
      event_score: 2,
      new_score: 602,
      global: { new_score: 602 },
    });
    const rows = await db()
      .selectFrom('user_reputation')
      .select('community_id')
      .where('user_id', '=', 'lonely')
      .execute();
    expect(rows).toEqual([{ community_id: 1 }]);
    const events = await db()
      .selectFrom('reputation_events')
      .select('community_id')
      .where('user_id', '=', 'lonely')
      .execute();
    expect(events).toEqual([{ community_id: 1 }]);
  });

  it('accepts exactly what the router sends', async () => {
    // services/router/src/reputation.ts: chatMessage → message, subscription → sub, metadata copied.
    const body = {
      user_id: '4242',
      uid: 'router-user',
      platform: 'twitch',
      entity_id: 'twitch:1001',
      event_name: 'message',
      event_data: {
        platform: 'twitch',
        server_id: '1001',
        channel_id: '',
        message_content: 'hello',
        timestamp: '2025-11-20T18:00:00Z',
      },
    };
    const res = await processEvent(body);
    expect(res.body.data).toMatchObject({ applied: true, event_name: 'chat_message', event_score: 0.01 });
    const sub = await processEvent({
      ...body,
      event_name: 'sub',
      event_data: { ...body.event_data, message_content: '' },
    });
    expect(sub.body.data).toMatchObject({ event_name: 'subscription', event_score: 5 });
    const cheer = await processEvent({
      ...body,
      event_name: 'cheer',
      event_data: { ...body.event_data, bits: 250 },
    });
    expect(cheer.body.data).toMatchObject({ event_name: 'cheer', event_score: 2.5 });
  });
});

describe('§8.5 scenario 2–3: weights, multipliers and clamping', () => {
  it('cheer +bits/100, donation +amount, message +0.01 visible only in raw_score', async () => {
    await event('u2', 'follow'); // 601
    expect((await event('u2', 'cheer', { event_data: { bits: 500 } })).body.data).toMatchObject({
      event_score: 5,
      new_score: 606,
    });
    expect((await event('u2', 'donation', { event_data: { amount: 10 } })).body.data).toMatchObject({
      event_score: 10,
      new_score: 616,
    });
    const msg = await event('u2', 'chatMessage');
    expect(msg.body.data).toMatchObject({ event_name: 'chat_message', event_score: 0.01, new_score: 616.01 });
    const read = await score('u2', 7);
    expect(read).toMatchObject({
      user_id: 'u2',
      community_id: 7,
      current_score: 616,
      raw_score: 616.01,
      tier: 'fair',
      total_events: 4,
    });
    expect(read.last_activity).toBe(rt.clock.now().toISOString());
  });

  it('subscription tiers, gifts, command use and giveaways', async () => {
    expect((await event('u3', 'sub', { event_data: { tier: '2000' } })).body.data).toMatchObject({
      event_name: 'subscription_tier2',
      event_score: 10,
    });
    expect((await event('u3', 'resub', { event_data: { tier: 3 } })).body.data).toMatchObject({
      event_name: 'subscription_tier3',
      event_score: 20,
    });
    expect((await event('u3', 'subgift', { event_data: { count: 4 } })).body.data).toMatchObject({
      event_name: 'gift_subscription',
      event_score: 12,
    });
    expect((await event('u3', 'subgift')).body.data).toMatchObject({ event_score: 3 });
    expect((await event('u3', 'slashCommand')).body.data).toMatchObject({
      event_name: 'command_usage',
      event_score: -0.1,
    });
    expect((await event('u3', 'giveaway')).body.data).toMatchObject({
      event_name: 'giveaway_entry',
      event_score: -1,
    });
    expect((await event('u3', 'boost')).body.data).toMatchObject({ event_score: 5 });
  });

  it('a ban drops into poor; further bans stop at 300', async () => {
    await event('u4', 'donation', { event_data: { amount: 16 } }); // 616
    const ban = await event('u4', 'ban');
    expect(ban.body.data).toMatchObject({
      event_score: -200,
      previous_score: 616,
      new_score: 416,
      tier: 'poor',
    });
    for (let i = 0; i < 5; i++) await event('u4', 'ban');
    expect(await score('u4', 7)).toMatchObject({ current_score: 300, tier: 'poor', total_events: 7 });
    const last = await db()
      .selectFrom('reputation_events')
      .selectAll()
      .where('user_id', '=', 'u4')
      .where('community_id', '=', 7)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // The event keeps the delta before clamping.
    expect([Number(last.event_score), Number(last.previous_score), Number(last.new_score)]).toEqual([
      -200, 300, 300,
    ]);
    expect((await event('u4', 'warn')).body.data).toMatchObject({ new_score: 300 });
    // The top is clamped too.
    await event('u5', 'donation', { event_data: { amount: 5000 } });
    expect(await score('u5', 7)).toMatchObject({ current_score: 850, tier: 'exceptional' });
  });

  it('tiers follow the shown score', async () => {
    await call(app, 'PUT', '/reputation/7/user/tiered', { score: 739.6, reason: 'test' });
    expect(await score('tiered', 7)).toMatchObject({ current_score: 740, tier: 'very_good' });
    await call(app, 'PUT', '/reputation/7/user/tiered', { score: 670, reason: 'test' });
    expect((await score('tiered', 7)).tier).toBe('good');
  });
});

describe('§8.5 scenario 4: unweighted events and bad input', () => {
  it('voice_join is not weighted and writes nothing', async () => {
    const before = await db()
      .selectFrom('reputation_events')
      .select(db().fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    for (const name of ['voice_join', 'reaction', 'member_join', 'file_share']) {
      const res = await event('u6', name);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ applied: false, reason: 'no_weight' });
    }
    // A cheer without bits moves nothing either.
    expect((await event('u6', 'cheer')).body.data).toEqual({ applied: false, reason: 'no_weight' });
    const after = await db()
      .selectFrom('reputation_events')
      .select(db().fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(
      await db().selectFrom('user_reputation').select('id').where('user_id', '=', 'u6').execute(),
    ).toEqual([]);
  });

  it('missing or malformed fields are 400 with nothing written', async () => {
    for (const body of [
      { user_id: '1', uid: 'bad', event_name: 'follow' },
      { uid: 'bad', entity_id: 'twitch:1001', event_name: 'follow' },
      { user_id: '1', uid: 'bad', entity_id: 'twitch:1001' },
      { user_id: '1', uid: 'bad', entity_id: 'nowhere', event_name: 'follow' },
      { user_id: '1', uid: 'bad', entity_id: 'twitch:1001', event_name: 'follow', event_data: 'x' },
      { user_id: '', uid: 'bad', entity_id: 'twitch:1001', event_name: 'follow' },
    ]) {
      const res = await processEvent(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect((await processEvent('{"user_id":' as never)).status).toBe(400);
    expect(
      await db().selectFrom('user_reputation').select('id').where('user_id', '=', 'bad').execute(),
    ).toEqual([]);
  });

  it('the read routes validate their parameters', async () => {
    for (const path of [
      '/reputation/user/u1?community_id=abc',
      '/reputation/user/u1?community_id=0',
      '/reputation/leaderboard/abc',
      '/reputation/leaderboard/7?limit=x',
      '/reputation/leaderboard/7?limit=0',
      '/reputation/events/u1?limit=-1',
      '/reputation/events/u1?community_id=1.5',
      '/reputation/scoring/seven',
      '/reputation/stats/-7',
    ]) {
      const res = await call(app, 'GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('§8.5 scenario 5: community rules', () => {
  it('a custom weight applies in its community only, and can be reverted', async () => {
    const set = await call(app, 'POST', '/reputation/scoring/7', {
      event_name: 'follow',
      event_score: 3,
      description: 'Follows count more',
    });
    expect(set.status).toBe(200);
    expect(set.body.data.rule).toMatchObject({
      event_name: 'follow',
      event_score: 3,
      community_id: 7,
      description: 'Follows count more',
      created_by: 'service',
    });
    const update = await call(app, 'POST', '/reputation/scoring/7', { event_name: 'follow', event_score: 3 });
    expect(update.body.data.rule.id).toBe(set.body.data.rule.id);

    const res = await event('u7', 'follow');
    expect(res.body.data).toMatchObject({ event_score: 3, new_score: 603, global: { new_score: 601 } });
    const other = await processEvent({
      user_id: '1',
      uid: 'u7',
      entity_id: 'twitch:2002',
      event_name: 'follow',
    });
    expect(other.body.data).toMatchObject({ community_id: 9, event_score: 1 });

    const rules = await call(app, 'GET', '/reputation/scoring/7');
    const follow = rules.body.data.scoring_rules.find(
      (r: { event_name: string }) => r.event_name === 'follow',
    );
    expect(follow).toMatchObject({ id: set.body.data.rule.id, event_score: 3, source: 'custom' });
    const ban = rules.body.data.scoring_rules.find((r: { event_name: string }) => r.event_name === 'ban');
    expect(ban).toMatchObject({ event_score: -200, source: 'default' });
    expect(rules.body.data.total).toBe(rules.body.data.scoring_rules.length);
    const in9 = await call(app, 'GET', '/reputation/scoring/9');
    expect(in9.body.data.scoring_rules.every((r: { source: string }) => r.source === 'default')).toBe(true);

    const reverted = await call(app, 'DELETE', '/reputation/scoring/7/follow');
    expect(reverted.body).toEqual({ success: true, data: { reverted_to_default: true } });
    expect((await call(app, 'DELETE', '/reputation/scoring/7/follow')).status).toBe(404);
    expect((await event('u7', 'follow')).body.data).toMatchObject({ event_score: 1 });
  });

  it('a zero weight for a community still books the Global part', async () => {
    await call(app, 'POST', '/reputation/scoring/9', { event_name: 'raid', event_score: 0 });
    const res = await processEvent({ user_id: '1', uid: 'u8', entity_id: 'twitch:2002', event_name: 'raid' });
    expect(res.body.data).toMatchObject({
      applied: true,
      community_id: 9,
      event_score: 0,
      new_score: 600,
      global: { new_score: 602 },
    });
  });

  it('refuses bad rules', async () => {
    for (const body of [
      { event_name: 'voice_join', event_score: 1 },
      { event_name: 'follow', event_score: 1001 },
      { event_name: 'follow', event_score: '3' },
      { event_score: 3 },
    ]) {
      const res = await call(app, 'POST', '/reputation/scoring/7', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('caps the leaderboard limit at 100 and orders by score, then recent activity', async () => {
    const res = await call(app, 'GET', '/reputation/leaderboard/7?limit=500');
    expect(res.status).toBe(200);
    expect(res.body.data.limit).toBe(100);
    const board = res.body.data.leaderboard as { rank: number; current_score: number; user_id: string }[];
    expect(board[0]).toMatchObject({ rank: 1, user_id: 'u5', current_score: 850, tier: 'exceptional' });
    for (let i = 1; i < board.length; i++)
      expect(board[i]!.current_score).toBeLessThanOrEqual(board[i - 1]!.current_score);
    expect((await call(app, 'GET', '/reputation/leaderboard/7')).body.data.limit).toBe(10);
    expect((await call(app, 'GET', '/reputation/leaderboard/7?limit=2')).body.data.leaderboard).toHaveLength(
      2,
    );
    expect((await call(app, 'GET', '/reputation/leaderboard/4444')).body.data.leaderboard).toEqual([]);

    // Equal scores: the more recent activity ranks first.
    const clock = rt.clock as FakeClock;
    await processEvent({ user_id: '1', uid: 'tie-a', entity_id: 'twitch:9999', event_name: 'follow' });
    clock.advance(1000);
    await processEvent({ user_id: '1', uid: 'tie-b', entity_id: 'twitch:9999', event_name: 'follow' });
    const global = (await call(app, 'GET', '/reputation/leaderboard/1?limit=100')).body.data.leaderboard as {
      user_id: string;
    }[];
    const ties = global.filter((r) => r.user_id.startsWith('tie-')).map((r) => r.user_id);
    expect(ties).toEqual(['tie-b', 'tie-a']);
  });
});

describe('reads', () => {
  it('a user without rows reads as the default', async () => {
    expect(await score('nobody', 7)).toEqual({
      user_id: 'nobody',
      community_id: 7,
      current_score: 600,
      raw_score: 600,
      tier: 'fair',
      total_events: 0,
      last_activity: null,
    });
    expect((await call(app, 'GET', '/reputation/user/nobody')).body.data).toEqual({
      user_id: 'nobody',
      communities: {},
    });
  });

  it('all communities of a user, with names', async () => {
    await processEvent({ user_id: '1', uid: 'multi', entity_id: 'twitch:1001', event_name: 'follow' });
    await processEvent({
      user_id: '1',
      uid: 'multi',
      entity_id: 'twitch:2002',
      event_name: 'cheer',
      event_data: { bits: 200 },
    });
    const res = await call(app, 'GET', '/reputation/user/multi');
    expect(res.body.data.user_id).toBe('multi');
    expect(res.body.data.communities).toEqual({
      '1': expect.objectContaining({
        community_name: 'Global Community',
        current_score: 603,
        tier: 'fair',
        total_events: 2,
      }),
      '7': expect.objectContaining({ community_name: 'Community 7', current_score: 601, total_events: 1 }),
      '9': expect.objectContaining({ community_name: 'Community 9', current_score: 602, total_events: 1 }),
    });
  });

  it('events newest first, by community, with a capped limit', async () => {
    const clock = rt.clock as FakeClock;
    await processEvent({
      user_id: '1',
      uid: 'ev',
      entity_id: 'twitch:1001',
      event_name: 'follow',
      event_data: { note: 1 },
    });
    clock.advance(1000);
    await processEvent({ user_id: '1', uid: 'ev', entity_id: 'twitch:1001', event_name: 'ban' });
    const all = await call(app, 'GET', '/reputation/events/ev');
    expect(all.body.data).toMatchObject({ user_id: 'ev', community_id: null, total: 4 });
    const in7 = await call(app, 'GET', '/reputation/events/ev?community_id=7');
    expect(in7.body.data.total).toBe(2);
    expect(in7.body.data.events.map((e: { event_name: string }) => e.event_name)).toEqual(['ban', 'follow']);
    expect(in7.body.data.events[1]).toMatchObject({
      event_score: 1,
      previous_score: 600,
      new_score: 601,
      entity_id: 'twitch:1001',
      community_id: 7,
      event_data: { note: 1 },
    });
    expect((await call(app, 'GET', '/reputation/events/ev?limit=1')).body.data.events).toHaveLength(1);
    expect((await call(app, 'GET', '/reputation/events/ev?limit=5000')).status).toBe(200);
  });

  it('community statistics', async () => {
    await processEvent({ user_id: '1', uid: 's1', entity_id: 'twitch:3003', event_name: 'follow' });
    const res = await call(app, 'GET', '/reputation/stats/7');
    expect(res.status).toBe(200);
    const d = res.body.data;
    expect(d.community_id).toBe(7);
    expect(d.total_users).toBeGreaterThan(3);
    expect(d.total_events).toBeGreaterThan(d.total_users);
    expect(d.score_stats.minimum).toBe(300);
    expect(d.score_stats.maximum).toBe(850);
    expect(d.top_events.length).toBeLessThanOrEqual(10);
    expect(d.top_events[0]).toEqual({ event_name: expect.any(String), count: expect.any(Number) });
    const empty = await call(app, 'GET', '/reputation/stats/5555');
    expect(empty.body.data).toEqual({
      community_id: 5555,
      total_users: 0,
      total_events: 0,
      score_stats: { average: null, minimum: null, maximum: null, total: 0 },
      top_events: [],
    });
  });

  it('init reports the Global community and is idempotent', async () => {
    const first = await call(app, 'POST', '/init');
    expect(first.body.data).toEqual({
      community_id: 1,
      name: 'Global Community',
      default_scores_count: expect.any(Number),
    });
    expect(first.body.data.default_scores_count).toBeGreaterThan(10);
    expect((await call(app, 'POST', '/init')).body).toEqual(first.body);
  });
});

describe('manual score', () => {
  it('sets a score, logs a manual_set event and validates the range', async () => {
    await event('m1', 'follow'); // 601
    const res = await call(
      app,
      'PUT',
      '/reputation/7/user/m1',
      { score: 720, reason: 'helpful' },
      serviceHeaders({ 'X-WaddleBot-User-Id': 'admin-9' }),
    );
    expect(res.body).toEqual({ success: true, data: { previous_score: 601, new_score: 720 } });
    expect(await score('m1', 7)).toMatchObject({ current_score: 720, tier: 'good', total_events: 1 });
    const events = (await call(app, 'GET', '/reputation/events/m1?community_id=7')).body.data.events;
    expect(events[0]).toMatchObject({
      event_name: 'manual_set',
      event_score: 119,
      event_data: { reason: 'helpful', set_by: 'admin-9' },
    });
    for (const body of [
      { score: 299, reason: 'x' },
      { score: 851, reason: 'x' },
      { score: 700 },
      { score: 700, reason: '' },
    ]) {
      const bad = await call(app, 'PUT', '/reputation/7/user/m1', body);
      expect(bad.status).toBe(400);
    }
    expect((await score('m1', 7)).current_score).toBe(720);
  });
});

describe('JWT access: one community never reads or changes another', () => {
  it('reads need membership of the community; Global is open to everyone', async () => {
    expect((await call(app, 'GET', '/reputation/leaderboard/7', undefined, asUser('901'))).status).toBe(200);
    expect((await call(app, 'GET', '/reputation/leaderboard/9', undefined, asUser('901'))).status).toBe(403);
    expect((await call(app, 'GET', '/reputation/leaderboard/1', undefined, asUser('901'))).status).toBe(200);
    expect((await call(app, 'GET', '/reputation/stats/9', undefined, asUser('901'))).status).toBe(403);
    expect((await call(app, 'GET', '/reputation/scoring/9', undefined, asUser('901'))).status).toBe(403);
    expect((await call(app, 'GET', '/reputation/scoring/7', undefined, asUser('901'))).status).toBe(200);
    // Their own reputation anywhere; another user's only inside a shared community.
    expect((await call(app, 'GET', '/reputation/user/901', undefined, asUser('901'))).status).toBe(200);
    expect((await call(app, 'GET', '/reputation/user/u1', undefined, asUser('901'))).status).toBe(403);
    expect(
      (await call(app, 'GET', '/reputation/user/u1?community_id=7', undefined, asUser('901'))).status,
    ).toBe(200);
    expect(
      (await call(app, 'GET', '/reputation/user/u1?community_id=9', undefined, asUser('901'))).status,
    ).toBe(403);
    expect((await call(app, 'GET', '/reputation/events/u1', undefined, asUser('901'))).status).toBe(403);
    expect(
      (await call(app, 'GET', '/reputation/events/u1?community_id=9', undefined, asUser('901'))).status,
    ).toBe(403);
    // A platform administrator reads anything.
    expect((await call(app, 'GET', '/reputation/stats/9', undefined, asUser('5', ['admin']))).status).toBe(
      200,
    );
  });

  it('changes need reputation.manage (admin) in that very community', async () => {
    const setIn7 = await call(
      app,
      'POST',
      '/reputation/scoring/7',
      { event_name: 'kick', event_score: -80 },
      asUser('900'),
    );
    expect(setIn7.status).toBe(200);
    expect(setIn7.body.data.rule.created_by).toBe('900');
    // An admin of 7 is a member of 9; a moderator of 7 lacks reputation.manage.
    expect(
      (
        await call(
          app,
          'POST',
          '/reputation/scoring/9',
          { event_name: 'kick', event_score: -80 },
          asUser('900'),
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          app,
          'POST',
          '/reputation/scoring/7',
          { event_name: 'kick', event_score: -1 },
          asUser('902'),
        )
      ).status,
    ).toBe(403);
    expect((await call(app, 'DELETE', '/reputation/scoring/7/kick', undefined, asUser('902'))).status).toBe(
      403,
    );
    expect(
      (await call(app, 'PUT', '/reputation/9/user/u1', { score: 800, reason: 'x' }, asUser('900'))).status,
    ).toBe(403);
    expect(
      (await call(app, 'PUT', '/reputation/1/user/u1', { score: 800, reason: 'x' }, asUser('900'))).status,
    ).toBe(403);
    expect(
      (
        await call(
          app,
          'POST',
          '/reputation/scoring/1',
          { event_name: 'kick', event_score: -1 },
          asUser('900'),
        )
      ).status,
    ).toBe(403);
    const rules9 = await db()
      .selectFrom('reputation_scoring')
      .select('id')
      .where('community_id', '=', 9)
      .where('event_name', '=', 'kick')
      .execute();
    expect(rules9).toEqual([]);
    expect((await score('u1', 9)).current_score).not.toBe(800);
    expect((await call(app, 'DELETE', '/reputation/scoring/7/kick', undefined, asUser('900'))).status).toBe(
      200,
    );
    expect(
      (await call(app, 'PUT', '/reputation/1/user/u1', { score: 650, reason: 'fix' }, asUser('5', ['admin'])))
        .status,
    ).toBe(200);
  });
});

describe('concurrency', () => {
  it('parallel events of one user are all counted', async () => {
    const n = 20;
    const results = await Promise.all(Array.from({ length: n }, () => event('busy', 'follow')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await score('busy', 7)).toMatchObject({ current_score: 600 + n, total_events: n });
    expect(await score('busy', 1)).toMatchObject({ current_score: 600 + n, total_events: n });
  });
});
