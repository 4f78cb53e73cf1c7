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
let community: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let h: ReturnType<typeof credentials>;
const clock = () => rt.clock as FakeClock;

const createLabel = async (body: Record<string, unknown>, headers = h.svc) =>
  call(app, 'POST', '/labels', { created_by: 'u1', ...body }, headers);
const labelId = async (name: string, category: string) => {
  const res = await createLabel({ name, category });
  expect(res.status).toBe(201);
  return res.body.data.label_id as number;
};
const apply = (body: unknown, headers = h.svc) => call(app, 'POST', '/labels/apply', body, headers);
const userApply = (entity: string, label: number, extra: Record<string, unknown> = {}) => ({
  entity_id: entity,
  entity_type: 'user',
  label_id: label,
  applied_by: 'mod1',
  ...extra,
});
const db = () => rt.db.database.forSchema('labels');

beforeAll(async () => {
  community = await startFakeServer();
  // uid 900 moderates community 7; everyone else is an ordinary member or not a member.
  community.on('GET', /^\/users\/[^/]+\/communities\/\d+\/role$/, (req) => {
    const [, , user, , id] = req.path.split('/');
    const role = user === '900' && id === '7' ? 'moderator' : user === '901' && id === '7' ? 'member' : null;
    return { status: 200, body: { success: true, data: { role } } };
  });
  rt = await createTestRuntime({ env: { COMMUNITY_URL: community.url } });
  app = (await rt.add(service)).app;
  h = credentials(rt);
});
afterAll(async () => {
  await rt.close();
  await community.close();
});

describe('authentication on every route', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/labels'],
    ['POST', '/labels', { name: 'a', category: 'user', created_by: 'x' }],
    ['GET', '/labels/1'],
    ['PUT', '/labels/1', { name: 'b' }],
    ['DELETE', '/labels/1'],
    ['POST', '/labels/apply', { entity_id: '1', entity_type: 'user', label_id: 1, applied_by: 'x' }],
    ['POST', '/labels/remove', { entity_id: '1', entity_type: 'user', label_id: 1 }],
    ['GET', '/entity/user/42/labels'],
    ['GET', '/labels/search?entity_type=user&labels=vip'],
    ['POST', '/entitygroups', {}],
    ['GET', '/entitygroups'],
    ['POST', '/entitygroups/assign', {}],
    ['DELETE', '/entitygroups/1/members/42'],
    ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2' }],
  ];
  it.each(routes)('%s %s', async (method, path, body) => {
    const none = await call(app, method, path, body, h.noKey);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, method, path, body, h.wrongKey);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });

  it('the merge hook takes the service key only', async () => {
    const res = await call(
      app,
      'POST',
      '/internal/user-merged',
      { from_uid: '1', into_uid: '2' },
      h.asUser('2'),
    );
    expect(res.status).toBe(401);
  });
});

