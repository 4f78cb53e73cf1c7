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
import { credentials, eventually } from './labels-http.js';

let rt: TestRuntime;
let identity: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let h: ReturnType<typeof credentials>;
const db = () => rt.db.database.forSchema('labels');

const labelId = async (name: string, category = 'user') => {
  const res = await call(app, 'POST', '/labels', { name, category, created_by: 'u1' });
  expect(res.status).toBe(201);
  return res.body.data.label_id as number;
};
const group = async (body: Record<string, unknown> = {}) => {
  const res = await call(app, 'POST', '/entitygroups', {
    entity_id: '555000',
    platform: 'discord',
    group_type: 'role',
    group_id: 'r-1',
    group_name: 'Regulars',
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body.data.entity_group_id as number;
};
const members = (groupId: number) =>
  db()
    .selectFrom('platform_role_group_members')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('is_active', '=', true)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  identity = await startFakeServer();
  identity.on('GET', '/identity/user/311', {
    status: 200,
    body: {
      success: true,
      data: {
        user_id: '311',
        identities: [
          { platform: 'discord', platform_id: 'd-311', platform_username: 'alice' },
          { platform: 'twitch', platform_id: 't-311', platform_username: 'alice' },
        ],
      },
    },
  });
  identity.on('GET', '/identity/user/312', {
    status: 200,
    body: {
      success: true,
      data: { user_id: '312', identities: [{ platform: 'twitch', platform_id: 't-312' }] },
    },
  });
  identity.on('GET', '/identity/user/313', { status: 500, body: { error: 'boom' } });
  rt = await createTestRuntime({ env: { IDENTITY_URL: identity.url } });
  app = (await rt.add(service)).app;
  h = credentials(rt);
});
afterAll(async () => {
  await rt.close();
  await identity.close();
});

