import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import type { MemoriesDB } from '../src/db.js';
import { queueNextOccurrence } from '../src/reminders.js';
import { service } from '../src/service.js';
import { member } from './module-request.js';

/**
 * Reminder delivery through the router's outbound endpoint (interaction-modules §7, §1.5), with
 * two module instances polling the same database every 200 ms.
 */
let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
const answersByText = new Map<string, number[]>();

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  router.on('POST', '/router/messages/outbound', (req: RecordedRequest) => {
    // A text may script its answers: first call → first status, and so on; the last repeats.
    const script = [...answersByText.entries()].find(([t]) => String(req.json?.text).endsWith(t))?.[1];
    const attempt = router
      .calls('POST', '/router/messages/outbound')
      .filter((r) => r.json?.text === req.json?.text).length;
    const status = script ? script[Math.min(attempt - 1, script.length - 1)]! : 200;
    return status === 200
      ? { status, body: { success: true, outbound_id: 'o', duplicate: false } }
      : { status, body: { success: false, error: { code: 'X', message: 'scripted' } } };
  });
  rt = await createTestRuntime({
    env: { ROUTER_URL: router.url, REMINDER_POLL_INTERVAL_MS: '200', OUTBOUND_RETRY_DELAYS_MS: '10,20,40' },
  });
  app = (await rt.add(service)).app;
  // A second replica of the module on the same database.
  await rt.add(service);
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

const clock = () => rt.clock as FakeClock;
const db = () => rt.db.database.forSchema<MemoriesDB>('memories');
const outboundFor = (text: string) =>
  router.calls('POST', '/router/messages/outbound').filter((r) => String(r.json?.text).endsWith(text));

