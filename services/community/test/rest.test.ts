import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '@waddlebot/core';
import {
  TEST_SECRET_KEY,
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { activeCommunityId } from './community-lookup.js';
import { chat, type ChatUser } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seals: number;
let walrus: number;

const alice: ChatUser = { id: '1001', name: 'alice', uid: '311' };
const carol: ChatUser = { id: '3003', name: 'carol', uid: '513' };

const jwtFor = (uid: string, roles: string[] = []) =>
  signJwt({ sub: uid, username: `user${uid}`, roles }, TEST_SECRET_KEY, { now: rt.clock.now() });
const asUser = (uid: string, roles: string[] = []) => ({
  Authorization: `Bearer ${jwtFor(uid, roles)}`,
  'Content-Type': 'application/json',
});
const noKey = { 'Content-Type': 'application/json' };
const wrongKey = serviceHeaders({ 'X-Service-Key': 'x'.repeat(40) });

const say = async (user: ChatUser, message: string, opts: Parameters<typeof chat>[2] = {}) =>
  (await call(app, 'POST', '/community', chat(user, message, opts))).body;
const db = () => rt.db.database.forSchema('community');
const communityId = (name: string) => activeCommunityId(rt, name);
const setRole = (community: number, user: string, role: string, headers = serviceHeaders()) =>
  call(app, 'PUT', `/communities/${community}/members/${user}`, { role }, headers);

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: { id: 1 } } });
  router.on('POST', '/router/admin/cache/clear', { status: 200, body: { success: true, data: {} } });
  rt = await createTestRuntime({ env: { ROUTER_URL: router.url } });
  app = (await rt.add(service)).app;

  await say(alice, '!community create Seals');
  await say(alice, '!community add entity twitch:1001', { platformRole: 'owner' });
  seals = await communityId('Seals');
  expect((await setRole(seals, '412', 'member')).status).toBe(200); // bob
  await say(carol, '!community create Walrus', { entity: 'twitch:3003' });
  walrus = await communityId('Walrus');
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

/** Every route: no credential → 401 AUTH_REQUIRED, a wrong service key → 401 INVALID_API_KEY. */
describe('authentication on every route', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/community', {}],
    ['POST', '/community/form', {}],
    ['GET', '/communities/1'],
    ['GET', '/communities/1/members'],
    ['PUT', '/communities/1/members/311', { role: 'member' }],
    ['DELETE', '/communities/2'],
    ['GET', '/users/311/communities'],
    ['GET', '/users/311/communities/1/role'],
    ['GET', '/entities/twitch:1001/community'],
    ['POST', '/communities/2/entities', { entity_id: 'twitch:5' }],
    ['DELETE', '/communities/2/entities/twitch:5'],
    ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2' }],
  ];
  it.each(routes)('%s %s', async (method, path, body) => {
    const none = await call(app, method, path, body, noKey);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, method, path, body, wrongKey);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    expect(wrong.body.error.request_id).toBeTruthy();
  });

  it('service-only routes refuse a user JWT', async () => {
    for (const path of ['/users/311/communities/1/role', '/entities/twitch:1001/community']) {
      const res = await call(app, 'GET', path, undefined, asUser('311'));
      expect(res.status).toBe(401);
    }
  });

  it('a JWT signed with another secret is refused', async () => {
    const forged = signJwt(
      { sub: '311', username: 'x', roles: ['admin'] },
      'another-secret-0123456789abcdef',
      {
        now: rt.clock.now(),
      },
    );
    const res = await call(app, 'GET', `/communities/${seals}`, undefined, {
      Authorization: `Bearer ${forged}`,
    });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_API_KEY');
  });
});

