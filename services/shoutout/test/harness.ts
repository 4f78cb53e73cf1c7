import type { Env } from '@waddlebot/core';
import {
  call,
  createTestRuntime,
  startFakeServer,
  type FakeClock,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { startFakeTwitch, type FakeChannel, type FakeTwitch } from './fake-twitch.js';

export const CLIENT_ID = 'fake-client-id';
export const CLIENT_SECRET = 'fake-client-secret-0123456789';

export interface ShoutoutHarness {
  rt: TestRuntime;
  twitch: FakeTwitch;
  /** Plays the router: takes the start-up seeding. */
  router: FakeServer;
  app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  seeded: Promise<void>;
  clock: FakeClock;
  interact(body: unknown): ReturnType<typeof call>;
  putConfig(community: string, body: unknown, headers?: Record<string, string>): ReturnType<typeof call>;
  userRow(community: string, username: string): Promise<Record<string, any> | undefined>;
  historyRows(community: string): Promise<Record<string, any>[]>;
  close(): Promise<void>;
}

/**
 * The shoutout service on a test runtime, with a fake Twitch (Helix + id server) that knows
 * `channels` and a fake router; `env` adds to or overrides the service's variables.
 */
export async function startShoutoutHarness(channels: FakeChannel[], env: Env = {}): Promise<ShoutoutHarness> {
  const twitch = await startFakeTwitch(CLIENT_ID, CLIENT_SECRET);
  for (const channel of channels) twitch.channels.set(channel.login, channel);
  const router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  const rt = await createTestRuntime({
    env: {
      ROUTER_URL: router.url,
      TWITCH_API_BASE_URL: twitch.helix.url,
      TWITCH_AUTH_BASE_URL: twitch.id.url,
      TWITCH_CLIENT_ID: CLIENT_ID,
      TWITCH_CLIENT_SECRET: CLIENT_SECRET,
      OVERLAY_PARENT_DOMAIN: 'overlay.example.com',
      ...env,
    },
  });
  const svc = await rt.add(service);
  const db = () => rt.db.database.forSchema('shoutout');
  return {
    rt,
    twitch,
    router,
    app: svc.app,
    seeded: svc.seeded,
    clock: rt.clock as FakeClock,
    interact: (body) => call(svc.app, 'POST', '/interaction', body),
    putConfig: (community, body, headers) =>
      call(svc.app, 'PUT', `/api/v1/shoutout/${community}/config`, body, headers),
    userRow: (community, username) =>
      db()
        .selectFrom('shoutout_users')
        .selectAll()
        .where('community_id', '=', community)
        .where('username', '=', username)
        .executeTakeFirst(),
    historyRows: (community) =>
      db()
        .selectFrom('shoutout_history')
        .selectAll()
        .where('community_id', '=', community)
        .orderBy('id')
        .execute(),
    async close() {
      await rt.close();
      await twitch.close();
      await router.close();
    },
  };
}
