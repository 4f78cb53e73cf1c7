import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { chat, mod } from './module-request.js';

/** Event reminders through the router's outbound endpoint, two module replicas polling every 200 ms. */
let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  router.on('POST', '/router/messages/outbound', (req) =>
    String(req.json?.text).includes('Broken Night')
      ? { status: 502, body: { success: false, error: { code: 'UPSTREAM_ERROR', message: 'x' } } }
      : { status: 200, body: { success: true, outbound_id: 'o', duplicate: false } },
  );
  rt = await createTestRuntime({
    env: { ROUTER_URL: router.url, CALENDAR_POLL_INTERVAL_MS: '200', OUTBOUND_RETRY_DELAYS_MS: '10,10,10' },
  });
  app = (await rt.add(service)).app;
  await rt.add(service);
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

const clock = () => rt.clock as FakeClock;
const db = () => rt.db.database.forSchema('calendar');
const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
const idIn = (text: string) => Number(/#(\d+)/.exec(text)![1]);
const outbound = (text: string) =>
  router.calls('POST', '/router/messages/outbound').filter((r) => String(r.json?.text).includes(text));
const remindersOf = (id: number) =>
  db()
    .selectFrom('calendar_event_reminders')
    .selectAll()
    .where('event_id', '=', id)
    .orderBy('reminder_time')
    .execute();

/** Polls (10 s deadline) until the reminder reaches a final status. */
const settled = (reminderId: number) =>
  vi.waitUntil(
    async () => {
      const row = await db()
        .selectFrom('calendar_event_reminders')
        .selectAll()
        .where('id', '=', reminderId)
        .executeTakeFirstOrThrow();
      return ['sent', 'failed', 'skipped'].includes(row.delivery_status) && row;
    },
    { timeout: 10_000, interval: 50 },
  );
const morePolls = () => new Promise((r) => setTimeout(r, 700));

async function autoApproved(title: string, when: string): Promise<number> {
  const res = await interact(
    chat(`!calendar create "${title}" "${when}"`, {
      role: 'member',
      labels: ['event-autoapprove'],
      user: { id: '60', name: 'lab' },
    }),
  );
  expect(res.body.chat_message).toContain('(approved)');
  return idIn(res.body.chat_message);
}

describe('calendar reminder delivery', () => {
  it('§10 Calendar 4: the 15-minute reminder goes out once, with two replicas', async () => {
    const id = await autoApproved('Game Night', '2025-11-22 20:00');
    const [dayBefore, hourBefore, quarter] = await remindersOf(id);
    expect(dayBefore && hourBefore && quarter).toBeTruthy();
    // One minute past the 15-minute reminder: the 1-day one is over an hour late and is skipped;
    // the 1-hour one is 46 minutes late and still goes out.
    clock().set(new Date(quarter!.reminder_time).getTime() + 60_000);
    const row = await settled(quarter!.id);
    await morePolls();
    expect(row).toMatchObject({ delivery_status: 'sent', sent: true });
    expect((await settled(dayBefore!.id)).delivery_status).toBe('skipped');
    expect((await settled(hourBefore!.id)).delivery_status).toBe('sent');
    expect(outbound('begins in 1 day')).toHaveLength(0);
    expect(outbound("'Game Night' begins in 1 hour")).toHaveLength(1);
    const calls = outbound("'Game Night' begins in 15 minutes");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.json).toEqual({
      platform: 'twitch',
      entity_id: 'twitch:1',
      type: 'chat',
      text: "⏰ 'Game Night' begins in 15 minutes",
      module_name: 'calendar',
      idempotency_key: `calendar:reminder:${quarter!.id}`,
    });
    expect(calls[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
  });

  it("a cancelled event's reminders are never sent", async () => {
    const id = await autoApproved('Cancelled Night', '2025-11-25 20:00');
    const reminders = await remindersOf(id);
    // Cancelled straight in the table, leaving its reminders in place: the scheduler must skip them.
    await db().updateTable('calendar_events').set({ status: 'cancelled' }).where('id', '=', id).execute();
    clock().set(new Date(reminders[0]!.reminder_time).getTime() + 1000);
    expect((await settled(reminders[0]!.id)).delivery_status).toBe('skipped');
    const viaChat = await autoApproved('Chat Cancelled', '2025-11-26 20:00');
    expect((await interact(mod(`!calendar cancel ${viaChat}`))).body.success).toBe(true);
    expect(await remindersOf(viaChat)).toHaveLength(0);
    clock().set('2025-11-26T19:50:00Z');
    await morePolls();
    expect(outbound('Cancelled Night')).toHaveLength(0);
    expect(outbound('Chat Cancelled')).toHaveLength(0);
  });

  it('router failures are retried with the same key, then the row is failed and left alone', async () => {
    const id = await autoApproved('Broken Night', '2025-11-29 20:00');
    const first = (await remindersOf(id))[0]!;
    clock().set(new Date(first.reminder_time).getTime() + 1000);
    expect((await settled(first.id)).delivery_status).toBe('failed');
    await morePolls();
    const calls = outbound('Broken Night');
    expect(calls).toHaveLength(4);
    expect(new Set(calls.map((c) => c.json.idempotency_key))).toEqual(
      new Set([`calendar:reminder:${first.id}`]),
    );
  });

  it('REST-created recurring instances have their own reminders that fire', async () => {
    const res = await call(
      app,
      'POST',
      '/api/v1/calendar/7/events',
      {
        title: 'Daily Standup',
        event_date: '2025-12-01T10:00:00Z',
        entity_id: 'twitch:1',
        is_recurring: true,
        recurring_pattern: 'daily',
        recurring_end_date: '2025-12-03T00:00:00Z',
      },
      serviceHeaders({ 'X-WaddleBot-User-Id': '311', 'X-WaddleBot-User-Role': 'moderator' }),
    );
    expect(res.status).toBe(201);
    const instance = await db()
      .selectFrom('calendar_events')
      .selectAll()
      .where('parent_event_id', '=', res.body.data.event.id)
      .executeTakeFirstOrThrow();
    expect(new Date(instance.event_date).toISOString()).toBe('2025-12-02T10:00:00.000Z');
    const quarter = (await remindersOf(instance.id))[2]!;
    clock().set(new Date(quarter.reminder_time).getTime() + 1000);
    expect((await settled(quarter.id)).delivery_status).toBe('sent');
    expect(outbound('Daily Standup').map((c) => c.json.idempotency_key)).toContain(
      `calendar:reminder:${quarter.id}`,
    );
  });
});