describe('GET /communities/:id', () => {
  it('returns the community with its entity groups and owners', async () => {
    const res = await call(app, 'GET', `/communities/${seals}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      data: {
        id: seals,
        name: 'Seals',
        created_by: '311',
        member_count: 2,
        owners: ['311'],
        entity_groups: [{ platform: 'twitch', server_id: '1001', entity_ids: ['twitch:1001'] }],
      },
    });
    expect(res.body.data.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('members may read it over JWT; another community’s owner may not', async () => {
    expect((await call(app, 'GET', `/communities/${seals}`, undefined, asUser('412'))).status).toBe(200);
    const other = await call(app, 'GET', `/communities/${seals}`, undefined, asUser('513'));
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('FORBIDDEN');
    expect(JSON.stringify(other.body)).not.toContain('twitch:1001');
    // The Global community is public; a platform admin reads anything.
    expect((await call(app, 'GET', '/communities/1', undefined, asUser('513'))).status).toBe(200);
    expect(
      (await call(app, 'GET', `/communities/${seals}`, undefined, asUser('999', ['admin']))).status,
    ).toBe(200);
  });

  it('400 for a non-numeric id, 404 for an unknown one', async () => {
    expect((await call(app, 'GET', '/communities/abc')).body.error.code).toBe('VALIDATION_ERROR');
    const missing = await call(app, 'GET', '/communities/99999');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });
});

describe('GET /communities/:id/members', () => {
  it('paginates in join order with meta', async () => {
    const first = await call(app, 'GET', `/communities/${seals}/members?per_page=1`);
    expect(first.status).toBe(200);
    expect(first.body.data).toEqual([
      { user_id: '311', role: 'owner', joined_at: expect.any(String), invited_by: null },
    ]);
    expect(first.body.meta).toEqual({
      page: 1,
      per_page: 1,
      total: 2,
      total_pages: 2,
      has_next: true,
      has_prev: false,
    });
    const second = await call(app, 'GET', `/communities/${seals}/members?per_page=1&page=2`);
    expect(second.body.data.map((m: { user_id: string }) => m.user_id)).toEqual(['412']);
    expect(second.body.meta).toMatchObject({ has_next: false, has_prev: true });
  });

  it('filters by a user id substring, literally', async () => {
    const res = await call(app, 'GET', `/communities/${seals}/members?search=41`);
    expect(res.body.data.map((m: { user_id: string }) => m.user_id)).toEqual(['412']);
    expect((await call(app, 'GET', `/communities/${seals}/members?search=%25`)).body.data).toEqual([]);
  });

  it('validates paging', async () => {
    for (const q of ['per_page=101', 'per_page=0', 'page=0', 'page=x']) {
      const res = await call(app, 'GET', `/communities/${seals}/members?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('JWT: members only', async () => {
    expect((await call(app, 'GET', `/communities/${seals}/members`, undefined, asUser('412'))).status).toBe(
      200,
    );
    const other = await call(app, 'GET', `/communities/${seals}/members`, undefined, asUser('513'));
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain('412');
    expect((await call(app, 'GET', '/communities/99999/members')).status).toBe(404);
  });
});

describe('GET /users/:user_id/communities and role', () => {
  it("lists one's own communities with Global, never another community", async () => {
    const res = await call(app, 'GET', '/users/311/communities', undefined, asUser('311'));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      {
        id: seals,
        name: 'Seals',
        description: null,
        role: 'owner',
        joined_at: expect.any(String),
        member_count: 2,
        entity_group_count: 1,
      },
      expect.objectContaining({ id: 1, name: 'Global Community', role: 'member', joined_at: null }),
    ]);
    const carols = await call(app, 'GET', '/users/513/communities');
    expect(carols.body.data.map((c: { name: string }) => c.name)).toEqual(['Walrus', 'Global Community']);
  });

  it("a JWT cannot list another user's communities", async () => {
    const res = await call(app, 'GET', '/users/513/communities', undefined, asUser('311'));
    expect(res.status).toBe(403);
    expect(JSON.stringify(res.body)).not.toContain('Walrus');
  });

  it('role_min filters; a bad role is 400', async () => {
    const owners = await call(app, 'GET', '/users/311/communities?role_min=owner');
    expect(owners.body.data.map((c: { name: string }) => c.name)).toEqual(['Seals']);
    expect((await call(app, 'GET', '/users/311/communities?role_min=king')).status).toBe(400);
  });

  it('stored role per community: owner, implicit Global member, null for non-members', async () => {
    const role = async (user: string, community: number) =>
      (await call(app, 'GET', `/users/${user}/communities/${community}/role`)).body.data;
    expect(await role('311', seals)).toEqual({ role: 'owner' });
    expect(await role('311', walrus)).toEqual({ role: null });
    expect(await role('311', 1)).toEqual({ role: 'member' });
    expect(await role('311', 99999)).toEqual({ role: null });
  });
});

describe('GET /entities/:entity_id/community', () => {
  it('names the owning community; 404 when in none; 400 when malformed', async () => {
    const res = await call(app, 'GET', '/entities/twitch:1001/community');
    expect(res.body).toEqual({ success: true, data: { community_id: seals, community_name: 'Seals' } });
    expect((await call(app, 'GET', '/entities/twitch:3003/community')).status).toBe(404);
    expect((await call(app, 'GET', '/entities/irc:x/community')).status).toBe(400);
  });
});

describe('POST|DELETE /communities/:id/entities', () => {
  const entityOf = async (entityId: string) =>
    (await call(app, 'GET', `/entities/${entityId}/community`)).body;

  it('the service and platform administrators add channels; a community owner over JWT may not', async () => {
    const bySvc = await call(app, 'POST', `/communities/${walrus}/entities`, { entity_id: 'discord:70:71' });
    expect(bySvc.status).toBe(201);
    expect(bySvc.body.data).toEqual({ community_id: walrus, entity_id: 'discord:70:71' });
    expect((await entityOf('discord:70:71')).data.community_id).toBe(walrus);

    const byOwner = await call(
      app,
      'POST',
      `/communities/${walrus}/entities`,
      { entity_id: 'twitch:7072' },
      asUser('513'),
    );
    expect(byOwner.status).toBe(403);
    expect(byOwner.body.error.code).toBe('FORBIDDEN');
    expect((await entityOf('twitch:7072')).success).toBe(false);

    const byAdmin = await call(
      app,
      'POST',
      `/communities/${walrus}/entities`,
      { entity_id: 'twitch:7072' },
      asUser('999', ['admin']),
    );
    expect(byAdmin.status).toBe(201);
    const row = await db()
      .selectFrom('entity_groups')
      .select('created_by')
      .where('server_id', '=', '7072')
      .executeTakeFirstOrThrow();
    expect(row.created_by).toBe('999');
  });

  it('a channel in another community is a 409 and stays there; bad input is a 400; unknown community a 404', async () => {
    const taken = await call(app, 'POST', `/communities/${walrus}/entities`, { entity_id: 'twitch:1001' });
    expect(taken.status).toBe(409);
    expect(JSON.stringify(taken.body)).not.toContain('Seals');
    expect((await entityOf('twitch:1001')).data.community_id).toBe(seals);
    for (const entity_id of ['twitch:1:2', 'irc:x', '']) {
      const res = await call(app, 'POST', `/communities/${walrus}/entities`, { entity_id });
      expect(res.status, entity_id).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(
      (await call(app, 'POST', '/communities/99999/entities', { entity_id: 'twitch:7073' })).status,
    ).toBe(404);
    expect((await entityOf('twitch:7073')).success).toBe(false);
  });

  it("removal: the community's moderators may, another community's owner may not", async () => {
    const foreign = await call(
      app,
      'DELETE',
      `/communities/${walrus}/entities/twitch:1001`,
      undefined,
      asUser('513'),
    );
    expect(foreign.status).toBe(404);
    const otherOwner = await call(
      app,
      'DELETE',
      `/communities/${seals}/entities/twitch:1001`,
      undefined,
      asUser('513'),
    );
    expect(otherOwner.status).toBe(403);
    expect((await entityOf('twitch:1001')).data.community_id).toBe(seals);

    const byOwner = await call(
      app,
      'DELETE',
      `/communities/${walrus}/entities/discord:70:71`,
      undefined,
      asUser('513'),
    );
    expect(byOwner.status).toBe(200);
    expect(byOwner.body.data).toEqual({ community_id: walrus, entity_id: 'discord:70:71', removed: true });
    expect((await entityOf('discord:70:71')).success).toBe(false);
    expect((await call(app, 'DELETE', `/communities/${walrus}/entities/discord:70:71`)).status).toBe(404);
  });
});

describe('PUT /communities/:id/members/:user_id', () => {
  it('svc (the router role API) sets roles and tells the router', async () => {
    router.reset();
    router.on('POST', '/router/admin/cache/clear', { status: 200, body: { success: true, data: {} } });
    const res = await setRole(seals, '412', 'moderator');
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ user_id: '412', role: 'moderator' });
    // Earlier tests' fire-and-forget clears may still arrive: wait for this change's own.
    const clear = await router.waitFor(
      (r) =>
        r.path === '/router/admin/cache/clear' &&
        r.json?.community_id === seals &&
        r.json?.entity_id === undefined,
      20_000,
    );
    expect(clear.json).toEqual({ community_id: seals });
    expect(clear.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    const stored = await db()
      .selectFrom('community_rbac')
      .select('role')
      .where('community_id', '=', seals)
      .where('user_id', '=', '412')
      .where('is_active', '=', true)
      .execute();
    expect(stored).toEqual([{ role: 'moderator' }]);
  });

  it('accepts a percent-encoded user key and records the acting user the router names', async () => {
    const res = await setRole(
      seals,
      encodeURIComponent('twitch:621'),
      'vip',
      serviceHeaders({ 'X-WaddleBot-User-Id': 'ops-admin' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ user_id: 'twitch:621', role: 'vip' });
    const row = await db()
      .selectFrom('community_rbac')
      .select(['assigned_by', 'role'])
      .where('user_id', '=', 'twitch:621')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ assigned_by: 'ops-admin', role: 'vip' });
  });

  it('a non-member gets a membership with the role', async () => {
    expect((await setRole(seals, 'twitch:620', 'vip')).status).toBe(200);
    const members = await call(app, 'GET', `/communities/${seals}/members?search=620`);
    expect(members.body.data).toEqual([
      expect.objectContaining({ user_id: 'twitch:620', role: 'vip', invited_by: 'service' }),
    ]);
  });

  it('JWT: moderators may not manage roles; admins may, below admin; owners grant admin and owner', async () => {
    const asBob = asUser('412');
    expect((await setRole(seals, 'twitch:620', 'member', asBob)).status).toBe(403);
    await setRole(seals, '412', 'admin');
    expect((await setRole(seals, 'twitch:620', 'moderator', asBob)).status).toBe(200);
    expect((await setRole(seals, 'twitch:620', 'admin', asBob)).status).toBe(403);
    expect((await setRole(seals, '311', 'member', asBob)).status).toBe(403);

    const asAlice = asUser('311');
    expect((await setRole(seals, '412', 'owner', asAlice)).status).toBe(200);
    expect((await call(app, 'GET', `/communities/${seals}`)).body.data.owners).toEqual(['311', '412']);
    expect((await setRole(seals, '311', 'member', asAlice)).status).toBe(200);
    expect((await call(app, 'GET', `/communities/${seals}`)).body.data.owners).toEqual(['412']);
    const last = await setRole(seals, '412', 'admin', asUser('412'));
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('CONFLICT');
    expect((await call(app, 'GET', `/communities/${seals}`)).body.data.owners).toEqual(['412']);
  });

  it("another community's owner cannot touch roles here; Global is for platform admins", async () => {
    const asCarol = asUser('513');
    const res = await setRole(seals, '513', 'owner', asCarol);
    expect(res.status).toBe(403);
    expect((await call(app, 'GET', `/users/513/communities/${seals}/role`)).body.data.role).toBeNull();
    expect((await setRole(1, '513', 'moderator', asCarol)).status).toBe(403);
    expect((await setRole(walrus, '311', 'moderator', asUser('900', ['admin']))).status).toBe(200);
  });

  it('400 for a role off the ladder or a bad id; 404 for an unknown community', async () => {
    expect((await setRole(seals, '412', 'superuser')).status).toBe(400);
    expect((await call(app, 'PUT', '/communities/x/members/1', { role: 'vip' })).status).toBe(400);
    expect((await setRole(99999, '412', 'member')).status).toBe(404);
  });
});

