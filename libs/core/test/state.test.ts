import { afterAll, describe, expect, it } from 'vitest';
import { DedupStore, FakeClock, SessionStore, TtlCache, type StateBackend } from '../src/index.js';
import { createTestState, stateBackendsUnderTest } from '../src/testing/index.js';

// One suite, run against every backend available: in-memory always, Redis when TEST_REDIS_URL is set.
describe.each(stateBackendsUnderTest())('state backend: %s', (kind) => {
  const clock = new FakeClock('2025-11-20T18:00:00Z');
  const state: StateBackend = createTestState(clock, kind);
  afterAll(() => state.close());

  it('SET NX claims a key once', async () => {
    expect(await state.kv.setIfAbsent('dedup:a', '1', 60)).toBe(true);
    expect(await state.kv.setIfAbsent('dedup:a', '1', 60)).toBe(false);
    expect(await state.kv.get('dedup:a')).toBe('1');
  });

  it('deletes by prefix and counts with incr', async () => {
    await state.kv.set('cache:x:1', 'a', 60);
    await state.kv.set('cache:x:2', 'b', 60);
    await state.kv.set('cache:y:1', 'c', 60);
    expect(await state.kv.delPrefix('cache:x:')).toBe(2);
    expect(await state.kv.get('cache:x:1')).toBeNull();
    expect(await state.kv.get('cache:y:1')).toBe('c');
    expect(await state.kv.incr('counter', 60)).toBe(1);
    expect(await state.kv.incr('counter', 60)).toBe(2);
    expect(await state.kv.ttl('counter')).toBeGreaterThan(0);
  });

  it('sliding-window limiter admits `limit` hits per window and reports retry-after', async () => {
    const key = `rl:${kind}:1`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await state.rateLimiter.hit(key, 3, 60));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(0);
    expect(results[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
    // Rejected attempts do not count: only 3 hits are in the window.
    expect(await state.rateLimiter.peek(key, 60)).toBe(3);
  });

  it('the window slides: a slot frees when the oldest hit leaves it', async () => {
    const key = `rl:${kind}:2`;
    await state.rateLimiter.hit(key, 2, 10);
    clock.advance(6_000);
    await state.rateLimiter.hit(key, 2, 10);
    expect((await state.rateLimiter.hit(key, 2, 10)).allowed).toBe(false);
    clock.advance(4_500); // the first hit is now 10.5 s old
    expect((await state.rateLimiter.hit(key, 2, 10)).allowed).toBe(true);
    expect((await state.rateLimiter.hit(key, 2, 10)).allowed).toBe(false);
  });

  it('resets one key or a whole prefix', async () => {
    await state.rateLimiter.hit('rl:user:9:a', 1, 60);
    await state.rateLimiter.hit('rl:user:9:b', 1, 60);
    expect((await state.rateLimiter.hit('rl:user:9:a', 1, 60)).allowed).toBe(false);
    expect(await state.rateLimiter.resetPrefix('rl:user:9:')).toBe(2);
    expect((await state.rateLimiter.hit('rl:user:9:a', 1, 60)).allowed).toBe(true);
    await state.rateLimiter.reset('rl:user:9:a');
    expect(await state.rateLimiter.peek('rl:user:9:a', 60)).toBe(0);
  });

  it('pub/sub delivers to subscribers until they unsubscribe', async () => {
    const got: string[] = [];
    const unsubscribe = await state.pubsub.subscribe('chan', (m) => got.push(m));
    await state.pubsub.publish('chan', 'one');
    await waitUntil(() => got.length === 1);
    await unsubscribe();
    await state.pubsub.publish('chan', 'two');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(['one']);
  });

  it('dedup store, session store and TTL cache share the key-value store', async () => {
    const dedup = new DedupStore(state.kv, 'waddlebot:event:');
    expect(await dedup.claim('twitch:m1', 600)).toBe(true);
    expect(await dedup.claim('twitch:m1', 600)).toBe(false);
    expect(await dedup.seen('twitch:m1')).toBe(true);

    const sessions = new SessionStore<{ entity_id: string; request_count: number }>(
      state.kv,
      'waddlebot:session:',
      3600,
    );
    await sessions.create('s1', { entity_id: 'twitch:1', request_count: 0 });
    expect(await sessions.update('s1', { request_count: 1 })).toEqual({
      entity_id: 'twitch:1',
      request_count: 1,
    });
    expect(await sessions.get('missing')).toBeNull();

    const cache = new TtlCache(state.kv, 'c:');
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cache.getOrLoad('k', 60, load)).toEqual({ n: 1 });
    expect(await cache.getOrLoad('k', 60, load)).toEqual({ n: 1 });
    await cache.clear();
    expect(await cache.getOrLoad('k', 60, load)).toEqual({ n: 2 });
  });
});

describe('memory backend expiry follows the injected clock', () => {
  it('expires keys when the clock passes their TTL', async () => {
    const clock = new FakeClock();
    const state = createTestState(clock, 'memory');
    await state.kv.set('k', 'v', 10);
    clock.advance(9_000);
    expect(await state.kv.get('k')).toBe('v');
    clock.advance(1_000);
    expect(await state.kv.get('k')).toBeNull();
    expect(await state.kv.setIfAbsent('k', 'again', 10)).toBe(true);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 2000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
