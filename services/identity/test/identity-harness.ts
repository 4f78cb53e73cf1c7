import {
  TEST_SECRET_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { signJwt } from '@waddlebot/core';
import { service } from '../src/service.js';

export const SUBSCRIBERS = ['router', 'reputation', 'community', 'labels'] as const;
export const CODE_PATTERN = /\b([ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6})\b/;

export interface Harness {
  rt: TestRuntime;
  app: Awaited<ReturnType<TestRuntime['add']>>['app'];
  deps: Awaited<ReturnType<TestRuntime['add']>>['deps'];
  router: FakeServer;
  subscribers: Record<(typeof SUBSCRIBERS)[number], FakeServer>;
  close(): Promise<void>;
}

/** Identity with a recording router (outbound DMs, command seeding) and merge subscribers. */
export async function startIdentity(env: Record<string, string> = {}): Promise<Harness> {
  const router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: { id: 1 } } });
  router.on('POST', '/router/messages/outbound', {
    status: 200,
    body: { success: true, outbound_id: 'o1', duplicate: false },
  });
  const merged = { status: 200, body: { success: true, data: { merged: true } } };
  router.on('POST', '/internal/user-merged', merged);
  const subscribers = { router } as Harness['subscribers'];
  for (const name of SUBSCRIBERS.slice(1)) {
    subscribers[name] = await startFakeServer();
    subscribers[name].on('POST', '/internal/user-merged', merged);
  }
  const rt = await createTestRuntime({
    env: {
      ROUTER_URL: router.url,
      REPUTATION_URL: subscribers.reputation.url,
      COMMUNITY_URL: subscribers.community.url,
      LABELS_URL: subscribers.labels.url,
      USER_MERGE_SUBSCRIBERS: SUBSCRIBERS.join(','),
      WHISPER_RETRY_DELAY: '0',
      MERGE_NOTIFY_QUICK_RETRY_MS: '20,20,20,20,20',
      ...env,
    },
  });
  const { app, deps } = await rt.add(service);
  return {
    rt,
    app,
    deps,
    router,
    subscribers,
    async close() {
      await rt.close();
      for (const s of new Set(Object.values(subscribers))) await s.close();
    },
  };
}

/** Polls until `check` holds; generous deadline, no timing assertion. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The code in the newest DM the router got for `userName`. */
export async function codeSentTo(h: Harness, userName: string, after = 0): Promise<string> {
  const req = await eventually(() =>
    h.router
      .calls('POST', '/router/messages/outbound')
      .slice(after)
      .reverse()
      .find((r) => r.json?.user_name === userName),
  );
  const match = CODE_PATTERN.exec(String(req.json.text));
  if (!match) throw new Error('no code in the DM');
  return match[1]!;
}

export const jwtHeaders = (h: Harness, userId: string, roles: string[] = []) => ({
  Authorization: `Bearer ${signJwt({ sub: userId, username: `u${userId}`, roles }, TEST_SECRET_KEY, { now: h.rt.clock.now() })}`,
  'Content-Type': 'application/json',
});

export const json = { 'Content-Type': 'application/json' };

/** Registers `username` (e-mail `<username>@example.org`) and logs in: the new uid and its session token. */
export async function registerAndLogin(h: Harness, username: string, password = `${username} password`) {
  const reg = await call(
    h.app,
    'POST',
    '/auth/register',
    { username, email: `${username}@example.org`, password },
    json,
  );
  if (reg.status !== 201) throw new Error(`registering ${username} answered ${reg.status}`);
  const login = await call(h.app, 'POST', '/auth/login', { username, password }, json);
  if (login.status !== 200) throw new Error(`logging ${username} in answered ${login.status}`);
  return { userId: reg.body.data.user_id as string, token: login.body.data.token as string };
}

export { call, serviceHeaders };
