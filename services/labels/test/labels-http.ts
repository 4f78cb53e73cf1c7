import { signJwt } from '@waddlebot/core';
import { TEST_SECRET_KEY, serviceHeaders, type TestRuntime } from '@waddlebot/core/testing';

/** Request headers for the credentials core-and-admin §0.3 admits. */
export function credentials(rt: TestRuntime) {
  const jwtFor = (uid: string, roles: string[] = []) =>
    signJwt({ sub: uid, username: `user${uid}`, roles }, TEST_SECRET_KEY, { now: rt.clock.now() });
  return {
    svc: serviceHeaders(),
    noKey: { 'Content-Type': 'application/json' },
    wrongKey: serviceHeaders({ 'X-Service-Key': 'x'.repeat(44) }),
    asUser: (uid: string, roles: string[] = []) => ({
      Authorization: `Bearer ${jwtFor(uid, roles)}`,
      'Content-Type': 'application/json',
    }),
  };
}

/** Polls until `check` passes; the deadline is generous, it only bounds a hanging test. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 20));
  }
}
