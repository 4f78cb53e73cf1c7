import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { sql } from '@waddlebot/core';
import { service } from '../src/service.js';
import { activeCommunityId } from './community-lookup.js';
import { chat, type ChatOptions, type ChatUser } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let portal: FakeServer;
let marketplace: FakeServer;
let identity: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;

const u1: ChatUser = { id: '1111', name: 'u1' };
const u2: ChatUser = { id: '2222', name: 'u2' };
const u3: ChatUser = { id: '3333', name: 'u3', uid: '3303' };

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: { id: 1 } } });
  router.on('POST', '/router/admin/cache/clear', { status: 200, body: { success: true, data: {} } });
  portal = await startFakeServer();
  marketplace = await startFakeServer();
  identity = await startFakeServer();
  rt = await createTestRuntime({
    env: {
      ROUTER_URL: router.url,
      PORTAL_URL: portal.url,
      MARKETPLACE_URL: marketplace.url,
      IDENTITY_URL: identity.url,
    },
  });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
});
afterAll(async () => {
  await rt.close();
  await Promise.all([router.close(), portal.close(), marketplace.close(), identity.close()]);
});

const say = async (user: ChatUser, message: string, opts: ChatOptions = {}) => {
  const res = await call(app, 'POST', '/community', chat(user, message, opts));
  expect(res.status).toBe(200);
  return res.body as { success: boolean; chat_message: string; error_code?: string; module_name: string };
};
const db = () => rt.db.database.forSchema('community');
const communityId = (name: string) => activeCommunityId(rt, name);
const cacheClears = () => router.calls('POST', '/router/admin/cache/clear').map((r) => r.json);
const advance = (seconds: number) => (rt.clock as FakeClock).advance(seconds * 1000);

describe('start-up', () => {
  it('seeds !community at ${COMMUNITY_URL}/community with the service key', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.json).toMatchObject({
      command: 'community',
      prefix: '!',
      location_url: `${rt.env.COMMUNITY_URL}/community`,
      module_name: 'community',
    });
    expect(rows[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
  });

  it('has the Global community with id 1', async () => {
    const global = await db()
      .selectFrom('communities')
      .selectAll()
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    expect(global).toMatchObject({ name: 'Global Community', created_by: 'system', is_active: true });
    expect(global.settings).toMatchObject({ is_global: true, auto_join: true, public: true });
  });
});

