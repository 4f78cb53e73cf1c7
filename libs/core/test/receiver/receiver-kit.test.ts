import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackgroundQueue,
  DISCORD_CHAT_LIMITS,
  ReceiverPipeline,
  TWITCH_CHAT_LIMITS,
  UpstreamError,
  createEventLogTable,
  createHttpClient,
  createMemoryState,
  isMonitored,
  platformRequest,
  renderFormText,
  retryAfterMs,
  splitText,
  type ReceiverDeps,
} from '../../src/index.js';
import {
  createMemoryLogger,
  createTestDatabase,
  startFakeServer,
  type FakeServer,
  type TestDatabase,
} from '../../src/testing/index.js';
import { FakeClock, LocalDispatch, createServiceClients, sql } from '../../src/index.js';

describe('splitText', () => {
  it('leaves short texts alone and splits long ones at word boundaries within the chunk size', () => {
    expect(splitText('hello', TWITCH_CHAT_LIMITS)).toEqual(['hello']);
    expect(splitText('x'.repeat(500), TWITCH_CHAT_LIMITS)).toEqual(['x'.repeat(500)]);
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const chunks = splitText(words, TWITCH_CHAT_LIMITS);
    expect(chunks.length).toBe(2);
    expect(chunks.every((c) => c.length <= 490)).toBe(true);
    expect(chunks.join(' ')).toBe(words);
  });

  it('cuts after the chunk limit and marks the cut; a single long word is cut hard', () => {
    const chunks = splitText('a '.repeat(5000), DISCORD_CHAT_LIMITS);
    expect(chunks).toHaveLength(3);
    expect(chunks[2]!.endsWith('…')).toBe(true);
    expect(chunks.every((c) => c.length <= 2000)).toBe(true);
    const hard = splitText('y'.repeat(1200), TWITCH_CHAT_LIMITS);
    expect(hard.map((c) => c.length)).toEqual([490, 490, 220]);
  });

  it('never splits a surrogate pair', () => {
    const chunks = splitText('😀'.repeat(600), TWITCH_CHAT_LIMITS);
    for (const c of chunks) expect(c).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});

describe('retryAfterMs', () => {
  const res = (headers: Record<string, string>, body: unknown = null) => ({
    headers: new globalThis.Headers(headers),
    body,
  });
  it('reads Discord retry_after, Retry-After and Twitch Ratelimit-Reset', () => {
    expect(retryAfterMs(res({}, { retry_after: 1.5 }))).toBe(1500);
    expect(retryAfterMs(res({ 'Retry-After': '3' }))).toBe(3000);
    expect(retryAfterMs(res({ 'Ratelimit-Reset': '1000' }), 998_000)).toBe(2000);
    expect(retryAfterMs(res({ 'Retry-After': '9999' }))).toBe(60_000);
    expect(retryAfterMs(res({}))).toBe(1000);
  });
});

describe('platformRequest', () => {
  let api: FakeServer;
  beforeAll(async () => {
    api = await startFakeServer();
  });
  afterAll(() => api.close());

  it('waits out 429 at most twice more, returns other statuses as they are, and 502s an unreachable platform', async () => {
    const client = createHttpClient({ baseUrl: api.url, timeoutMs: 2000, breakerThreshold: 0 });
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    let hits = 0;
    api.on('POST', '/busy', () =>
      ++hits < 3
        ? { status: 429, headers: { 'Retry-After': '2' }, body: {} }
        : { status: 200, body: { ok: 1 } },
    );
    const res = await platformRequest(client, '/busy', { method: 'POST', body: {} }, { sleep });
    expect([res.status, hits, waits]).toEqual([200, 3, [2000, 2000]]);
    api.on('POST', '/always-busy', { status: 429, body: { retry_after: 0.25 } });
    const gaveUp = await platformRequest(client, '/always-busy', { method: 'POST' }, { sleep });
    expect([gaveUp.status, api.calls('POST', '/always-busy').length]).toEqual([429, 3]);
    api.on('POST', '/broken', { status: 500, body: {} });
    expect((await platformRequest(client, '/broken', { method: 'POST' }, { sleep })).status).toBe(500);
    expect(api.calls('POST', '/broken')).toHaveLength(1);

    const nowhere = createHttpClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000, breakerThreshold: 0 });
    const failure = await platformRequest(
      nowhere,
      '/x',
      {},
      { unreachable: 'Discord API unreachable' },
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect([(failure as UpstreamError).status, (failure as UpstreamError).message]).toEqual([
      502,
      'Discord API unreachable',
    ]);
  });
});

describe('isMonitored (contracts §17.5)', () => {
  it('needs an active server; channel rows restrict; server-wide events follow the server', () => {
    expect(isMonitored(null, 'C1')).toBe(false);
    expect(isMonitored({ active: false, channels: [] }, 'C1')).toBe(false);
    expect(isMonitored({ active: true, channels: [] }, 'C1')).toBe(true);
    expect(isMonitored({ active: true, channels: ['C1'] }, 'C1')).toBe(true);
    expect(isMonitored({ active: true, channels: ['C1'] }, 'C2')).toBe(false);
    expect(isMonitored({ active: true, channels: ['C1'] }, '')).toBe(true);
  });
});

describe('renderFormText', () => {
  it('title, description, one line per field with type, required marker and options, then the URL', () => {
    const text = renderFormText({
      type: 'form',
      title: 'RSVP',
      description: 'Game night',
      fields: [
        {
          name: 'a',
          type: 'radio',
          label: 'Coming?',
          required: true,
          options: ['yes', { label: 'No', value: 'no' }],
        },
        { name: 'b', type: 'text', label: 'Note', required: false },
      ],
      submit_method: 'POST',
      callback_url: 'https://cb.example',
    });
    expect(text).toBe(
      'RSVP\nGame night\n• Coming? (radio) *: yes, No\n• Note (text)\nSubmit: https://cb.example',
    );
  });
});

describe('BackgroundQueue', () => {
  it('bounds concurrency, logs failures with the event id and reports idle', async () => {
    const { logger, records } = createMemoryLogger();
    const queue = new BackgroundQueue(logger, 2);
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      queue.push(`e${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        if (i === 3) throw new Error('boom');
      });
    }
    expect(queue.pending).toBe(5);
    for (let i = 0; i < 5; i++) {
      while (releases.length === 0) await new Promise((r) => setTimeout(r, 1));
      releases.shift()!();
      await new Promise((r) => setTimeout(r, 1));
    }
    await queue.idle();
    expect(peak).toBe(2);
    logger.flush();
    expect(records().some((r) => r.event_id === 'e3' && r.msg === 'background event processing failed')).toBe(
      true,
    );
  });
});

describe('ReceiverPipeline', () => {
  let db: TestDatabase;
  let router: FakeServer;
  let deps: ReceiverDeps;
  const clock = new FakeClock();

  beforeAll(async () => {
    db = await createTestDatabase();
    await sql`create schema if not exists recv_test`.execute(db.database.root);
    await createEventLogTable(db.database.forSchema('recv_test'), 'test_events', { platformColumns: [] });
    router = await startFakeServer();
    const { logger } = createMemoryLogger();
    deps = {
      db: db.database.forSchema('recv_test'),
      state: createMemoryState(clock),
      logger,
      clock,
      serviceClient: createServiceClients({
        config: { ROUTER_URL: router.url, SERVICE_API_KEY: 'k'.repeat(32), REQUEST_TIMEOUT: 5 },
        fetch: new LocalDispatch().fetch,
      }),
    };
  });
  afterAll(async () => {
    await router.close();
    await db.cleanup();
  });

  const event = (id: string) => ({
    platform: 'twitch' as const,
    server_id: '1',
    user_id: 'u',
    user_name: 'u',
    message_content: 'hi',
    message_type: 'chatMessage' as const,
    event_id: id,
  });

  it('claims once: a second record of the same id is a duplicate, and a released claim falls back to the row', async () => {
    const p = new ReceiverPipeline(deps, {
      platform: 'twitch',
      eventTable: 'test_events',
      dedupTtlSeconds: 60,
      retryDelaysMs: [1, 1],
    });
    expect(await p.record({ event_id: 'r1', event_type: 'x', event_data: {} })).toBe(true);
    expect(await p.record({ event_id: 'r1', event_type: 'x', event_data: {} })).toBe(false);
    await deps.state.kv.del('waddlebot:twitch:delivery:r1');
    expect(await p.record({ event_id: 'r1', event_type: 'x', event_data: {} })).toBe(false);
  });

  it('retries 5xx twice, then gives up; marks processed on success; never retries a timeout', async () => {
    const p = new ReceiverPipeline(deps, {
      platform: 'twitch',
      eventTable: 'test_events',
      dedupTtlSeconds: 60,
      retryDelaysMs: [1, 1],
      routerTimeoutMs: 200,
    });
    router.on('POST', '/router/events', { status: 503, body: {} });
    await p.record({ event_id: 'f1', event_type: 'x', event_data: {} });
    expect(await p.forward(event('f1'))).toBeNull();
    expect(router.calls('POST', '/router/events')).toHaveLength(3);

    router.reset();
    let n = 0;
    router.on('POST', '/router/events', () =>
      ++n < 2
        ? { status: 502, body: {} }
        : { body: { success: true, processed: true, outcome: 'not_command', replies: [] } },
    );
    await p.record({ event_id: 'f2', event_type: 'x', event_data: {} });
    const result = await p.forward(event('f2'));
    expect(result?.outcome).toBe('not_command');
    const row = await deps.db
      .selectFrom('test_events')
      .select(['processed', 'processed_at'])
      .where('event_id', '=', 'f2')
      .executeTakeFirstOrThrow();
    expect(row.processed).toBe(true);

    router.reset();
    router.on('POST', '/router/events', {
      status: 200,
      body: { success: true, processed: true, outcome: 'event', replies: [] },
      delayMs: 1000,
    });
    expect(await p.forward(event('f3'))).toBeNull();
    expect(router.calls('POST', '/router/events')).toHaveLength(1);
  });

  it('refuses to forward an event that does not match the RouterEvent contract', async () => {
    router.reset();
    const p = new ReceiverPipeline(deps, {
      platform: 'twitch',
      eventTable: 'test_events',
      dedupTtlSeconds: 60,
    });
    expect(await p.forward({ ...event('bad'), message_content: '   ' })).toBeNull();
    expect(router.requests).toHaveLength(0);
  });
});