async function createReminder(text: string, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await call(app, 'POST', '/api/v1/memories/7/reminders', {
    user_id: '311',
    user_name: 'alice',
    entity_id: 'twitch:1',
    reminder_text: text,
    remind_at: new Date(clock().nowMs() + 1000).toISOString(),
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body.data.id;
}

const reminderRow = (id: number) =>
  db().selectFrom('memories_reminders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

/** Polls (10 s deadline) until the reminder reaches a final status. */
const settled = (id: number) =>
  vi.waitUntil(
    async () => {
      const row = await reminderRow(id);
      return ['sent', 'failed', 'skipped'].includes(row.delivery_status) && row;
    },
    { timeout: 10_000, interval: 50 },
  );

/** Lets both replicas poll a few more times, so a second delivery would show. */
const morePolls = () => new Promise((r) => setTimeout(r, 700));

describe('memories reminder delivery', () => {
  it('posts "@alice ⏰ Reminder: stretch" to twitch:1 exactly once with two instances', async () => {
    const id = await createReminder('stretch');
    clock().advance(2000);
    const row = await settled(id);
    await morePolls();
    expect(row).toMatchObject({ delivery_status: 'sent', is_sent: true });
    expect(row.sent_at).not.toBeNull();
    const calls = outboundFor('stretch');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.json).toEqual({
      platform: 'twitch',
      entity_id: 'twitch:1',
      type: 'chat',
      text: '@alice ⏰ Reminder: stretch',
      module_name: 'memories',
      idempotency_key: `memories:reminder:${id}`,
    });
    expect(calls[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
  });

  it('a reminder set in chat is posted to the channel it was set in, mentioning the login', async () => {
    const res = await call(
      app,
      'POST',
      '/interaction',
      member('!memories remind "check the oven" in 5m', {
        user: { id: '42', name: 'rita', display_name: 'Rita' },
        entity: 'twitch:55',
      }),
    );
    expect(res.body.success).toBe(true);
    clock().advance(5 * 60_000 + 1000);
    const row = await db()
      .selectFrom('memories_reminders')
      .select('id')
      .where('reminder_text', '=', 'check the oven')
      .executeTakeFirstOrThrow();
    expect((await settled(row.id)).delivery_status).toBe('sent');
    expect(outboundFor('check the oven').map((c) => [c.json.entity_id, c.json.text])).toEqual([
      ['twitch:55', '@rita ⏰ Reminder: check the oven'],
    ]);
  });

  it('many due reminders are each delivered once across the replicas', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await createReminder(`batch-${i}`));
    clock().advance(2000);
    for (const id of ids) expect((await settled(id)).delivery_status).toBe('sent');
    await morePolls();
    for (let i = 0; i < 6; i++) expect(outboundFor(`batch-${i}`)).toHaveLength(1);
  });

  it('a router answering 500 every time: 1 + 3 attempts with the same key, then failed for good', async () => {
    answersByText.set('always-500', [500]);
    const id = await createReminder('always-500');
    clock().advance(2000);
    const row = await settled(id);
    await morePolls();
    expect(row.delivery_status).toBe('failed');
    expect(row.is_sent).toBe(false);
    const calls = outboundFor('always-500');
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.json.idempotency_key))).toEqual(new Set([`memories:reminder:${id}`]));
  });

  it('503 then 200: retried with the same key and sent', async () => {
    answersByText.set('flaky', [503, 200]);
    const id = await createReminder('flaky');
    clock().advance(2000);
    expect((await settled(id)).delivery_status).toBe('sent');
    await morePolls();
    const calls = outboundFor('flaky');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.json.idempotency_key).toBe(calls[0]!.json.idempotency_key);
  });

  it('a 404 (entity unknown) fails at once without retries', async () => {
    answersByText.set('gone-entity', [404]);
    const id = await createReminder('gone-entity');
    clock().advance(2000);
    expect((await settled(id)).delivery_status).toBe('failed');
    await morePolls();
    expect(outboundFor('gone-entity')).toHaveLength(1);
  });

  it('a reminder more than 24 h overdue is skipped, a cancelled one is never posted', async () => {
    const late = await createReminder('too-late');
    const cancelled = await createReminder('cancelled-one');
    expect((await call(app, 'DELETE', `/api/v1/memories/7/reminders/${cancelled}`)).status).toBe(200);
    clock().advance(25 * 3600_000);
    expect((await settled(late)).delivery_status).toBe('skipped');
    expect((await settled(cancelled)).delivery_status).toBe('skipped');
    expect(outboundFor('too-late')).toHaveLength(0);
    expect(outboundFor('cancelled-one')).toHaveLength(0);
  });

  /** The rows of a series in order, once there are `count` of them (the next one is queued after a send). */
  const seriesRows = (text: string, count: number) =>
    vi.waitUntil(
      async () => {
        const rows = await db()
          .selectFrom('memories_reminders')
          .selectAll()
          .where('reminder_text', '=', text)
          .orderBy('remind_at')
          .execute();
        return rows.length >= count && rows;
      },
      { timeout: 10_000, interval: 50 },
    );

  it('a recurring reminder queues its next occurrence until recurring_end', async () => {
    const first = new Date(clock().nowMs() + 1000);
    const id = await createReminder('daily-stretch', {
      remind_at: first.toISOString(),
      recurring_pattern: 'daily',
      recurring_end: new Date(first.getTime() + 36 * 3600_000).toISOString(),
    });
    clock().advance(2000);
    expect((await settled(id)).delivery_status).toBe('sent');
    const next = (await seriesRows('daily-stretch', 2))[1]!;
    expect(new Date(next.remind_at).getTime()).toBe(first.getTime() + 24 * 3600_000);
    clock().advance(24 * 3600_000);
    expect((await settled(next.id)).delivery_status).toBe('sent');
    await morePolls();
    // The third would fall after recurring_end.
    expect(await seriesRows('daily-stretch', 2)).toHaveLength(2);
    expect(outboundFor('daily-stretch')).toHaveLength(2);
  });

  it('a monthly series set on the 31st comes back on the last day of shorter months, then the 31st', async () => {
    clock().set('2031-01-31T09:00:00Z');
    const id = await createReminder('month-end report', {
      remind_at: '2031-01-31T10:00:00Z',
      recurring_pattern: 'monthly',
      recurring_end: '2031-04-01T00:00:00Z',
    });
    clock().set('2031-01-31T10:00:01Z');
    expect((await settled(id)).delivery_status).toBe('sent');
    const february = (await seriesRows('month-end report', 2))[1]!;
    expect(new Date(february.remind_at).toISOString()).toBe('2031-02-28T10:00:00.000Z');
    clock().set('2031-02-28T10:00:01Z');
    expect((await settled(february.id)).delivery_status).toBe('sent');
    const march = (await seriesRows('month-end report', 3))[2]!;
    expect(new Date(march.remind_at).toISOString()).toBe('2031-03-31T10:00:00.000Z');
    clock().set('2031-03-31T10:00:01Z');
    expect((await settled(march.id)).delivery_status).toBe('sent');
    await morePolls();
    // April 30 would fall after recurring_end.
    expect(await seriesRows('month-end report', 3)).toHaveLength(3);
    expect(outboundFor('month-end report')).toHaveLength(3);
  });
});