describe('acceptance §8.4 community', () => {
  it('1: create, list, duplicate name refused case-insensitively', async () => {
    const created = await say(u1, '!community create Penguins');
    expect(created).toMatchObject({ success: true, module_name: 'community' });
    expect(created.chat_message).toContain('Penguins');
    const penguins = await communityId('Penguins');
    await router.waitFor(
      (r) => r.path === '/router/admin/cache/clear' && r.json?.community_id === penguins,
      20_000,
    );

    const list = await say(u1, '!community list');
    expect(list.success).toBe(true);
    expect(list.chat_message).toMatch(/Penguins \(★ owner, 1 member, 0 channel groups\)/);
    expect(list.chat_message).toContain('Global Community (member)');

    const dup = await say(u2, '!community create penguins');
    expect(dup).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(
      await db().selectFrom('communities').select('id').where('is_active', '=', true).execute(),
    ).toHaveLength(2);
  });

  it('2: add user needs a context; then u2 becomes a member', async () => {
    advance(3601); // the context `create` set has expired
    const noContext = await say(u1, '!community add user 2222', { role: 'owner' });
    expect(noContext.success).toBe(false);
    expect(noContext.chat_message).toContain('!community context <name>');

    expect((await say(u1, '!community context penguins')).success).toBe(true);
    const added = await say(u1, '!community add user 2222');
    expect(added.success).toBe(true);
    // identity answers 404 (not deployed): the membership is kept under the platform key.
    expect(added.chat_message).toContain('identity service is not available');
    expect(identity.calls('POST', '/identity/resolve')[0]!.json).toMatchObject({
      platform: 'twitch',
      platform_user_id: '2222',
    });

    const penguins = await communityId('Penguins');
    router.reset();
    router.on('POST', '/router/admin/cache/clear', { status: 200, body: { success: true, data: {} } });
    await say(u1, '!community add user 2323');
    expect((await router.waitFor((r) => r.path === '/router/admin/cache/clear', 20_000)).json).toEqual({
      community_id: penguins,
    });
    await say(u1, '!community remove user 2323', { role: 'owner' });

    const members = await say(u1, '!community members');
    expect(members.chat_message).toMatch(/twitch:1111 \(owner, joined [\d-]+\), twitch:2222 \(member/);
    const again = await say(u1, '!community add user 2222');
    expect(again).toMatchObject({ success: false, error_code: 'CONFLICT' });
  });

  it('3: a member cannot add an entity; the owner can; a second community cannot take it', async () => {
    expect((await say(u2, '!community context Penguins')).success).toBe(true);
    const denied = await say(u2, '!community add entity discord:900:901');
    expect(denied).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(denied.chat_message).toContain('permission');
    const deniedUser = await say(u2, '!community add user 4444');
    expect(deniedUser).toMatchObject({ success: false, error_code: 'FORBIDDEN' });

    // u1 is the broadcaster of twitch:1001, the channel the command is typed in.
    const broadcaster = { platformRole: 'owner' as const };
    const added = await say(u1, '!community add entity twitch:1001', broadcaster);
    expect(added).toMatchObject({ success: true });
    const penguins = await communityId('Penguins');
    expect((await call(app, 'GET', '/entities/twitch:1001/community')).body.data).toEqual({
      community_id: penguins,
      community_name: 'Penguins',
    });
    await router.waitFor(
      (r) => r.path === '/router/admin/cache/clear' && r.json?.entity_id === 'twitch:1001',
      20_000,
    );
    expect(cacheClears()).toContainEqual({ entity_id: 'twitch:1001', community_id: penguins });

    // §8.4.3: a moderator of the context community adds any channel no community holds yet.
    const discord = await say(u1, '!community add entity discord:900:901');
    expect(discord).toMatchObject({ success: true });
    const entity = await call(app, 'GET', '/entities/discord:900:901/community');
    expect(entity.body.data).toEqual({ community_id: penguins, community_name: 'Penguins' });

    expect((await say(u3, '!community create Puffins')).success).toBe(true);
    // Even where u3 runs the channel (a Discord admin typing in it), it stays with Penguins.
    await say(u3, '!community context Puffins', { entity: 'discord:900:901' });
    const taken = await say(u3, '!community add entity', {
      entity: 'discord:900:901',
      platformRole: 'admin',
    });
    expect(taken).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(taken.chat_message).not.toContain('Penguins');
    expect((await call(app, 'GET', '/entities/discord:900:901/community')).body.data.community_id).toBe(
      penguins,
    );
  });

  it('4: the sole owner cannot leave; a member can and loses the context; Global cannot be left', async () => {
    const owner = await say(u1, '!community leave');
    expect(owner).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(owner.chat_message).toContain('last owner');

    const clearsBefore = cacheClears().length;
    const left = await say(u2, '!community leave');
    expect(left).toMatchObject({ success: true });
    await router.waitFor(
      (r) => r.path === '/router/admin/cache/clear' && cacheClears().length > clearsBefore,
      20_000,
    );
    const ctx = await db()
      .selectFrom('user_context')
      .selectAll()
      .where('user_id', '=', 'twitch:2222')
      .execute();
    expect(ctx).toHaveLength(0);
    expect((await say(u2, '!community members')).chat_message).toContain('!community context <name>');

    expect((await say(u2, '!community context Global Community')).success).toBe(true);
    const global = await say(u2, '!community leave');
    expect(global).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(global.chat_message).toContain('Global');
  });

  it('5: no session_id → 400; portal login validates the e-mail and never shows a password', async () => {
    const { session_id: _s, ...noSession } = chat(u1, '!community help');
    const bad = await call(app, 'POST', '/community', noSession);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const noUser = await call(app, 'POST', '/community', chat({ id: ' ', name: 'x' }, '!community list'));
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.details).toEqual([{ path: 'user.id', message: 'Required' }]);

    const noMessage = await call(app, 'POST', '/community', {
      ...chat(u1, '!community help'),
      raw_message: '',
    });
    expect(noMessage.status).toBe(400);

    expect((await say(u1, '!community context Penguins')).success).toBe(true);
    const invalid = await say(u1, '!community portal login add not-an-email');
    expect(invalid).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(portal.calls('POST', '/api/create_user')).toHaveLength(0);

    // Not deployed yet: a clear message, no crash.
    const missing = await say(u1, '!community portal login add owner@example.com');
    expect(missing).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
    expect(missing.chat_message).toContain('not available yet');

    portal.on('POST', '/api/create_user', {
      status: 201,
      body: { success: true, data: { user_id: 42, email_sent: true, password: 'Sup3rSecretTemp!' } },
    });
    const sent = await say(u1, '!community portal login add owner@example.com');
    expect(sent.success).toBe(true);
    expect(sent.chat_message).toContain('check your e-mail');
    expect(JSON.stringify(sent)).not.toContain('Sup3rSecretTemp');
    const req = portal.calls('POST', '/api/create_user').at(-1)!;
    expect(req.json).toMatchObject({
      platform: 'twitch',
      platform_user_id: '1111',
      platform_username: 'u1',
      email: 'owner@example.com',
    });
    expect(req.headers['x-service-key']).toBe(TEST_SERVICE_KEY);

    portal.on('POST', '/api/create_user', {
      status: 201,
      body: { success: true, data: { user_id: 42, email_sent: false, password: 'Sup3rSecretTemp!' } },
    });
    const failed = await say(u1, '!community portal login add owner@example.com');
    expect(failed).toMatchObject({ success: false });
    expect(failed.chat_message).toContain('Could not send the e-mail');
    expect(JSON.stringify(failed)).not.toContain('Sup3rSecretTemp');
    expect(rt.logLines.join('\n')).not.toContain('Sup3rSecretTemp');
  });

  it('portal login add is for owners only', async () => {
    const sent = portal.calls('POST', '/api/create_user').length;
    await say(u1, '!community add user 5555');
    const u5: ChatUser = { id: '5555', name: 'u5' };
    await say(u5, '!community context Penguins');
    const denied = await say(u5, '!community portal login add u5@example.com');
    expect(denied).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(portal.calls('POST', '/api/create_user')).toHaveLength(sent);
  });
});