describe('DELETE /communities/:id', () => {
  it('the Global community cannot be deleted; non-owners cannot delete', async () => {
    const global = await call(app, 'DELETE', '/communities/1');
    expect(global.status).toBe(403);
    expect((await call(app, 'GET', '/communities/1')).status).toBe(200);
    expect((await call(app, 'DELETE', `/communities/${walrus}`, undefined, asUser('311'))).status).toBe(403);
    expect((await call(app, 'GET', `/communities/${walrus}`)).status).toBe(200);
  });
});

describe('POST /community/form', () => {
  const form = (extra: Record<string, unknown> = {}) => ({
    action: 'create_community',
    community_name: 'Narwhals',
    description: 'Tusks',
    user_id: '640',
    entity_id: 'discord:1:2',
    session_id: 's-1',
    ...extra,
  });

  it('creates the community for the submitting user and answers a bare ModuleResponse', async () => {
    const res = await call(app, 'POST', '/community/form', form());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      response_action: 'chat',
      module_name: 'community',
      session_id: 's-1',
    });
    const id = await communityId('Narwhals');
    expect((await call(app, 'GET', `/users/640/communities/${id}/role`)).body.data.role).toBe('owner');
    const ctx = await db().selectFrom('user_context').selectAll().where('user_id', '=', '640').execute();
    expect(ctx).toEqual([expect.objectContaining({ entity_id: 'discord:1:2', current_community_id: id })]);
    const dup = await call(app, 'POST', '/community/form', form({ community_name: 'narwhals' }));
    expect(dup.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
  });

  it('400 for an unknown action or a missing name', async () => {
    expect((await call(app, 'POST', '/community/form', form({ action: 'drop_tables' }))).status).toBe(400);
    const { community_name: _n, ...noName } = form();
    const res = await call(app, 'POST', '/community/form', noName);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('community_name');
    expect((await call(app, 'POST', '/community/form', '{"oops"')).status).toBe(400);
  });
});