describe('recurring series', () => {
  it('queuing the next occurrence twice (two replicas finishing one row) leaves one row', async () => {
    const id = await createReminder('twice-queued', {
      remind_at: new Date(clock().nowMs() + 60_000).toISOString(),
      recurring_pattern: 'weekly',
    });
    const row = await reminderRow(id);
    const deps = { db: db(), clock: clock() };
    await Promise.all([queueNextOccurrence(deps, row), queueNextOccurrence(deps, row)]);
    const rows = await db()
      .selectFrom('memories_reminders')
      .select(['remind_at', 'series_start'])
      .where('reminder_text', '=', 'twice-queued')
      .where('id', '!=', id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0]!.remind_at).getTime()).toBe(new Date(row.remind_at).getTime() + 7 * 86_400_000);
    expect(new Date(rows[0]!.series_start!).getTime()).toBe(new Date(row.remind_at).getTime());
    await db()
      .updateTable('memories_reminders')
      .set({ is_active: false })
      .where('reminder_text', '=', 'twice-queued')
      .execute();
  });
});

describe('memories reminders while the router is down', () => {
  let down: TestRuntime;
  let downApp: typeof app;
  const received: { text: string; key: string }[] = [];

  beforeAll(async () => {
    // ROUTER_URL stays the test default, where nothing listens: the router is not running.
    down = await createTestRuntime({
      env: { REMINDER_POLL_INTERVAL_MS: '200', OUTBOUND_RETRY_DELAYS_MS: '10,10,10' },
    });
    downApp = (await down.add(service)).app;
  });
  afterAll(() => down.close());

  it('keeps the reminder and posts it once when the router is back', async () => {
    const downClock = down.clock as FakeClock;
    const res = await call(downApp, 'POST', '/api/v1/memories/7/reminders', {
      user_id: '311',
      user_name: 'alice',
      entity_id: 'twitch:1',
      reminder_text: 'survives the outage',
      remind_in: '5m',
    });
    expect(res.status).toBe(201);
    const id = res.body.data.id;
    const row = () =>
      down.db.database
        .forSchema('memories')
        .selectFrom('memories_reminders')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    downClock.advance(5 * 60_000 + 1000);
    // All four attempts (1 + 3 retries) found no router.
    const failedAttempts = () => down.logLines.filter((l) => l.includes('outbound delivery attempt failed'));
    await vi.waitUntil(() => failedAttempts().length >= 4, { timeout: 10_000, interval: 50 });
    expect(await row()).toMatchObject({ delivery_status: 'sending', attempts: 1 });

    // The router comes back on its address.
    down.shared.dispatch.register(down.env.ROUTER_URL!, async (req) => {
      if (new URL(req.url).pathname !== '/router/messages/outbound')
        return Response.json({ success: true, data: {} }, { status: 201 });
      const body = (await req.json()) as { text: string; idempotency_key: string };
      received.push({ text: body.text, key: body.idempotency_key });
      return Response.json({ success: true, outbound_id: 'o', duplicate: false });
    });
    // Each poll past a stale claim tries again; the first tries may still meet the router
    // client's open circuit (it half-opens after 10 s), which keeps the row just the same.
    await vi.waitUntil(
      async () => {
        downClock.advance(5 * 60_000 + 1000);
        return (await row()).delivery_status === 'sent';
      },
      { timeout: 25_000, interval: 500 },
    );
    expect(received).toEqual([
      { text: '@alice ⏰ Reminder: survives the outage', key: `memories:reminder:${id}` },
    ]);
    expect((await row()).is_sent).toBe(true);
  });
});