describe('two Twitch channels in two communities', () => {
  const alice: ChatUser = { id: '7001', name: 'alice', uid: '701' };
  const bob: ChatUser = { id: '7002', name: 'bob', uid: '702' };
  let otters: number;
  let beavers: number;

  beforeAll(async () => {
    // Each is the broadcaster of the channel they add.
    const broadcaster = (entity: string) => ({ entity, platformRole: 'owner' as const });
    await say(alice, '!community create Otters', broadcaster('twitch:6001'));
    expect((await say(alice, '!community add entity twitch:6001', broadcaster('twitch:6001'))).success).toBe(
      true,
    );
    await say(bob, '!community create Beavers', broadcaster('twitch:6002'));
    expect((await say(bob, '!community add entity twitch:6002', broadcaster('twitch:6002'))).success).toBe(
      true,
    );
    otters = await communityId('Otters');
    beavers = await communityId('Beavers');
    // identity knows the 700x accounts only; everyone else keeps the platform key.
    identity.on('POST', '/identity/resolve', (r) =>
      r.json.platform_user_id.startsWith('700')
        ? {
            status: 200,
            body: { success: true, data: { uid: `70${r.json.platform_user_id.slice(-1)}`, created: false } },
          }
        : undefined,
    );
    // bob adds alice (uid 701, resolved by identity) to Beavers as a plain member.
    const added = await say(bob, '!community add user 7001', {
      entity: 'twitch:6002',
      community: beavers,
      role: 'owner',
    });
    expect(added.success).toBe(true);
    expect(added.chat_message).not.toContain('identity service');
  });

  it('each channel resolves to its own community, as the router reads it', async () => {
    const communityOf = async (entityId: string) =>
      (
        await db()
          .selectFrom('entity_groups')
          .select('community_id')
          .where((eb) => eb('entity_ids', '@>', JSON.stringify([entityId]) as never))
          .where('is_active', '=', true)
          .execute()
      ).map((r) => r.community_id);
    expect(await communityOf('twitch:6001')).toEqual([otters]);
    expect(await communityOf('twitch:6002')).toEqual([beavers]);
  });

  it('alice is owner of Otters and member of Beavers, by the stored rows the router reads', async () => {
    const roleIn = async (community: number) =>
      (await call(app, 'GET', `/users/701/communities/${community}/role`)).body.data.role;
    expect(await roleIn(otters)).toBe('owner');
    expect(await roleIn(beavers)).toBe('member');
    const rbac = await db()
      .selectFrom('community_rbac')
      .select(['community_id', 'role'])
      .where('user_id', '=', '701')
      .where('is_active', '=', true)
      .orderBy('community_id')
      .execute();
    expect(rbac).toEqual([
      { community_id: otters, role: 'owner' },
      { community_id: beavers, role: 'member' },
    ]);
  });

  it("alice's owner role in her channel does not carry over to Beavers", async () => {
    // Typed in her own channel (Otters), where the router says she is owner.
    const asOwner = {
      entity: 'twitch:6001',
      community: otters,
      role: 'owner' as const,
      platformRole: 'owner' as const,
    };
    expect((await say(alice, '!community context Beavers', asOwner)).success).toBe(true);
    const denied = await say(alice, '!community add entity twitch:6003', asOwner);
    expect(denied).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const deniedUser = await say(alice, '!community add user 7009', asOwner);
    expect(deniedUser).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const members = await say(alice, '!community members', asOwner);
    expect(members.chat_message).toContain('702 (owner');
    expect(members.chat_message).not.toContain('twitch:1111');
  });

  it('a community moderator adds channels of any platform that no community holds; a member cannot', async () => {
    const asBob = { entity: 'twitch:6002', community: beavers, role: 'owner' as const };
    await say(bob, '!community context Beavers', asBob);
    for (const target of ['twitch:6099', 'discord:93:94', 'slack:T9:C9']) {
      const res = await say(bob, `!community add entity ${target}`, asBob);
      expect(res, target).toMatchObject({ success: true });
      expect((await call(app, 'GET', `/entities/${target}/community`)).body.data.community_id).toBe(beavers);
    }
  });

  it('adding Discord channels groups them by server; malformed ids are refused', async () => {
    const inGuild = { entity: 'discord:91:1', platformRole: 'admin' as const };
    await say(bob, '!community context Beavers', inGuild);
    expect((await say(bob, '!community add entity', inGuild)).success).toBe(true);
    expect((await say(bob, '!community add entity discord:91:2', inGuild)).success).toBe(true);
    const groups = await db()
      .selectFrom('entity_groups')
      .select(['name', 'entity_ids'])
      .where('community_id', '=', beavers)
      .where('server_id', '=', '91')
      .where('is_active', '=', true)
      .execute();
    expect(groups).toEqual([{ name: 'discord:91', entity_ids: ['discord:91:1', 'discord:91:2'] }]);
    const bad = await say(bob, '!community add entity discord:91:1:9', inGuild);
    expect(bad).toMatchObject({ success: false, error_code: 'VALIDATION' });
    const twitchChannel = await say(bob, '!community add entity twitch:6002:x', inGuild);
    expect(twitchChannel).toMatchObject({ success: false, error_code: 'VALIDATION' });
  });

  it('moving a channel is refused while it belongs to another community, allowed after removal', async () => {
    // alice runs twitch:6001 (in Otters) and becomes a moderator of Beavers.
    expect(
      (await call(app, 'PUT', `/communities/${beavers}/members/701`, { role: 'moderator' })).status,
    ).toBe(200);
    const aliceHome = {
      entity: 'twitch:6001',
      community: otters,
      role: 'owner' as const,
      platformRole: 'owner' as const,
    };
    await say(alice, '!community context Beavers', aliceHome);
    const move = await say(alice, '!community add entity', aliceHome);
    expect(move).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(move.chat_message).not.toContain('Otters');
    expect((await call(app, 'GET', '/entities/twitch:6001/community')).body.data.community_id).toBe(otters);

    await say(alice, '!community context Otters', aliceHome);
    const removed = await say(alice, '!community remove entity twitch:6001', aliceHome);
    expect(removed.success).toBe(true);
    await router.waitFor(
      (r) => r.path === '/router/admin/cache/clear' && r.json?.entity_id === 'twitch:6001',
      20_000,
    );
    expect((await call(app, 'GET', '/entities/twitch:6001/community')).status).toBe(404);

    await say(alice, '!community context Beavers', aliceHome);
    const moved = await say(alice, '!community add entity', aliceHome);
    expect(moved.success).toBe(true);
    expect((await call(app, 'GET', '/entities/twitch:6001/community')).body.data.community_id).toBe(beavers);
    expect((await call(app, 'PUT', `/communities/${beavers}/members/701`, { role: 'member' })).status).toBe(
      200,
    );
  });

  it('concurrent adds of one entity to two communities: exactly one wins', async () => {
    // alice and bob both administer Discord server 77 and type in its channel 80.
    const inGuild = { entity: 'discord:77:80', platformRole: 'admin' as const };
    await say(alice, '!community context Otters', inGuild);
    await say(bob, '!community context Beavers', inGuild);
    // Several entities at once, so the two requests for each really overlap.
    const entities = ['discord:77:81', 'discord:77:82', 'discord:77:83', 'discord:77:84', 'discord:77'];
    const results = await Promise.all(
      entities.flatMap((e) => [
        say(alice, `!community add entity ${e}`, inGuild),
        say(bob, `!community add entity ${e}`, inGuild),
      ]),
    );
    for (let i = 0; i < entities.length; i++) {
      const pair = results.slice(2 * i, 2 * i + 2);
      expect(pair.filter((r) => r.success)).toHaveLength(1);
      expect(pair.find((r) => !r.success)!.error_code).toBe('CONFLICT');
      const holders = await db()
        .selectFrom('entity_groups')
        .select('community_id')
        .where((eb) => eb('entity_ids', '@>', JSON.stringify([entities[i]]) as never))
        .where('is_active', '=', true)
        .execute();
      expect(holders).toHaveLength(1);
    }
  });

  it('remove user: admins only; the owner is protected', async () => {
    const asAlice = { entity: 'twitch:6002', community: beavers, role: 'member' as const };
    await say(alice, '!community context Beavers', asAlice);
    const denied = await say(alice, '!community remove user 7002', asAlice);
    expect(denied).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const self = await say(bob, '!community remove user 7002', {
      entity: 'twitch:6002',
      community: beavers,
      role: 'owner',
    });
    expect(self).toMatchObject({ success: false, error_code: 'CONFLICT' });
    const removed = await say(bob, '!community remove user 7001', {
      entity: 'twitch:6002',
      community: beavers,
      role: 'owner',
    });
    expect(removed.success).toBe(true);
    expect((await call(app, 'GET', `/users/701/communities/${beavers}/role`)).body.data.role).toBeNull();
  });
});

