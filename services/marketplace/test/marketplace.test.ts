import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { jwtHeaders, startFakeCommunity, startFakeRouter } from './fakes.js';

let rt: TestRuntime;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let router: Awaited<ReturnType<typeof startFakeRouter>>;
let community: FakeServer;

const noKey = { 'Content-Type': 'application/json' };
const wrongKey = serviceHeaders({ 'X-Service-Key': 'w'.repeat(48) });
const admin = () => jwtHeaders('9000', ['admin'], rt.clock.now());
const user = (sub: string) => jwtHeaders(sub, [], rt.clock.now());
const db = () => rt.db.database.forSchema('marketplace');

const diceCommands = [
  { command: 'dice', location_url: 'https://dice.example.test/roll', description: 'Roll dice' },
  { command: 'd20', location_url: 'https://dice.example.test/roll', location: 'community' },
];

async function addModule(body: Record<string, unknown>, publish = true) {
  const res = await call(app, 'POST', '/marketplace/modules', body, admin());
  expect(res.status).toBe(201);
  if (publish) {
    const put = await call(
      app,
      'PUT',
      `/marketplace/modules/${body.module_id as string}`,
      { is_published: true },
      admin(),
    );
    expect(put.status).toBe(200);
  }
  return res.body.data;
}

const install = (body: Record<string, unknown>, headers = serviceHeaders()) =>
  call(app, 'POST', '/marketplace/install', body, headers);
const uninstall = (body: Record<string, unknown>) => call(app, 'POST', '/marketplace/uninstall', body);
const toggleIn7 = (body: Record<string, unknown>) =>
  call(app, 'POST', '/marketplace/community/7/toggle', body);
const putDiceConfig = (communityId: number, body: Record<string, unknown>) =>
  call(app, 'PUT', `/marketplace/community/${communityId}/modules/dice/config`, body);
const reviewDice = (body: Record<string, unknown>, headers = serviceHeaders()) =>
  call(app, 'POST', '/marketplace/module/dice/reviews', body, headers);
/** The module ids in a community's effective module set. */
const effectiveModuleIds = async (communityId: number): Promise<string[]> =>
  (await call(app, 'GET', `/marketplace/community/${communityId}/modules`)).body.data.modules.map(
    (m: { module_id: string }) => m.module_id,
  );
const enablementPuts = () =>
  router.calls('PUT', /^\/router\/admin\/commands\/\d+\/entities\//).map((r) => ({
    id: Number(r.path.split('/')[4]),
    entity: decodeURIComponent(r.path.split('/')[6]!),
    is_enabled: r.json.is_enabled as boolean,
  }));

beforeAll(async () => {
  router = await startFakeRouter();
  community = await startFakeCommunity();
  rt = await createTestRuntime({ env: { ROUTER_URL: router.url, COMMUNITY_URL: community.url } });
  app = (await rt.add(service)).app;

  await addModule({
    module_id: 'dice',
    display_name: 'Dice Roller',
    version: '1.0.0',
    author: 'Ann',
    category: 'games',
    description: 'Roll any dice in chat',
    is_featured: true,
    commands: diceCommands,
  });
  const v = await call(
    app,
    'POST',
    '/marketplace/modules/dice/versions',
    { version: '1.2.0', changelog: 'faster' },
    admin(),
  );
  expect(v.status).toBe(201);
  await addModule({
    module_id: 'jukebox',
    display_name: 'Jukebox',
    version: '0.3.0',
    author: 'Ben',
    category: 'music',
    tags: ['Music', 'queue'],
    description: 'Plays requests',
  });
  await addModule({
    module_id: 'trivia-pro',
    display_name: 'Trivia Pro',
    version: '2.0.0',
    author: 'Cy',
    category: 'games',
    price: 4.99,
    description: 'Premium trivia rounds for big communities',
    commands: [{ command: 'trivia', location_url: 'https://trivia.example.test/hook' }],
  });
  await addModule(
    { module_id: 'secret-draft', display_name: 'Draft', version: '0.0.1', author: 'Dee', category: 'games' },
    false,
  );
});
afterAll(async () => {
  await rt.close();
  await router.close();
  await community.close();
});
beforeEach(() => {
  router.requests.length = 0;
});