describe('entity groups', () => {
  it('creates and lists groups, filtered by entity and platform', async () => {
    const id = await group({ entity_id: 'g-list', group_type: 'vip', group_name: 'VIPs' });
    await group({
      entity_id: 'g-list',
      platform: 'twitch',
      group_type: 'moderator',
      group_id: 'mods',
      group_name: 'Mods',
    });
    const all = await call(app, 'GET', '/entitygroups?entity_id=g-list', undefined, h.svc);
    expect(all.status).toBe(200);
    expect(all.body.data.groups).toHaveLength(2);
    const discord = await call(
      app,
      'GET',
      '/entitygroups?entity_id=g-list&platform=discord',
      undefined,
      h.svc,
    );
    expect(discord.body.data.groups).toEqual([
      expect.objectContaining({
        id,
        entity_id: 'g-list',
        platform: 'discord',
        group_type: 'vip',
        group_name: 'VIPs',
        is_auto_assign: false,
        auto_assign_rules: [],
        member_count: 0,
      }),
    ]);
    expect((await call(app, 'GET', '/entitygroups?platform=myspace', undefined, h.svc)).status).toBe(400);
  });

  it('validates a new group and writes nothing on bad input', async () => {
    for (const body of [
      { platform: 'discord', group_type: 'role', group_id: 'x', group_name: 'x' },
      { entity_id: 'bad', platform: 'myspace', group_type: 'role', group_id: 'x', group_name: 'x' },
      { entity_id: 'bad', platform: 'discord', group_type: 'king', group_id: 'x', group_name: 'x' },
      {
        entity_id: 'bad',
        platform: 'discord',
        group_type: 'role',
        group_id: 'x',
        group_name: 'x',
        auto_assign_rules: [{ label_id: 'x' }],
      },
    ]) {
      const res = await call(app, 'POST', '/entitygroups', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(
      await db().selectFrom('platform_role_groups').select('id').where('entity_id', '=', 'bad').execute(),
    ).toEqual([]);
  });

  it('assigns members singly and in bulk, refuses duplicates and removes them', async () => {
    const id = await group({ entity_id: 'g-assign' });
    const one = await call(app, 'POST', '/entitygroups/assign', {
      entity_group_id: id,
      user_id: '311',
      platform_id: 'd-311',
      assigned_by: 'admin1',
    });
    expect(one.status).toBe(201);
    expect(one.body.data.member_id).toEqual(expect.any(Number));
    const dup = await call(app, 'POST', '/entitygroups/assign', {
      entity_group_id: id,
      user_id: '311',
      platform_id: 'd-311',
      assigned_by: 'a',
    });
    expect(dup.status).toBe(409);
    const missing = await call(app, 'POST', '/entitygroups/assign', {
      entity_group_id: 999_999,
      user_id: '1',
      platform_id: '1',
      assigned_by: 'a',
    });
    expect(missing.status).toBe(404);
    const bad = await call(app, 'POST', '/entitygroups/assign', {
      entity_group_id: id,
      user_id: '1',
      platform_id: '1',
      assigned_by: 'a',
      assigned_reason: 'whim',
    });
    expect(bad.status).toBe(400);

    const bulk = await call(app, 'POST', '/entitygroups/assign', [
      { entity_group_id: id, user_id: '400', platform_id: 'd-400', assigned_by: 'a' },
      { entity_group_id: id, user_id: '311', platform_id: 'd-311', assigned_by: 'a' },
      {
        entity_group_id: id,
        user_id: '401',
        platform_id: 'd-401',
        assigned_by: 'a',
        assigned_reason: 'manual',
      },
    ]);
    expect(bulk.status).toBe(200);
    expect(bulk.body.data.summary).toEqual({ total: 3, successful: 2, failed: 1 });
    const rows = await members(id);
    expect(rows.map((r) => [r.user_id, r.assigned_reason])).toEqual([
      ['311', 'manual'],
      ['400', 'bulk'],
      ['401', 'manual'],
    ]);
    expect(
      (await call(app, 'GET', '/entitygroups?entity_id=g-assign', undefined, h.svc)).body.data.groups[0]
        .member_count,
    ).toBe(3);

    const removed = await call(app, 'DELETE', `/entitygroups/${id}/members/400`, undefined, h.svc);
    expect(removed.body).toEqual({ success: true, data: { removed: true } });
    expect((await call(app, 'DELETE', `/entitygroups/${id}/members/400`, undefined, h.svc)).status).toBe(404);
    expect((await call(app, 'DELETE', `/entitygroups/999999/members/311`, undefined, h.svc)).status).toBe(
      404,
    );
    expect((await members(id)).map((r) => r.user_id)).toEqual(['311', '401']);

    const hook = rt.logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.action === 'platform_role_grant' && l.group_id === 'r-1');
    expect(hook.length).toBeGreaterThanOrEqual(3);
  });

  it('entity groups are for trusted services and platform administrators only', async () => {
    const id = await group({ entity_id: 'g-jwt' });
    const body = {
      entity_id: 'g-jwt2',
      platform: 'discord',
      group_type: 'role',
      group_id: 'x',
      group_name: 'x',
    };
    expect((await call(app, 'POST', '/entitygroups', body, h.asUser('311'))).status).toBe(403);
    expect(
      (
        await call(
          app,
          'POST',
          '/entitygroups/assign',
          { entity_group_id: id, user_id: '9', platform_id: '9' },
          h.asUser('311'),
        )
      ).status,
    ).toBe(403);
    expect(
      (await call(app, 'DELETE', `/entitygroups/${id}/members/9`, undefined, h.asUser('311'))).status,
    ).toBe(403);
    const asAdmin = await call(
      app,
      'POST',
      '/entitygroups/assign',
      { entity_group_id: id, user_id: '9', platform_id: '9', assigned_by: 'forged' },
      h.asUser('1', ['admin']),
    );
    expect(asAdmin.status).toBe(201);
    expect((await members(id))[0]!.assigned_by).toBe('1');
  });
});

describe('auto-assignment after a user label', () => {
  it('adds the user to every matching auto-assign group on a platform where they have an account', async () => {
    const regular = await labelId('regular');
    const other = await labelId('unrelated');
    const discordGroup = await group({
      entity_id: 'g-auto',
      is_auto_assign: true,
      auto_assign_rules: [{ label_id: regular }],
    });
    const twitchGroup = await group({
      entity_id: 'g-auto',
      platform: 'twitch',
      group_type: 'vip',
      is_auto_assign: true,
      auto_assign_rules: [{ label_id: other }, { label_id: regular }],
    });
    const slackGroup = await group({
      entity_id: 'g-auto',
      platform: 'slack',
      is_auto_assign: true,
      auto_assign_rules: [{ label_id: regular }],
    });
    const manualGroup = await group({
      entity_id: 'g-auto',
      is_auto_assign: false,
      auto_assign_rules: [{ label_id: regular }],
    });

    const res = await call(app, 'POST', '/labels/apply', {
      entity_id: '311',
      entity_type: 'user',
      label_id: regular,
      applied_by: 'm',
      community_id: 7,
    });
    expect(res.status).toBe(201);
    const [d] = await eventually(async () => {
      const rows = await members(discordGroup);
      return rows.length > 0 && (await members(twitchGroup)).length > 0 && rows;
    });
    expect(d).toMatchObject({
      user_id: '311',
      platform_id: 'd-311',
      assigned_by: 'system',
      assigned_reason: 'auto_label',
    });
    expect((await members(twitchGroup))[0]).toMatchObject({
      platform_id: 't-311',
      assigned_reason: 'auto_label',
    });
    expect(await members(slackGroup)).toEqual([]);
    expect(await members(manualGroup)).toEqual([]);
    await eventually(async () =>
      rt.logLines.some((l) => l.includes('platform_role_grant') && l.includes('"user":"311"')),
    );

    // A user key without a uid carries its platform id; no identity call is needed.
    const res2 = await call(app, 'POST', '/labels/apply', {
      entity_id: 'discord:777',
      entity_type: 'user',
      label_id: regular,
      applied_by: 'm',
    });
    expect(res2.status).toBe(201);
    await eventually(async () =>
      (await members(discordGroup)).some((m) => m.user_id === 'discord:777' && m.platform_id === '777'),
    );
    expect(identity.calls('GET', '/identity/user/discord:777')).toEqual([]);
  });

  it('an identity failure skips the group and leaves the label applied', async () => {
    const tag = await labelId('flaky-identity');
    const g = await group({
      entity_id: 'g-flaky',
      is_auto_assign: true,
      auto_assign_rules: [{ label_id: tag }],
    });
    const res = await call(app, 'POST', '/labels/apply', {
      entity_id: '313',
      entity_type: 'user',
      label_id: tag,
      applied_by: 'm',
    });
    expect(res.status).toBe(201);
    await eventually(async () => identity.calls('GET', '/identity/user/313').length > 0);
    await eventually(async () => rt.logLines.some((l) => l.includes('auto-assign skipped')));
    expect(await members(g)).toEqual([]);
    expect((await call(app, 'GET', '/entity/user/313/labels', undefined, h.svc)).body.data.total).toBe(1);
  });
});

describe('POST /internal/user-merged', () => {
  it('moves user assignments and memberships, drops duplicates, is idempotent', async () => {
    const a = await labelId('merge-a');
    const b = await labelId('merge-b');
    const apply = (entity: string, label: number, community?: number) =>
      call(app, 'POST', '/labels/apply', {
        entity_id: entity,
        entity_type: 'user',
        label_id: label,
        applied_by: 'm',
        community_id: community,
      });
    expect((await apply('2001', a, 7)).status).toBe(201); // duplicate of the survivor's
    expect((await apply('2001', b, 7)).status).toBe(201);
    expect((await apply('2001', a, 9)).status).toBe(201);
    expect((await apply('twitch:2001', b)).status).toBe(201); // held under the platform key
    expect((await apply('2000', a, 7)).status).toBe(201);
    const g = await group({ entity_id: 'g-merge' });
    for (const user of ['2001', '2000'])
      await call(app, 'POST', '/entitygroups/assign', {
        entity_group_id: g,
        user_id: user,
        platform_id: user,
        assigned_by: 'a',
      });

    const body = {
      from_uid: '2001',
      into_uid: '2000',
      identities: [{ platform: 'twitch', platform_user_id: '2001' }],
    };
    const res = await call(app, 'POST', '/internal/user-merged', body);
    expect(res.body).toEqual({ success: true, data: { merged: true } });

    const labelsOf = async (entity: string, community?: number) =>
      (
        await call(
          app,
          'GET',
          `/entity/user/${entity}/labels${community ? `?community_id=${community}` : ''}`,
          undefined,
          h.svc,
        )
      ).body.data.labels
        .map((l: { label_name: string; community_id: string | null }) => `${l.label_name}@${l.community_id}`)
        .sort();
    expect(await labelsOf('2000')).toEqual(['merge-a@7', 'merge-a@9', 'merge-b@7', 'merge-b@null']);
    expect(await labelsOf('2001')).toEqual([]);
    expect(await labelsOf(encodeURIComponent('twitch:2001'))).toEqual([]);
    expect((await members(g)).map((m) => m.user_id)).toEqual(['2000']);

    const snapshot = await db().selectFrom('entity_labels').selectAll().orderBy('id').execute();
    expect((await call(app, 'POST', '/internal/user-merged', body)).status).toBe(200);
    expect(await db().selectFrom('entity_labels').selectAll().orderBy('id').execute()).toEqual(snapshot);
  });

  it('rejects a malformed notice', async () => {
    expect((await call(app, 'POST', '/internal/user-merged', { from_uid: '1' })).status).toBe(400);
    expect((await call(app, 'POST', '/internal/user-merged', 'nope')).status).toBe(400);
  });
});

describe('expiry sweep of memberships', () => {
  it('retires memberships past their expiry', async () => {
    const g = await group({ entity_id: 'g-expiry' });
    const clock = rt.clock as FakeClock;
    const expires_at = new Date(clock.nowMs() + 60_000).toISOString();
    expect(
      (
        await call(app, 'POST', '/entitygroups/assign', {
          entity_group_id: g,
          user_id: 'e1',
          platform_id: 'e1',
          assigned_by: 'a',
          expires_at,
        })
      ).status,
    ).toBe(201);
    clock.advance(120_000);
    const { expireAssignments } = await import('../src/label-assignments.js');
    await expireAssignments({ db: db() as never, clock });
    expect(await members(g)).toEqual([]);
    // Expired members can be assigned again.
    expect(
      (
        await call(app, 'POST', '/entitygroups/assign', {
          entity_group_id: g,
          user_id: 'e1',
          platform_id: 'e1',
          assigned_by: 'a',
        })
      ).status,
    ).toBe(201);
  });
});