describe('contexts, Global, install, help', () => {
  const carol: ChatUser = { id: '8001', name: 'carol' };

  it('a context expires after one hour', async () => {
    await say(carol, '!community create Walruses');
    expect((await say(carol, '!community info')).chat_message).toContain('Walruses');
    advance(3599);
    expect((await say(carol, '!community info')).success).toBe(true);
    advance(2);
    const expired = await say(carol, '!community info');
    expect(expired).toMatchObject({ success: false, error_code: 'USAGE' });
  });

  it('unknown and non-member communities cannot be chosen as context', async () => {
    expect(await say(carol, '!community context Nowhere')).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
    });
    expect(await say(carol, '!community context Penguins')).toMatchObject({
      success: false,
      error_code: 'FORBIDDEN',
    });
    expect(await say(carol, '!community info Penguins')).toMatchObject({
      success: false,
      error_code: 'FORBIDDEN',
    });
  });

  it('the Global community cannot be deleted or managed by its implicit members', async () => {
    await say(carol, '!community context global');
    const del = await say(carol, '!community delete Global Community', {
      role: 'owner',
      platformRole: 'owner',
    });
    expect(del).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const add = await say(carol, '!community add entity twitch:9999', {
      role: 'owner',
      platformRole: 'owner',
    });
    expect(add).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect((await say(carol, '!community info')).chat_message).toContain('everyone is a member');
    expect(
      await db().selectFrom('communities').select('is_active').where('id', '=', 1).executeTakeFirst(),
    ).toEqual({
      is_active: true,
    });
  });

  it('install relays the marketplace, and says so when it is not running', async () => {
    await say(carol, '!community context Walruses');
    const missing = await say(carol, '!community install spotify');
    expect(missing).toMatchObject({ success: false, error_code: 'NOT_CONNECTED' });
    expect(missing.chat_message).toContain('not available yet');

    marketplace.on('POST', '/marketplace/install', (r) =>
      r.json.module_id === 'paid'
        ? {
            status: 402,
            body: {
              success: false,
              error: { code: 'SUBSCRIPTION_REQUIRED', message: 'Subscription required', request_id: 'x' },
            },
          }
        : { status: 201, body: { success: true, data: { installation_id: 3, installed_version: '2.1.0' } } },
    );
    const ok = await say(carol, '!community install spotify');
    expect(ok).toMatchObject({ success: true });
    expect(ok.chat_message).toBe('Installed spotify v2.1.0 in Walruses.');
    const walruses = await communityId('Walruses');
    expect(marketplace.calls('POST', '/marketplace/install').at(-1)!.json).toEqual({
      module_id: 'spotify',
      community_id: walruses,
      user_id: 'twitch:8001',
      version: 'latest',
    });
    const paid = await say(carol, '!community install paid');
    expect(paid).toMatchObject({ success: false });
    expect(paid.chat_message).toContain('subscription');

    const carolsMember: ChatUser = { id: '8002', name: 'dave' };
    await say(carol, '!community add user 8002');
    await say(carolsMember, '!community context Walruses');
    const denied = await say(carolsMember, '!community install spotify');
    expect(denied).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
  });

  it('add entity asks marketplace to sync the community modules', async () => {
    // carol is the broadcaster of twitch:3131.
    const inHerChannel = { entity: 'twitch:3131', platformRole: 'owner' as const };
    await say(carol, '!community context Walruses', inHerChannel);
    expect((await say(carol, '!community add entity', inHerChannel)).success).toBe(true);
    const walruses = await communityId('Walruses');
    await marketplace.waitFor((r) => r.path === `/marketplace/community/${walruses}/sync`, 20_000);
  });

  it('delete needs the owner and the name typed again', async () => {
    await say(carol, '!community context Walruses');
    const unconfirmed = await say(carol, '!community delete');
    expect(unconfirmed).toMatchObject({ success: false, error_code: 'USAGE' });
    const walruses = await communityId('Walruses');
    const deleted = await say(carol, '!community delete walruses');
    expect(deleted.success).toBe(true);
    expect((await call(app, 'GET', '/entities/twitch:3131/community')).status).toBe(404);
    expect((await call(app, 'GET', `/communities/${walruses}`)).status).toBe(404);
    await router.waitFor(
      (r) => r.path === '/router/admin/cache/clear' && r.json?.entity_id === 'twitch:3131',
      20_000,
    );
    // The name is free again.
    expect((await say(carol, '!community create Walruses')).success).toBe(true);
  });

  it('add entity without an argument adds the channel it was typed in; "Global" is a reserved name', async () => {
    await say(carol, '!community context Walruses', { entity: 'twitch:3132' });
    const here = await say(carol, '!community add entity', { entity: 'twitch:3132', platformRole: 'owner' });
    expect(here).toMatchObject({ success: true });
    expect((await call(app, 'GET', '/entities/twitch:3132/community')).body.data.community_name).toBe(
      'Walruses',
    );
    expect(await say(carol, '!community create global')).toMatchObject({
      success: false,
      error_code: 'VALIDATION',
    });
    expect(await say(carol, '!community create x')).toMatchObject({
      success: false,
      error_code: 'VALIDATION',
    });
  });

  it('a platform administrator manages the Global community and any other', async () => {
    const root = rt.db.database.root;
    await sql`create schema if not exists identity`.execute(root);
    await sql`create table identity.auth_role (id serial primary key, name text not null)`.execute(root);
    await sql`create table identity.auth_user_roles (user_id integer not null, role_id integer not null)`.execute(
      root,
    );
    await sql`insert into identity.auth_role (id, name) values (1, 'admin')`.execute(root);
    await sql`insert into identity.auth_user_roles (user_id, role_id) values (4242, 1)`.execute(root);
    const admin: ChatUser = { id: '4242', name: 'root', uid: '4242' };
    await say(admin, '!community context Global Community');
    expect((await say(admin, '!community add entity twitch:4243')).success).toBe(true);
    expect((await call(app, 'GET', '/entities/twitch:4243/community')).body.data.community_id).toBe(1);
    // Not a member of Walruses, yet allowed in.
    expect((await say(admin, '!community context Walruses')).success).toBe(true);
    expect((await say(admin, '!community add entity twitch:4244')).success).toBe(true);
  });

  it('an owner may leave while another owner remains', async () => {
    await say(carol, '!community create Orcas');
    const orcas = await communityId('Orcas');
    expect(
      (await call(app, 'PUT', `/communities/${orcas}/members/twitch:8002`, { role: 'owner' })).status,
    ).toBe(200);
    expect((await say(carol, '!community leave')).success).toBe(true);
    expect((await call(app, 'GET', `/communities/${orcas}`)).body.data.owners).toEqual(['twitch:8002']);
  });

  it('two users creating one name at once: exactly one gets it', async () => {
    const names = ['Belugas', 'BELUGAS', 'belugas '];
    const users = names.map((_, i) => ({ id: `860${i}`, name: `racer${i}` }));
    const results = await Promise.all(names.map((n, i) => say(users[i]!, `!community create ${n}`)));
    expect(results.filter((r) => r.success)).toHaveLength(1);
    expect(results.filter((r) => !r.success).map((r) => r.error_code)).toEqual(['CONFLICT', 'CONFLICT']);
    const rows = await db()
      .selectFrom('communities')
      .select('id')
      .where(sql<boolean>`lower(name) = 'belugas'`)
      .where('is_active', '=', true)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('answers stay within one chat message', async () => {
    const long = await say(carol, `!community context ${'x'.repeat(600)}`);
    expect(long.success).toBe(false);
    expect(long.chat_message.length).toBeLessThanOrEqual(450);
    const unknown = await say(carol, `!community ${'y'.repeat(600)}`);
    expect(unknown.chat_message.length).toBeLessThanOrEqual(450);
  });

  it('help, unknown sub-commands and case-insensitive matching', async () => {
    expect((await say(carol, '!community help')).chat_message).toContain('!community list');
    expect((await say(carol, '!community')).chat_message).toContain('!community list');
    const unknown = await say(carol, '!community frobnicate');
    expect(unknown).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(unknown.chat_message).toContain('!community help');
    expect((await say(carol, '!community constructor')).success).toBe(false);
    expect((await say(carol, '!Community LIST')).chat_message).toContain('Walruses');
  });
});
