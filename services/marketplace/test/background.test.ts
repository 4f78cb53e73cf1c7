import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestRuntime, type FakeClock, type TestRuntime } from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { jwtHeaders, startFakeCommunity, startFakeRouter } from './fakes.js';

/** The maintenance loop: failed router syncs are retried without anyone calling /sync; subscriptions expire. */
let rt: TestRuntime;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let router: Awaited<ReturnType<typeof startFakeRouter>>;
let community: Awaited<ReturnType<typeof startFakeCommunity>>;
const db = () => rt.db.database.forSchema('marketplace');

/** Polls with a generous deadline: the loop runs every second, the machine may be busy. */
async function eventually<T>(read: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  router = await startFakeRouter();
  community = await startFakeCommunity();
  rt = await createTestRuntime({
    env: { ROUTER_URL: router.url, COMMUNITY_URL: community.url, MARKETPLACE_SYNC_RETRY_SECONDS: '1' },
  });
  app = (await rt.add(service)).app;
  const admin = jwtHeaders('1', ['admin'], rt.clock.now());
  await call(
    app,
    'POST',
    '/marketplace/modules',
    {
      module_id: 'quotes',
      display_name: 'Quotes',
      version: '1.0.0',
      author: 'q',
      category: 'utility',
      commands: [{ command: 'quote', location_url: 'https://quotes.example.test/q' }],
    },
    admin,
  );
  await call(app, 'PUT', '/marketplace/modules/quotes', { is_published: true }, admin);
}, 120_000);
afterAll(async () => {
  await rt.close();
  await router.close();
  await community.close();
});

describe('maintenance loop', { timeout: 120_000 }, () => {
  it('retries a router sync that failed during install until the router takes it', async () => {
    router.on('POST', '/router/admin/commands', { status: 503, body: { error: 'down' } });
    const res = await call(app, 'POST', '/marketplace/install', {
      module_id: 'quotes',
      community_id: 7,
      user_id: 'u-admin7',
    });
    expect(res.status).toBe(201);
    expect(res.body.data.warning).toMatch(/pending/);
    const queued = await db().selectFrom('router_sync_queue').selectAll().execute();
    expect(queued).toHaveLength(1);

    router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: { id: 77 } } });
    await eventually(async () =>
      router
        .calls('PUT', /^\/router\/admin\/commands\/77\/entities\//)
        .some((r) => r.path.endsWith('discord%3A900%3A901') && r.json.is_enabled === true),
    );
    await eventually(
      async () => (await db().selectFrom('router_sync_queue').selectAll().execute()).length === 0,
    );
  });

  it('deleting a module turns its commands off wherever it was installed', async () => {
    router.requests.length = 0;
    const admin = jwtHeaders('1', ['admin'], rt.clock.now());
    expect((await call(app, 'DELETE', '/marketplace/modules/quotes', undefined, admin)).status).toBe(200);
    await eventually(async () =>
      router
        .calls('PUT', /^\/router\/admin\/commands\/77\/entities\//)
        .some((r) => r.path.endsWith('twitch%3A1001') && r.json.is_enabled === false),
    );
    const list = await call(app, 'GET', '/marketplace/community/7/modules');
    expect(list.body.data.modules.map((m: { module_id: string }) => m.module_id)).not.toContain('quotes');
  });

  it('marks an active subscription past its grace end as expired', async () => {
    expect(
      (await call(app, 'POST', '/marketplace/subscription/create', { community_id: 9, duration_days: 1 }))
        .status,
    ).toBe(201);
    (rt.clock as FakeClock).advance(9 * 86_400_000);
    await eventually(async () => {
      const row = await db()
        .selectFrom('community_subscriptions')
        .select('subscription_status')
        .where('community_id', '=', 9)
        .executeTakeFirst();
      return row?.subscription_status === 'expired';
    });
  });
});
