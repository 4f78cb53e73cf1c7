import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpClient } from '../../src/clients/http.js';
import { createOutboundDelivery, parseRetryDelays, retryDelaysVar } from '../../src/scheduling/index.js';
import { startFakeServer, type FakeServer } from '../../src/testing/index.js';

let router: FakeServer;
let sleeps: number[];

const message = {
  platform: 'twitch' as const,
  type: 'chat' as const,
  entity_id: 'twitch:1',
  text: 'hello',
  module_name: 'memories',
  idempotency_key: 'memories:reminder:1',
};

function delivery(timeoutMs = 2000, baseUrl = router.url) {
  return createOutboundDelivery({
    router: createHttpClient({
      baseUrl,
      timeoutMs,
      headers: { 'X-Service-Key': 'k'.repeat(32) },
      breakerThreshold: 0,
    }),
    // Recorded instead of waited, so the 1 s / 2 s / 4 s schedule is checked without taking 7 s.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

/** Answers the given statuses in order (the last one repeats). */
function script(...statuses: number[]) {
  let n = 0;
  router.on('POST', '/router/messages/outbound', () => {
    const status = statuses[Math.min(n++, statuses.length - 1)]!;
    return {
      status,
      body: status === 200 ? { success: true, outbound_id: 'o1', duplicate: false } : { success: false },
    };
  });
}

beforeAll(async () => {
  router = await startFakeServer();
});
afterAll(() => router.close());
beforeEach(() => {
  router.reset();
  sleeps = [];
});

describe('createOutboundDelivery (contracts §12)', () => {
  it('posts the message once when the router accepts it', async () => {
    script(200);
    expect(await delivery()(message)).toEqual({ status: 'sent', duplicate: false, attempts: 1 });
    const calls = router.calls('POST', '/router/messages/outbound');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.json).toEqual(message);
    expect(calls[0]!.headers['x-service-key']).toBe('k'.repeat(32));
    expect(sleeps).toEqual([]);
  });

  it('503 then 200: one retry after 1 s with the same key', async () => {
    script(503, 200);
    expect(await delivery()(message)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sleeps).toEqual([1000]);
    const keys = router.calls('POST', '/router/messages/outbound').map((c) => c.json.idempotency_key);
    expect(keys).toEqual(['memories:reminder:1', 'memories:reminder:1']);
  });

  it('5xx every time: 3 retries after 1 s, 2 s, 4 s, then failed', async () => {
    script(500);
    expect(await delivery()(message)).toMatchObject({
      status: 'failed',
      attempts: 4,
      reason: 'router answered 500',
    });
    expect(sleeps).toEqual([1000, 2000, 4000]);
    expect(router.calls('POST', '/router/messages/outbound')).toHaveLength(4);
  });

  it.each([404, 400, 409])('%i fails at once without retrying', async (status) => {
    script(status);
    expect(await delivery()(message)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sleeps).toEqual([]);
    expect(router.calls('POST', '/router/messages/outbound')).toHaveLength(1);
  });

  it('a timeout is retried like a 5xx', async () => {
    let n = 0;
    router.on('POST', '/router/messages/outbound', () =>
      n++ === 0
        ? { status: 200, body: { success: true }, delayMs: 400 }
        : { status: 200, body: { success: true, duplicate: true } },
    );
    expect(await delivery(100)(message)).toEqual({ status: 'sent', duplicate: true, attempts: 2 });
    expect(sleeps).toEqual([1000]);
  });

  it('an unreachable router fails after the retries', async () => {
    const closed = await startFakeServer();
    const url = closed.url;
    await closed.close();
    const res = await delivery(500, url)(message);
    expect(res).toMatchObject({ status: 'failed', attempts: 4, reason: 'router unreachable' });
  });

  it('injectable delays', async () => {
    script(502);
    const fast = createOutboundDelivery({
      router: createHttpClient({ baseUrl: router.url, timeoutMs: 1000, breakerThreshold: 0 }),
      retryDelaysMs: [5, 5],
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(await fast(message)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(sleeps).toEqual([5, 5]);
  });
});

describe('retry delay config', () => {
  it('parses comma lists and refuses junk', () => {
    expect(parseRetryDelays('1000, 2000,4000')).toEqual([1000, 2000, 4000]);
    expect(() => parseRetryDelays('1,x')).toThrow();
    const schema = z.object({ D: retryDelaysVar() });
    expect(schema.parse({}).D).toEqual([1000, 2000, 4000]);
    expect(schema.parse({ D: '10,20' }).D).toEqual([10, 20]);
    expect(schema.safeParse({ D: '-1' }).success).toBe(false);
  });
});