describe('authentication', () => {
  const protectedRoutes: [string, string, unknown?][] = [
    ['POST', '/marketplace/install', { module_id: 'dice', community_id: 7 }],
    ['POST', '/marketplace/uninstall', { module_id: 'dice', community_id: 7 }],
    ['GET', '/marketplace/community/7/modules'],
    ['POST', '/marketplace/community/7/toggle', { module_id: 'dice', enabled: true }],
    ['POST', '/marketplace/community/7/sync', {}],
    ['PUT', '/marketplace/community/7/modules/dice/config', { config: {} }],
    ['POST', '/marketplace/module/dice/reviews', { community_id: 7, rating: 4 }],
    ['POST', '/marketplace/modules', {}],
    ['PUT', '/marketplace/modules/dice', {}],
    ['DELETE', '/marketplace/modules/dice'],
    ['POST', '/marketplace/modules/dice/versions', { version: '9' }],
    ['GET', '/marketplace/subscription/7'],
    ['POST', '/marketplace/subscription/create', { community_id: 7 }],
    ['POST', '/marketplace/subscription/renew', { community_id: 7 }],
    ['POST', '/marketplace/subscription/cancel', { community_id: 7 }],
    ['GET', '/marketplace/subscription/7/payments'],
    ['POST', '/marketplace/subscription/payment', {}],
    ['POST', '/marketplace/subscription/check-paid-access', { community_id: 7, module_price: 1 }],
  ];
  it.each(protectedRoutes)('%s %s: 401 without or with a wrong credential', async (method, path, body) => {
    const none = await call(app, method, path, body, noKey);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, method, path, body, wrongKey);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });

  it('public catalogue routes need no credential', async () => {
    for (const path of [
      '/marketplace',
      '/marketplace/browse',
      '/marketplace/categories',
      '/marketplace/search?q=dice',
      '/marketplace/module/dice',
      '/marketplace/module/dice/reviews',
    ])
      expect((await call(app, 'GET', path, undefined, noKey)).status).toBe(200);
  });

  it('catalogue writes need a platform administrator', async () => {
    const body = { module_id: 'nope', display_name: 'N', version: '1', author: 'x', category: 'games' };
    const res = await call(app, 'POST', '/marketplace/modules', body, user('u-owner7'));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(
      (await call(app, 'PUT', '/marketplace/modules/dice', { price: 100 }, user('u-owner7'))).status,
    ).toBe(403);
    expect((await call(app, 'DELETE', '/marketplace/modules/dice', undefined, user('u-owner7'))).status).toBe(
      403,
    );
    const row = await db()
      .selectFrom('marketplace_modules')
      .select('price')
      .where('module_id', '=', 'dice')
      .executeTakeFirstOrThrow();
    expect(Number(row.price)).toBe(0);
  });
});