describe('§8.1 scenario 1–2: catalogue', () => {
  it('creates a label, refuses a duplicate and lists it with defaults', async () => {
    const first = await createLabel({ name: 'gold-tier', category: 'user' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ success: true, data: { label_id: expect.any(Number) } });
    const again = await createLabel({ name: 'Gold-Tier', category: 'user' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    // The same name in another category is a different label.
    expect((await createLabel({ name: 'gold-tier', category: 'item' })).status).toBe(201);

    const list = await call(app, 'GET', '/labels?category=user', undefined, h.svc);
    expect(list.status).toBe(200);
    const found = list.body.data.labels.find((l: { name: string }) => l.name === 'gold-tier');
    expect(found).toMatchObject({
      id: first.body.data.label_id,
      category: 'user',
      color: '#000000',
      description: '',
      is_system: false,
      created_by: 'u1',
      is_active: true,
    });
    expect(list.body.data.labels.every((l: { category: string }) => l.category === 'user')).toBe(true);
    expect(list.body.data.total).toBe(list.body.data.labels.length);
  });

  it('rejects bad input with the envelope and writes nothing', async () => {
    const before = await db()
      .selectFrom('labels')
      .select(db().fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    for (const body of [
      { name: 'x', category: 'planet' },
      { name: '', category: 'user' },
      { name: 'x', category: 'user', color: 'red' },
      { name: 'x'.repeat(101), category: 'user' },
      { category: 'user' },
    ]) {
      const res = await createLabel(body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const noCreator = await call(app, 'POST', '/labels', { name: 'orphan', category: 'user' }, h.svc);
    expect(noCreator.status).toBe(400);
    expect(noCreator.body.error.details).toEqual([{ path: 'created_by', message: 'Required' }]);
    const malformed = await call(app, 'POST', '/labels', '{"name":', h.svc);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
    expect((await call(app, 'GET', '/labels?category=planet', undefined, h.svc)).status).toBe(400);
    expect((await call(app, 'GET', '/labels?is_system=maybe', undefined, h.svc)).status).toBe(400);
    const after = await db()
      .selectFrom('labels')
      .select(db().fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('reads, updates and deletes a label; system labels are protected', async () => {
    const id = await labelId('helper', 'user');
    const got = await call(app, 'GET', `/labels/${id}`, undefined, h.svc);
    expect(got.body.data).toMatchObject({ id, name: 'helper', color: '#000000' });
    expect((await call(app, 'GET', '/labels/999999', undefined, h.svc)).status).toBe(404);
    expect((await call(app, 'GET', '/labels/abc', undefined, h.svc)).status).toBe(400);

    const put = await call(app, 'PUT', `/labels/${id}`, { color: '#FF00aa', description: 'helps' }, h.svc);
    expect(put.body).toEqual({ success: true, data: { label_id: id } });
    expect((await call(app, 'GET', `/labels/${id}`, undefined, h.svc)).body.data).toMatchObject({
      color: '#FF00aa',
      description: 'helps',
    });
    await labelId('other-helper', 'user');
    expect((await call(app, 'PUT', `/labels/${id}`, { name: 'OTHER-helper' }, h.svc)).status).toBe(409);
    expect((await call(app, 'PUT', `/labels/${id}`, {}, h.svc)).status).toBe(400);
    expect((await call(app, 'PUT', '/labels/999999', { name: 'z' }, h.svc)).status).toBe(404);

    const system = await createLabel({ name: 'platform-staff', category: 'user', is_system: true });
    expect(system.status).toBe(201);
    const sysId = system.body.data.label_id;
    expect((await call(app, 'PUT', `/labels/${sysId}`, { name: 'x' }, h.svc)).status).toBe(403);
    expect((await call(app, 'DELETE', `/labels/${sysId}`, undefined, h.svc)).status).toBe(403);
    expect((await call(app, 'GET', '/labels?is_system=true', undefined, h.svc)).body.data.labels).toEqual([
      expect.objectContaining({ id: sysId, is_system: true }),
    ]);
    // A platform administrator may change it.
    expect(
      (await call(app, 'PUT', `/labels/${sysId}`, { icon: 'star' }, h.asUser('1', ['admin']))).status,
    ).toBe(200);

    expect((await apply(userApply('77', id, { community_id: 7 }))).status).toBe(201);
    const del = await call(app, 'DELETE', `/labels/${id}`, undefined, h.svc);
    expect(del.body).toEqual({ success: true, data: { label_id: id } });
    expect((await call(app, 'GET', `/labels/${id}`, undefined, h.svc)).status).toBe(404);
    expect((await call(app, 'GET', '/entity/user/77/labels', undefined, h.svc)).body.data.total).toBe(0);
    // The name is free again.
    expect((await createLabel({ name: 'helper', category: 'user' })).status).toBe(201);
  });

  it('a JWT acts as its user: created_by is overwritten and system labels need a platform admin', async () => {
    const res = await createLabel(
      { name: 'by-jwt', category: 'module', created_by: 'someone-else' },
      h.asUser('311'),
    );
    expect(res.status).toBe(201);
    const got = await call(app, 'GET', `/labels/${res.body.data.label_id}`, undefined, h.asUser('311'));
    expect(got.body.data.created_by).toBe('311');
    const sys = await createLabel(
      { name: 'sys-by-jwt', category: 'module', is_system: true },
      h.asUser('311'),
    );
    expect(sys.status).toBe(403);
    expect(sys.body.error.code).toBe('FORBIDDEN');
    expect(
      (
        await createLabel(
          { name: 'sys-by-admin', category: 'module', is_system: true },
          h.asUser('1', ['admin']),
        )
      ).status,
    ).toBe(201);
    // Only the creator (or an admin) changes it.
    const id = res.body.data.label_id;
    expect((await call(app, 'PUT', `/labels/${id}`, { name: 'stolen' }, h.asUser('312'))).status).toBe(403);
    expect((await call(app, 'PUT', `/labels/${id}`, { name: 'mine' }, h.asUser('311'))).status).toBe(200);
  });
});

describe('§8.1 scenario 2–3: applying', () => {
  it('404 for an unknown label, 400 for a bad or past expiry, 400 for a category mismatch', async () => {
    const id = await labelId('apply-checks', 'user');
    expect((await apply(userApply('42', 999_999))).status).toBe(404);
    for (const expires_at of ['yesterday', '2020-01-01T00:00:00Z', clock().now().toISOString()]) {
      const res = await apply(userApply('42', id, { expires_at }));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    const mismatch = await apply({
      entity_id: 'twitch:1',
      entity_type: 'community',
      label_id: id,
      applied_by: 'm',
    });
    expect(mismatch.status).toBe(400);
    expect(
      (await apply({ entity_id: '42', entity_type: 'planet', label_id: id, applied_by: 'm' })).status,
    ).toBe(400);
    expect((await apply({ entity_id: '42', entity_type: 'user', label_id: id })).status).toBe(400);
    const rows = await db().selectFrom('entity_labels').selectAll().where('label_id', '=', id).execute();
    expect(rows).toEqual([]);
  });

  it('applies once per community, lists it with the limit, and enforces the per-entity limit', async () => {
    const vip = await labelId('vip-s3', 'user');
    const first = await apply(userApply('4242', vip, { community_id: 7, metadata: { note: 'hi' } }));
    expect(first.status).toBe(201);
    expect(first.body.data.entity_label_id).toEqual(expect.any(Number));
    const again = await apply(userApply('4242', vip, { community_id: '7' }));
    expect(again.status).toBe(409);
    // The same label in another community is another assignment.
    expect((await apply(userApply('4242', vip, { community_id: 9 }))).status).toBe(201);

    const list = await call(app, 'GET', '/entity/user/4242/labels?community_id=7', undefined, h.svc);
    expect(list.status).toBe(200);
    expect(list.body.data).toMatchObject({ entity_id: '4242', entity_type: 'user', total: 1, limit: 5 });
    expect(list.body.data.labels[0]).toMatchObject({
      label_id: vip,
      label_name: 'vip-s3',
      label_color: '#000000',
      applied_by: 'mod1',
      expires_at: null,
      metadata: { note: 'hi' },
    });
    expect((await call(app, 'GET', '/entity/user/4242/labels', undefined, h.svc)).body.data.total).toBe(2);
    expect((await call(app, 'GET', '/entity/planet/4242/labels', undefined, h.svc)).status).toBe(400);
    expect(
      (await call(app, 'GET', '/entity/user/4242/labels?community_id=abc', undefined, h.svc)).status,
    ).toBe(400);

    const communityLabels: number[] = [];
    for (let i = 0; i < 6; i++) communityLabels.push(await labelId(`community-tag-${i}`, 'community'));
    for (const l of communityLabels.slice(0, 5)) {
      const res = await apply({
        entity_id: 'c1',
        entity_type: 'community',
        label_id: l,
        applied_by: 'admin',
      });
      expect(res.status).toBe(201);
    }
    const sixth = await apply({
      entity_id: 'c1',
      entity_type: 'community',
      label_id: communityLabels[5],
      applied_by: 'a',
    });
    expect(sixth.status).toBe(400);
    expect(sixth.body.error.message).toContain('5');
    expect((await call(app, 'GET', '/entity/community/c1/labels', undefined, h.svc)).body.data.total).toBe(5);

    // Items hold ten.
    const itemLabels: number[] = [];
    for (let i = 0; i < 11; i++) itemLabels.push(await labelId(`item-tag-${i}`, 'item'));
    const results = [];
    for (const l of itemLabels)
      results.push(
        (await apply({ entity_id: 'hdmi', entity_type: 'item', label_id: l, applied_by: 'a' })).status,
      );
    expect(results).toEqual([...Array(10).fill(201), 400]);
  });

  it("user labels count per community, and one community's labels never show in another", async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await labelId(`per-community-${i}`, 'user'));
    for (const l of ids.slice(0, 5))
      expect((await apply(userApply('500', l, { community_id: 7 }))).status).toBe(201);
    expect((await apply(userApply('500', ids[5]!, { community_id: 7 }))).status).toBe(400);
    expect((await apply(userApply('500', ids[5]!, { community_id: 9 }))).status).toBe(201);
    const in9 = await call(app, 'GET', '/entity/user/500/labels?community_id=9', undefined, h.svc);
    expect(in9.body.data.labels.map((l: { label_name: string }) => l.label_name)).toEqual([
      'per-community-5',
    ]);
    const in8 = await call(app, 'GET', '/entity/user/500/labels?community_id=8', undefined, h.svc);
    expect(in8.body.data.total).toBe(0);
  });

  it('answers the exact request the router sends (user key with a colon, community id)', async () => {
    const id = await labelId('memories', 'user');
    expect((await apply(userApply('twitch:555', id, { community_id: 7 }))).status).toBe(201);
    const res = await call(
      app,
      'GET',
      `/entity/user/${encodeURIComponent('twitch:555')}/labels?community_id=7`,
      undefined,
      h.svc,
    );
    expect(res.status).toBe(200);
    expect(res.body.data.entity_id).toBe('twitch:555');
    expect(res.body.data.labels.map((l: { label_name: string }) => l.label_name)).toEqual(['memories']);
  });

  it('removes an assignment', async () => {
    const id = await labelId('removable', 'user');
    expect((await apply(userApply('600', id, { community_id: 7 }))).status).toBe(201);
    const wrongScope = await call(
      app,
      'POST',
      '/labels/remove',
      { entity_id: '600', entity_type: 'user', label_id: id },
      h.svc,
    );
    expect(wrongScope.status).toBe(404);
    const res = await call(
      app,
      'POST',
      '/labels/remove',
      { entity_id: '600', entity_type: 'user', label_id: id, community_id: 7 },
      h.svc,
    );
    expect(res.body).toEqual({ success: true, data: { removed: true } });
    const again = await call(
      app,
      'POST',
      '/labels/remove',
      { entity_id: '600', entity_type: 'user', label_id: id, community_id: 7 },
      h.svc,
    );
    expect(again.status).toBe(404);
    // Re-applying after removal works.
    expect((await apply(userApply('600', id, { community_id: 7 }))).status).toBe(201);
  });

  it('a JWT applies only where it moderates, and never outside a community', async () => {
    const id = await labelId('jwt-applied', 'user');
    const asMod = await apply(
      userApply('700', id, { community_id: 7, applied_by: 'forged' }),
      h.asUser('900'),
    );
    expect(asMod.status).toBe(201);
    const row = await db()
      .selectFrom('entity_labels')
      .select('applied_by')
      .where('id', '=', asMod.body.data.entity_label_id)
      .executeTakeFirstOrThrow();
    expect(row.applied_by).toBe('900');
    // A moderator of 7 is nobody in 9; a member of 7 is not a moderator.
    expect((await apply(userApply('700', id, { community_id: 9 }), h.asUser('900'))).status).toBe(403);
    expect((await apply(userApply('701', id, { community_id: 7 }), h.asUser('901'))).status).toBe(403);
    expect((await apply(userApply('701', id), h.asUser('900'))).status).toBe(403);
    const removeIn9 = await call(
      app,
      'POST',
      '/labels/remove',
      { entity_id: '700', entity_type: 'user', label_id: id, community_id: 7 },
      h.asUser('901'),
    );
    expect(removeIn9.status).toBe(403);
    expect(
      await db().selectFrom('entity_labels').select('id').where('entity_id', '=', '701').execute(),
    ).toEqual([]);
  });

  it('a JWT write answers 502 while the community service cannot say the role, and writes nothing', async () => {
    const id = await labelId('upstream-down', 'user');
    const down = await createTestRuntime({ env: { COMMUNITY_URL: 'http://127.0.0.1:9' }, clock: rt.clock });
    try {
      const other = (await down.add(service)).app;
      const created = await call(other, 'POST', '/labels', { name: 'x', category: 'user', created_by: 'a' });
      const res = await call(
        other,
        'POST',
        '/labels/apply',
        userApply('800', created.body.data.label_id, { community_id: 7 }),
        h.asUser('900'),
      );
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('UPSTREAM_ERROR');
      const rows = await down.db.database
        .forSchema('labels')
        .selectFrom('entity_labels')
        .selectAll()
        .execute();
      expect(rows).toEqual([]);
    } finally {
      await down.close();
    }
    expect(id).toBeGreaterThan(0);
  });
});

describe('§8.1 scenario 4: search', () => {
  it('matches all named labels, case-insensitively, within the category', async () => {
    const vip = await labelId('vip', 'user');
    const streamer = await labelId('Streamer', 'user');
    const itemVip = await labelId('vip', 'item');
    expect((await apply(userApply('42', vip))).status).toBe(201);
    expect((await apply(userApply('42', streamer))).status).toBe(201);
    expect((await apply(userApply('43', vip))).status).toBe(201);
    expect(
      (await apply({ entity_id: '44', entity_type: 'item', label_id: itemVip, applied_by: 'a' })).status,
    ).toBe(201);

    const both = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=vip,streamer',
      undefined,
      h.svc,
    );
    expect(both.status).toBe(200);
    expect(both.body.data).toMatchObject({
      entity_type: 'user',
      searched_labels: ['vip', 'streamer'],
      total: 1,
    });
    expect(both.body.data.results).toEqual([
      {
        entity_id: '42',
        entity_type: 'user',
        labels: expect.arrayContaining([
          { label_id: vip, label_name: 'vip', label_color: '#000000' },
          { label_id: streamer, label_name: 'Streamer', label_color: '#000000' },
        ]),
        match_count: 2,
      },
    ]);
    const one = await call(app, 'GET', '/labels/search?entity_type=user&labels=VIP', undefined, h.svc);
    expect(one.body.data.results.map((r: { entity_id: string }) => r.entity_id).sort()).toEqual(['42', '43']);
    expect(one.body.data.results.every((r: { match_count: number }) => r.match_count === 1)).toBe(true);
    const limited = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=vip&limit=1',
      undefined,
      h.svc,
    );
    expect(limited.body.data.total).toBe(1);
    const items = await call(app, 'GET', '/labels/search?entity_type=item&labels=vip', undefined, h.svc);
    expect(items.body.data.results.map((r: { entity_id: string }) => r.entity_id)).toEqual(['44']);
  });

  it('validates its parameters', async () => {
    for (const q of [
      'labels=vip',
      'entity_type=user',
      'entity_type=planet&labels=vip',
      'entity_type=user&labels=vip&limit=abc',
      'entity_type=user&labels=vip&limit=1.5',
      'entity_type=user&labels=vip&limit=0',
      'entity_type=user&labels=,,',
    ]) {
      const res = await call(app, 'GET', `/labels/search?${q}`, undefined, h.svc);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('a community search sees only that community and community-less assignments', async () => {
    const tag = await labelId('scoped-search', 'user');
    expect((await apply(userApply('s7', tag, { community_id: 7 }))).status).toBe(201);
    expect((await apply(userApply('s9', tag, { community_id: 9 }))).status).toBe(201);
    expect((await apply(userApply('sall', tag))).status).toBe(201);
    const in7 = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=scoped-search&community_id=7',
      undefined,
      h.svc,
    );
    expect(in7.body.data.results.map((r: { entity_id: string }) => r.entity_id).sort()).toEqual([
      's7',
      'sall',
    ]);
  });
});

describe('§8.1 scenario 5: expiry and bulk', () => {
  it('an expired assignment disappears from reads at once and is retired by the sweep', async () => {
    const id = await labelId('short-lived', 'user');
    const expires = new Date(clock().nowMs() + 2000).toISOString();
    expect((await apply(userApply('4343', id, { expires_at: expires }))).status).toBe(201);
    const before = await call(app, 'GET', '/entity/user/4343/labels', undefined, h.svc);
    expect(before.body.data.labels[0].expires_at).toBe(expires);
    clock().advance(3000);
    expect((await call(app, 'GET', '/entity/user/4343/labels', undefined, h.svc)).body.data.total).toBe(0);
    const search = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=short-lived',
      undefined,
      h.svc,
    );
    expect(search.body.data.total).toBe(0);
    // It can be applied again although the sweep has not run yet.
    expect((await apply(userApply('4343', id))).status).toBe(201);

    const { expireAssignments } = await import('../src/label-assignments.js');
    expect(
      (await apply(userApply('4344', id, { expires_at: new Date(clock().nowMs() + 1000).toISOString() })))
        .status,
    ).toBe(201);
    clock().advance(2000);
    expect(await expireAssignments({ db: db() as never, clock: rt.clock })).toBeGreaterThanOrEqual(1);
    const row = await db()
      .selectFrom('entity_labels')
      .select('is_active')
      .where('entity_id', '=', '4344')
      .executeTakeFirstOrThrow();
    expect(row.is_active).toBe(false);
  });

  it('bulk: over the cap is 400 with nothing written; items succeed and fail one by one', async () => {
    const id = await labelId('bulk-tag', 'user');
    const tooMany = Array.from({ length: 1001 }, (_, i) => userApply(`bulk-${i}`, id));
    const big = await apply(tooMany);
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('VALIDATION_ERROR');
    expect(await db().selectFrom('entity_labels').select('id').where('label_id', '=', id).execute()).toEqual(
      [],
    );
    expect((await apply([])).status).toBe(400);

    const res = await apply([userApply('b1', id), userApply('b2', id), userApply('b1', id)]);
    expect(res.status).toBe(200);
    expect(res.body.data.summary).toEqual({ total: 3, successful: 2, failed: 1 });
    expect(res.body.data.results[0]).toMatchObject({
      success: true,
      entity_label_id: expect.any(Number),
      application: userApply('b1', id),
    });
    expect(res.body.data.results[2]).toMatchObject({
      success: false,
      error: expect.stringMatching(/already/i),
    });

    // The same rules as the single form, including type checks and limits.
    const mixed = await apply([
      { entity_id: 'b3', entity_type: 'item', label_id: id, applied_by: 'a' },
      { entity_id: 'b3', entity_type: 'user', label_id: 'nope', applied_by: 'a' },
      userApply('b3', 999_999),
      userApply('b3', id),
    ]);
    expect(mixed.body.data.summary).toEqual({ total: 4, successful: 1, failed: 3 });
    expect(mixed.body.data.results.map((r: { success: boolean }) => r.success)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(mixed.body.data.results[1].error).toContain('label_id');
  });

  it('a full bulk of 1000 items (well over 64 KiB) is applied', async () => {
    const id = await labelId('bulk-full', 'user');
    const items = Array.from({ length: 1000 }, (_, i) =>
      userApply(`full-${i}`, id, { community_id: 7, metadata: { source: 'import', row: i } }),
    );
    expect(JSON.stringify(items).length).toBeGreaterThan(64 * 1024);
    const res = await apply(items);
    expect(res.status).toBe(200);
    expect(res.body.data.summary).toEqual({ total: 1000, successful: 1000, failed: 0 });
    const ids = res.body.data.results.map((r: { entity_label_id: number }) => r.entity_label_id);
    expect(new Set(ids).size).toBe(1000);
    const row = await db()
      .selectFrom('entity_labels')
      .select(['entity_id', 'metadata'])
      .where('id', '=', ids[999])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ entity_id: 'full-999', metadata: { source: 'import', row: 999 } });
  });

  it('bulk honours the per-entity limit', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await labelId(`bulk-limit-${i}`, 'user'));
    const res = await apply(ids.map((l) => userApply('bulk-limited', l, { community_id: 3 })));
    expect(res.body.data.summary).toEqual({ total: 6, successful: 5, failed: 1 });
    expect(res.body.data.results[5].error).toMatch(/limit/i);
  });
});

describe('audit', () => {
  it('logs AUDIT lines for writes', async () => {
    const id = await labelId('audited', 'user');
    await apply(userApply('a1', id));
    const lines = rt.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.category === 'AUDIT' && l.action === 'label_apply' && l.label_id === id)).toBe(
      true,
    );
    expect(
      lines.some((l) => l.category === 'AUDIT' && l.action === 'label_create' && l.label_id === id),
    ).toBe(true);
    expect(rt.logLines.join('\n')).not.toContain('test-service-key');
  });
});

describe('JWT reads: one community never reads another', () => {
  it("a member reads their community's assignments; without a community only the community-less ones", async () => {
    const tag = await labelId('jwt-read', 'user');
    expect((await apply(userApply('r1', tag, { community_id: 7 }))).status).toBe(201);
    const other = await labelId('jwt-read-9', 'user');
    expect((await apply(userApply('r1', other, { community_id: 9 }))).status).toBe(201);
    const everywhere = await labelId('jwt-read-all', 'user');
    expect((await apply(userApply('r1', everywhere))).status).toBe(201);
    const names = (res: { body: { data: { labels: { label_name: string }[] } } }) =>
      res.body.data.labels.map((l) => l.label_name).sort();

    const in7 = await call(app, 'GET', '/entity/user/r1/labels?community_id=7', undefined, h.asUser('901'));
    expect(in7.status).toBe(200);
    expect(names(in7)).toEqual(['jwt-read', 'jwt-read-all']);
    const in9 = await call(app, 'GET', '/entity/user/r1/labels?community_id=9', undefined, h.asUser('901'));
    expect(in9.status).toBe(403);
    const unscoped = await call(app, 'GET', '/entity/user/r1/labels', undefined, h.asUser('901'));
    expect(names(unscoped)).toEqual(['jwt-read-all']);
    const search9 = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=jwt-read-9&community_id=9',
      undefined,
      h.asUser('901'),
    );
    expect(search9.status).toBe(403);
    const searchAll = await call(
      app,
      'GET',
      '/labels/search?entity_type=user&labels=jwt-read-9',
      undefined,
      h.asUser('901'),
    );
    expect(searchAll.body.data.total).toBe(0);
    // The service key and platform administrators see everything.
    expect(
      names(await call(app, 'GET', '/entity/user/r1/labels', undefined, h.asUser('1', ['admin']))),
    ).toHaveLength(3);
    expect(names(await call(app, 'GET', '/entity/user/r1/labels', undefined, h.svc))).toHaveLength(3);
  });
});