describe('POST /internal/user-merged', () => {
  it('unions memberships, keeps the higher role, re-keys owners and contexts; idempotent', async () => {
    const retired: ChatUser = { id: '9001', name: 'dana', uid: '777' };
    await say(retired, '!community create Dugongs', { entity: 'twitch:9001' });
    const dugongs = await communityId('Dugongs');
    await setRole(seals, 'twitch:9001', 'moderator'); // stored under the platform key, before identity knew her
    await setRole(seals, '888', 'member');
    const merge = {
      from_uid: '777',
      into_uid: '888',
      identities: [{ platform: 'twitch', platform_user_id: '9001' }],
    };
    for (let i = 0; i < 2; i++) {
      const res = await call(app, 'POST', '/internal/user-merged', merge);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { merged: true } });
    }
    const role = async (user: string, community: number) =>
      (await call(app, 'GET', `/users/${user}/communities/${community}/role`)).body.data.role;
    expect(await role('888', seals)).toBe('moderator');
    expect(await role('888', dugongs)).toBe('owner');
    expect(await role('777', dugongs)).toBeNull();
    expect(await role('twitch:9001', seals)).toBeNull();
    expect((await call(app, 'GET', `/communities/${dugongs}`)).body.data.owners).toEqual(['888']);
    const active = await db()
      .selectFrom('community_memberships')
      .select('community_id')
      .where('user_id', '=', '888')
      .where('is_active', '=', true)
      .orderBy('community_id')
      .execute();
    expect(active.map((r) => r.community_id)).toEqual([seals, dugongs].sort((a, b) => a - b));
    const ctx = await db()
      .selectFrom('user_context')
      .select('user_id')
      .where('entity_id', '=', 'twitch:9001')
      .execute();
    expect(ctx).toEqual([{ user_id: '888' }]);
  });

  it('400 for a malformed notification', async () => {
    const res = await call(app, 'POST', '/internal/user-merged', { from_uid: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('operations', () => {
  it('health, readiness and OpenAPI', async () => {
    expect((await call(app, 'GET', '/healthz', undefined, {})).body).toEqual({ status: 'ok' });
    const ready = await call(app, 'GET', '/readyz', undefined, {});
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe('ok');
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/communities/{id}', '/users/{user_id}/communities', '/internal/user-merged']),
    );
  });

  it('never logs the service key or a JWT', async () => {
    const token = jwtFor('311');
    await call(app, 'GET', `/communities/${seals}`, undefined, { Authorization: `Bearer ${token}` });
    const logs = rt.logLines.join('\n');
    expect(logs).not.toContain(TEST_SERVICE_KEY);
    expect(logs).not.toContain(token);
  });
});