describe('§8.6.1 catalogue', () => {
  it('storefront lists the featured module, categories and not the unpublished one', async () => {
    const res = await call(app, 'GET', '/marketplace', undefined, noKey);
    expect(res.body.data.featured_modules.map((m: { module_id: string }) => m.module_id)).toEqual(['dice']);
    expect(res.body.data.categories.map((c: { name: string }) => c.name)).toContain('games');
    const all = [...res.body.data.popular_modules, ...res.body.data.recent_modules].map(
      (m: { module_id: string }) => m.module_id,
    );
    expect(all).not.toContain('secret-draft');
  });

  it('browse by tag, capped per_page, bad sort and page', async () => {
    const res = await call(
      app,
      'GET',
      '/marketplace/browse?search=music&sort=name&per_page=100',
      undefined,
      noKey,
    );
    expect(res.status).toBe(200);
    expect(res.body.data.modules.map((m: { module_id: string }) => m.module_id)).toEqual([
      'jukebox',
      'spotify',
      'youtube-music',
    ]);
    expect(res.body.meta.per_page).toBe(50);
    const tagOnly = await call(app, 'GET', '/marketplace/browse?search=queue', undefined, noKey);
    expect(tagOnly.body.data.modules.map((m: { module_id: string }) => m.module_id)).toEqual(['jukebox']);
    const two = await call(app, 'GET', '/marketplace/browse?search=roll%20dice', undefined, noKey);
    expect(two.body.data.modules.map((m: { module_id: string }) => m.module_id)).toEqual(['dice']);
    for (const q of ['sort=banana', 'page=0', 'page=x', 'per_page=0', 'community_id=abc']) {
      const bad = await call(app, 'GET', `/marketplace/browse?${q}`, undefined, noKey);
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('browse pages and filters by category', async () => {
    const p1 = await call(
      app,
      'GET',
      '/marketplace/browse?category=games&sort=name&per_page=1',
      undefined,
      noKey,
    );
    expect(p1.body.meta).toMatchObject({ page: 1, per_page: 1, total: 2, total_pages: 2, has_next: true });
    expect(p1.body.data.modules[0].module_id).toBe('dice');
    const p2 = await call(
      app,
      'GET',
      '/marketplace/browse?category=games&sort=name&per_page=1&page=2',
      undefined,
      noKey,
    );
    expect(p2.body.data.modules[0]).toMatchObject({
      module_id: 'trivia-pro',
      subscription_required: true,
      can_install: false,
    });
  });

  it('details, categories with counts, search suggestions', async () => {
    const d = await call(app, 'GET', '/marketplace/module/dice', undefined, noKey);
    expect(d.body.data.versions.map((v: { version: string }) => v.version)).toEqual(['1.2.0', '1.0.0']);
    expect(
      d.body.data.commands.map((c: { command: string; prefix: string }) => `${c.prefix}${c.command}`),
    ).toEqual(['!dice', '#d20']);
    expect((await call(app, 'GET', '/marketplace/module/secret-draft', undefined, noKey)).status).toBe(404);
    expect((await call(app, 'GET', '/marketplace/module/Bad%20Id', undefined, noKey)).status).toBe(400);
    const cats = await call(app, 'GET', '/marketplace/categories', undefined, noKey);
    expect(cats.body.data.categories.find((c: { name: string }) => c.name === 'games').module_count).toBe(2);
    const s = await call(app, 'GET', '/marketplace/search?q=trivia&limit=99', undefined, noKey);
    expect(s.body.data.suggestions).toEqual([
      {
        module_id: 'trivia-pro',
        name: 'Trivia Pro',
        description: 'Premium trivia rounds for big communities',
        rating: 0,
      },
    ]);
    expect(
      (await call(app, 'GET', '/marketplace/search?q=t', undefined, noKey)).body.data.suggestions,
    ).toEqual([]);
  });

  it('catalogue writes: duplicate id 409, bad id 400, core module cannot be deleted', async () => {
    const dup = await call(
      app,
      'POST',
      '/marketplace/modules',
      { module_id: 'dice', display_name: 'x', version: '1', author: 'x', category: 'games' },
      admin(),
    );
    expect(dup.status).toBe(409);
    const bad = await call(
      app,
      'POST',
      '/marketplace/modules',
      { module_id: 'No', display_name: 'x', version: '1', author: 'x', category: 'games' },
      admin(),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('module_id');
    expect((await call(app, 'DELETE', '/marketplace/modules/inventory', undefined, admin())).status).toBe(
      409,
    );
    expect(
      (await call(app, 'POST', '/marketplace/modules/dice/versions', { version: '1.2.0' }, admin())).status,
    ).toBe(409);
    expect((await call(app, 'PUT', '/marketplace/modules/ghost', { price: 1 }, admin())).status).toBe(404);
  });
});

describe('§8.6.2 install', () => {
  it('an admin installs the latest version; the router enables every command on every channel', async () => {
    const res = await install({ module_id: 'dice', community_id: '7', user_id: 'u-admin7' });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({ installed_version: '1.2.0' });
    expect(res.body.data.warning).toBeUndefined();
    const registered = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    expect(registered.map((r) => `${r.prefix}${r.command}`)).toEqual(['!dice', '#d20']);
    expect(registered[0]).toMatchObject({
      module_id: 'dice',
      module_name: 'dice',
      enabled_by_default: false,
    });
    expect(router.calls('POST', '/router/admin/commands')[0]!.headers['x-service-key']).toBe(
      TEST_SERVICE_KEY,
    );
    const puts = enablementPuts();
    const dice = router.ids.get('!dice')!;
    const d20 = router.ids.get('#d20')!;
    expect(puts).toEqual(
      expect.arrayContaining([
        { id: dice, entity: 'twitch:1001', is_enabled: true },
        { id: dice, entity: 'discord:900:901', is_enabled: true },
        { id: d20, entity: 'twitch:1001', is_enabled: true },
        { id: d20, entity: 'discord:900:901', is_enabled: true },
      ]),
    );
    expect(puts).toHaveLength(4);
    const m = await db()
      .selectFrom('marketplace_modules')
      .select('download_count')
      .where('module_id', '=', 'dice')
      .executeTakeFirstOrThrow();
    expect(m.download_count).toBe(1);
    const downloads = await db().selectFrom('module_downloads').selectAll().execute();
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatchObject({ community_id: 7, version: '1.2.0', download_type: 'install' });
  });

  it("again → 409; a plain member or another community's admin → 403; nothing changes", async () => {
    expect((await install({ module_id: 'dice', community_id: 7, user_id: 'u-admin7' })).status).toBe(409);
    const before = await db().selectFrom('module_installations').selectAll().execute();
    for (const u of ['u-member7', 'u-mod7', 'u-admin9']) {
      const res = await install({ module_id: 'jukebox', community_id: 7, user_id: u });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    const jwt = await install({ module_id: 'jukebox', community_id: 7 }, user('u-admin9'));
    expect(jwt.status).toBe(403);
    expect(await db().selectFrom('module_installations').selectAll().execute()).toEqual(before);
  });

  it('validation and not-found answers', async () => {
    const noUser = await install({ module_id: 'jukebox', community_id: 7 });
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.details[0].path).toBe('user_id');
    expect((await install({ module_id: 'jukebox', community_id: 'seven', user_id: 'u-admin7' })).status).toBe(
      400,
    );
    expect((await install({ module_id: 'ghost', community_id: 7, user_id: 'u-admin7' })).status).toBe(404);
    expect((await install({ module_id: 'secret-draft', community_id: 7, user_id: 'u-admin7' })).status).toBe(
      404,
    );
    expect((await install({ module_id: 'jukebox', community_id: 404, user_id: 'u-admin7' })).status).toBe(
      404,
    );
    expect(
      (await install({ module_id: 'jukebox', community_id: 7, user_id: 'u-admin7', version: '9.9.9' }))
        .status,
    ).toBe(404);
    const malformed = await app.request('/marketplace/install', {
      method: 'POST',
      headers: serviceHeaders(),
      body: '{"module_id":',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('VALIDATION_ERROR');
    expect(
      await db().selectFrom('module_installations').select('id').where('community_id', '=', 404).execute(),
    ).toEqual([]);
  });

  it('the effective list shows dice enabled plus the core modules; only for that community', async () => {
    const res = await call(app, 'GET', '/marketplace/community/7/modules');
    expect(res.status).toBe(200);
    const ids = res.body.data.modules.map((m: { module_id: string }) => m.module_id);
    expect(ids).toEqual(expect.arrayContaining(['dice', 'inventory', 'spotify', 'alias']));
    expect(ids).not.toContain('jukebox');
    expect(
      res.body.data.modules.find((m: { module_id: string }) => m.module_id === 'dice').installation,
    ).toMatchObject({
      version: '1.2.0',
      enabled: true,
    });
    expect(await effectiveModuleIds(9)).not.toContain('dice');
    expect(
      (await call(app, 'GET', '/marketplace/community/7/modules', undefined, user('u-member7'))).status,
    ).toBe(200);
    expect(
      (await call(app, 'GET', '/marketplace/community/7/modules', undefined, user('u-admin9'))).status,
    ).toBe(403);
    expect((await call(app, 'GET', '/marketplace/community/404/modules')).status).toBe(404);
  });

  it('a JWT community admin installs as itself; a platform admin anywhere', async () => {
    const res = await install(
      { module_id: 'jukebox', community_id: 9, user_id: 'u-admin7' },
      user('u-admin9'),
    );
    expect(res.status).toBe(201);
    const row = await db()
      .selectFrom('module_installations')
      .selectAll()
      .where('community_id', '=', 9)
      .executeTakeFirstOrThrow();
    expect(row.installed_by).toBe('u-admin9');
    expect((await install({ module_id: 'jukebox', community_id: 12 }, admin())).status).toBe(201);
  });
});

describe('router failure during install', () => {
  it('commits the install, answers with a warning and finishes the sync on retry', async () => {
    router.on('PUT', /^\/router\/admin\/commands\/\d+\/entities\/.+$/, {
      status: 500,
      body: { error: 'boom' },
    });
    const res = await install({ module_id: 'dice', community_id: 9, user_id: 'u-admin9' });
    expect(res.status).toBe(201);
    expect(res.body.data.warning).toMatch(/pending/);
    expect(JSON.stringify(res.body)).not.toContain('boom');
    const queued = await db()
      .selectFrom('router_sync_queue')
      .selectAll()
      .where('community_id', '=', 9)
      .execute();
    expect(queued).toHaveLength(1);

    const down = await call(app, 'POST', '/marketplace/community/9/sync', {});
    expect(down.status).toBe(502);
    expect(down.body.error.code).toBe('UPSTREAM_ERROR');

    router.on('PUT', /^\/router\/admin\/commands\/\d+\/entities\/.+$/, { body: { success: true, data: {} } });
    router.requests.length = 0;
    const sync = await call(app, 'POST', '/marketplace/community/9/sync', {});
    expect(sync.status).toBe(200);
    expect(sync.body.data.entities).toBe(1);
    expect(enablementPuts()).toEqual(
      expect.arrayContaining([{ id: router.ids.get('!dice'), entity: 'slack:T9:C9', is_enabled: true }]),
    );
    expect(
      await db().selectFrom('router_sync_queue').selectAll().where('community_id', '=', 9).execute(),
    ).toEqual([]);
    expect((await call(app, 'POST', '/marketplace/community/404/sync', {})).status).toBe(404);
  });
});

describe('§8.6.3 paid modules', () => {
  it('402 without a subscription; 201 with one; a warning near the end', async () => {
    const refused = await install({ module_id: 'trivia-pro', community_id: 7, user_id: 'u-owner7' });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('SUBSCRIPTION_REQUIRED');
    expect(refused.body.error.details[0]).toMatchObject({
      subscription_status: 'none',
      module_price: 4.99,
      currency: 'USD',
    });

    const created = await call(app, 'POST', '/marketplace/subscription/create', {
      community_id: 7,
      duration_days: 30,
    });
    expect(created.status).toBe(201);
    const sub = await call(app, 'GET', '/marketplace/subscription/7');
    expect(sub.body.data.subscription).toMatchObject({
      has_subscription: true,
      subscription_status: 'active',
      can_install_paid: true,
      days_remaining: 30,
    });
    expect((await call(app, 'GET', '/marketplace/subscription/7', undefined, user('u-admin9'))).status).toBe(
      403,
    );

    (rt.clock as FakeClock).advance(28 * 86_400_000);
    const ok = await install({ module_id: 'trivia-pro', community_id: 7, user_id: 'u-owner7' });
    expect(ok.status).toBe(201);
    expect(ok.body.data.warning).toMatch(/expires in 2 days/);
    expect(ok.body.data.expires_at).toBeDefined();

    // In the grace period a paid install still works; after it the community is refused.
    (rt.clock as FakeClock).advance(5 * 86_400_000);
    const check = await call(app, 'POST', '/marketplace/subscription/check-paid-access', {
      community_id: 7,
      module_price: 4.99,
    });
    expect(check.body.data).toMatchObject({
      access_check: { allowed: true, reason: 'grace_period' },
      subscription_status: 'active',
    });
    (rt.clock as FakeClock).advance(5 * 86_400_000);
    const late = await call(app, 'POST', '/marketplace/subscription/check-paid-access', {
      community_id: 7,
      module_price: 4.99,
    });
    expect(late.body.data).toMatchObject({
      access_check: { allowed: false },
      subscription_status: 'expired',
    });

    const renewed = await call(app, 'POST', '/marketplace/subscription/renew', {
      community_id: 7,
      duration_days: 10,
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.data.subscription_status).toBe('active');
    const cancelled = await call(app, 'POST', '/marketplace/subscription/cancel', {
      community_id: 7,
      reason: 'moving',
    });
    expect(cancelled.body.data.subscription_status).toBe('cancelled');
    expect((await call(app, 'POST', '/marketplace/subscription/renew', { community_id: 12 })).status).toBe(
      404,
    );
    expect(
      (await call(app, 'POST', '/marketplace/subscription/create', { community_id: 7, duration_days: 0 }))
        .status,
    ).toBe(400);
    expect(
      (await call(app, 'POST', '/marketplace/subscription/create', { community_id: 7 }, user('u-owner7')))
        .status,
    ).toBe(403);
  });

  it('payments are recorded and listed per community', async () => {
    const p = await call(app, 'POST', '/marketplace/subscription/payment', {
      community_id: 7,
      payment_id: 'pay_1',
      payment_method: 'card',
      amount: 4.99,
    });
    expect(p.status).toBe(201);
    const list = await call(app, 'GET', '/marketplace/subscription/7/payments?limit=500');
    expect(list.status).toBe(400);
    const ok = await call(app, 'GET', '/marketplace/subscription/7/payments');
    expect(ok.body.data).toMatchObject({ total: 1, payments: [{ payment_id: 'pay_1', amount: 4.99 }] });
    expect((await call(app, 'GET', '/marketplace/subscription/9/payments')).body.data.total).toBe(0);
  });
});

describe('§8.6.4 reviews', () => {
  it('not installed → 400; rating 6 → 400; a second review replaces the first', async () => {
    /** Community 7's member u-member7 reviews dice. */
    const memberReview = (rating: number) =>
      reviewDice({ community_id: 7, user_id: 'u-member7', user_name: 'M', rating });
    const notInstalled = await reviewDice({
      community_id: 12,
      user_id: 'u-admin12',
      user_name: 'Ada',
      rating: 4,
    });
    expect(notInstalled.status).toBe(400);
    const six = await memberReview(6);
    expect(six.status).toBe(400);
    const first = await memberReview(4);
    expect(first.status).toBe(201);
    const second = await memberReview(2);
    expect(second.status).toBe(200);
    expect(second.body.data).toMatchObject({
      review_id: first.body.data.review_id,
      rating_average: 2,
      rating_count: 1,
    });
    const other = await reviewDice({ community_id: 7, rating: 5 }, user('u-owner7'));
    expect(other.status).toBe(201);
    expect(other.body.data).toMatchObject({ rating_average: 3.5, rating_count: 2 });
    const outsider = await reviewDice({ community_id: 7, rating: 1 }, user('u-admin12'));
    expect(outsider.status).toBe(403);
    const list = await call(app, 'GET', '/marketplace/module/dice/reviews?per_page=1', undefined, noKey);
    expect(list.body.meta).toMatchObject({ total: 2, per_page: 1 });
    expect((await call(app, 'GET', '/marketplace/module/ghost/reviews', undefined, noKey)).status).toBe(404);
  });
});

describe('§8.6.5 uninstall, toggle, core modules, config', () => {
  it('config is per community and needs the install permission', async () => {
    const put = await putDiceConfig(7, {
      config: { sides: 12 },
      user_id: 'u-admin7',
    });
    expect(put.status).toBe(200);
    expect(put.body.data).toEqual({ module_id: 'dice', config: { sides: 12 } });
    expect(
      (
        await putDiceConfig(7, {
          config: { sides: 1 },
          user_id: 'u-member7',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await putDiceConfig(12, {
          config: {},
          user_id: 'u-admin12',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await putDiceConfig(7, {
          config: 'x',
          user_id: 'u-admin7',
        })
      ).status,
    ).toBe(400);
    const list = await call(app, 'GET', '/marketplace/community/7/modules');
    expect(
      list.body.data.modules.find((m: { module_id: string }) => m.module_id === 'dice').installation.config,
    ).toEqual({ sides: 12 });
  });

  it('toggling off disables the router commands for every channel', async () => {
    const off = await toggleIn7({
      module_id: 'dice',
      enabled: false,
      user_id: 'u-admin7',
    });
    expect(off.status).toBe(200);
    expect(off.body.data).toEqual({ module_id: 'dice', enabled: false });
    expect(enablementPuts().every((p) => !p.is_enabled)).toBe(true);
    expect(enablementPuts()).toHaveLength(4);
    const on = await toggleIn7({
      module_id: 'dice',
      enabled: true,
      user_id: 'u-admin7',
    });
    expect(on.body.data.enabled).toBe(true);
    expect(
      (
        await toggleIn7({
          module_id: 'dice',
          enabled: 'yes',
          user_id: 'u-admin7',
        })
      ).status,
    ).toBe(400);
  });

  it('uninstall → 200, again → 404, toggle → 404', async () => {
    const res = await uninstall({
      module_id: 'dice',
      community_id: 7,
      user_id: 'u-admin7',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.uninstalled).toBe(true);
    expect(
      enablementPuts()
        .filter((p) => p.entity === 'twitch:1001')
        .every((p) => !p.is_enabled),
    ).toBe(true);
    expect(
      (
        await uninstall({
          module_id: 'dice',
          community_id: 7,
          user_id: 'u-admin7',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await toggleIn7({
          module_id: 'dice',
          enabled: true,
          user_id: 'u-admin7',
        })
      ).status,
    ).toBe(404);
    // Community 9's install is untouched.
    expect(await effectiveModuleIds(9)).toContain('dice');
  });

  it('uninstalling a core module removes it from the effective list; installing re-enables it', async () => {
    const res = await uninstall({
      module_id: 'inventory',
      community_id: 7,
      user_id: 'u-owner7',
    });
    expect(res.status).toBe(200);
    expect(enablementPuts()).toEqual(
      expect.arrayContaining([
        { id: 501, entity: 'twitch:1001', is_enabled: false },
        { id: 502, entity: 'discord:900:901', is_enabled: false },
      ]),
    );
    expect(enablementPuts().some((p) => p.id === 503)).toBe(false);
    expect(router.calls('POST', '/router/admin/commands')).toHaveLength(0);
    expect(await effectiveModuleIds(7)).not.toContain('inventory');
    expect(
      (
        await uninstall({
          module_id: 'inventory',
          community_id: 7,
          user_id: 'u-owner7',
        })
      ).status,
    ).toBe(404);
    const again = await install({ module_id: 'inventory', community_id: 7, user_id: 'u-owner7' });
    expect(again.status).toBe(201);
    expect(await effectiveModuleIds(7)).toContain('inventory');
    expect((await install({ module_id: 'inventory', community_id: 7, user_id: 'u-owner7' })).status).toBe(
      409,
    );
    // Another community still has it.
    expect(await effectiveModuleIds(9)).toContain('inventory');
  });
});

describe("one community's admin cannot change another's installs", () => {
  const writes: [string, string, Record<string, unknown>][] = [
    ['POST', '/marketplace/install', { module_id: 'jukebox', community_id: 7 }],
    ['POST', '/marketplace/uninstall', { module_id: 'spotify', community_id: 7 }],
    ['POST', '/marketplace/community/7/toggle', { module_id: 'spotify', enabled: false }],
    ['PUT', '/marketplace/community/7/modules/spotify/config', { config: { k: 1 } }],
  ];
  it.each(writes)(
    '%s %s → 403 by service-named user and by JWT; nothing changes',
    async (method, path, body) => {
      const before = await db().selectFrom('module_installations').selectAll().orderBy('id').execute();
      const svc = await call(app, method, path, { ...body, user_id: 'u-admin9' });
      expect(svc.status).toBe(403);
      const jwt = await call(app, method, path, body, user('u-admin9'));
      expect(jwt.status).toBe(403);
      expect(await db().selectFrom('module_installations').selectAll().orderBy('id').execute()).toEqual(
        before,
      );
    },
  );
});

describe('secrets', () => {
  it('the service key never reaches a log line or a response', async () => {
    expect(rt.logLines.some((l) => l.includes(TEST_SERVICE_KEY))).toBe(false);
    const res = await call(app, 'GET', '/marketplace/community/7/modules');
    expect(JSON.stringify(res.body)).not.toContain(TEST_SERVICE_KEY);
  });
});