describe('concurrency', () => {
  it('parallel applies to one entity never pass its limit', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push(await labelId(`race-${i}`, 'user'));
    const results = await Promise.all(ids.map((l) => apply(userApply('racer', l, { community_id: 7 }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    expect(results.filter((r) => r.status === 400)).toHaveLength(3);
    const active = await db()
      .selectFrom('entity_labels')
      .select('id')
      .where('entity_id', '=', 'racer')
      .where('is_active', '=', true)
      .execute();
    expect(active).toHaveLength(5);
  });

  it('parallel duplicate applies create one assignment', async () => {
    const id = await labelId('race-dup', 'user');
    const results = await Promise.all(Array.from({ length: 5 }, () => apply(userApply('dup-racer', id))));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });
});

describe('the hourly sweep runs on its own', () => {
  it('retires expired assignments in the background', async () => {
    const own = await createTestRuntime({ env: { LABELS_EXPIRY_SWEEP_MS: '1000' } });
    try {
      const other = (await own.add(service)).app;
      const created = await call(other, 'POST', '/labels', {
        name: 'swept',
        category: 'user',
        created_by: 'a',
      });
      const expires_at = new Date(own.clock.nowMs() + 1000).toISOString();
      const res = await call(
        other,
        'POST',
        '/labels/apply',
        userApply('sw', created.body.data.label_id, { expires_at }),
      );
      expect(res.status).toBe(201);
      (own.clock as FakeClock).advance(5000);
      await eventually(async () => {
        const row = await own.db.database
          .forSchema('labels')
          .selectFrom('entity_labels')
          .select('is_active')
          .where('entity_id', '=', 'sw')
          .executeTakeFirstOrThrow();
        return row.is_active === false;
      });
    } finally {
      await own.close();
    }
  });
});
