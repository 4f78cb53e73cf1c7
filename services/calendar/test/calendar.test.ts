import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { chat, member, mod } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;

const asAdmin = {
  'X-WaddleBot-User-Id': '1',
  'X-WaddleBot-User-Name': 'Owner',
  'X-WaddleBot-User-Role': 'admin',
};
const asMod = {
  'X-WaddleBot-User-Id': '311',
  'X-WaddleBot-User-Name': 'ModMike',
  'X-WaddleBot-User-Role': 'moderator',
};
const asMember = (id: string) => ({
  'X-WaddleBot-User-Id': id,
  'X-WaddleBot-User-Name': `user${id}`,
  'X-WaddleBot-User-Role': 'member',
});

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  rt = await createTestRuntime({ env: { ROUTER_URL: router.url } });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
  const tz = await rest('PUT', '/api/v1/calendar/7/settings', { timezone: 'America/New_York' }, asAdmin);
  expect(tz.status).toBe(200);
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(app, method, path, body, serviceHeaders(headers));
const db = () => rt.db.database.forSchema('calendar');
const eventRow = (id: number) =>
  db().selectFrom('calendar_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const remindersOf = (id: number) =>
  db()
    .selectFrom('calendar_event_reminders')
    .selectAll()
    .where('event_id', '=', id)
    .orderBy('reminder_time')
    .execute();
const idIn = (text: string) => Number(/#(\d+)/.exec(text)![1]);
const user = (id: string) => ({ id, name: `u${id}`, display_name: `U${id}` });

describe('start-up', () => {
  it('seeds !calendar pointing at CALENDAR_URL/interaction', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.json).toMatchObject({
      command: 'calendar',
      location_url: `${rt.env.CALENDAR_URL}/interaction`,
    });
    expect(rows[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
  });
});

describe('acceptance §10 Calendar', () => {
  let gameNight: number;

  it('1. a member creates a pending event read in the community zone; only mods list pending', async () => {
    const res = await interact(member('!calendar create "Game Night" "2030-01-15 20:00" "Weekly" Discord 2'));
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.chat_message).toContain('waiting for a moderator');
    gameNight = idIn(res.body.chat_message);
    const row = await eventRow(gameNight);
    expect(row.status).toBe('pending');
    expect(new Date(row.event_date).toISOString()).toBe('2030-01-16T01:00:00.000Z');
    expect(row).toMatchObject({
      description: 'Weekly',
      location: 'Discord',
      max_attendees: 2,
      created_by: 'twitch:777',
    });
    expect(await remindersOf(gameNight)).toHaveLength(0);

    const upcoming = await interact(member('!calendar list'));
    expect(upcoming.body.chat_message).not.toContain('Game Night');
    const memberPending = await interact(member('!calendar list pending'));
    expect(memberPending.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const pending = await interact(mod('!calendar list pending'));
    expect(pending.body.chat_message).toContain(
      `#${gameNight} Game Night, Tue 2030-01-15 20:00 EST @ Discord (0/2)`,
    );
  });

  it('2. a mod approves: three reminders; members may not approve; other communities see "not found"', async () => {
    const other = idIn(
      (await interact(member('!calendar create "Other thing" "2030-02-01 18:00"'))).body.chat_message,
    );
    const denied = await interact(member(`!calendar approve ${other}`));
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect((await eventRow(other)).status).toBe('pending');

    const foreign = await interact(mod(`!calendar approve ${gameNight}`, { community: '8' }));
    expect(foreign.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect(foreign.body.chat_message).toBe(`Event #${gameNight} not found`);
    expect((await eventRow(gameNight)).status).toBe('pending');

    const ok = await interact(mod(`!calendar approve ${gameNight}`));
    expect(ok.body.success).toBe(true);
    const row = await eventRow(gameNight);
    expect(row).toMatchObject({ status: 'approved', approved_by: '311' });
    const start = new Date(row.event_date).getTime();
    const reminders = await remindersOf(gameNight);
    expect(reminders.map((r) => start - new Date(r.reminder_time).getTime())).toEqual([
      86_400_000, 3_600_000, 900_000,
    ]);
    expect(reminders.map((r) => r.message)).toEqual([
      "⏰ 'Game Night' begins in 1 day",
      "⏰ 'Game Night' begins in 1 hour",
      "⏰ 'Game Night' begins in 15 minutes",
    ]);
    expect(reminders.every((r) => r.delivery_status === 'pending' && !r.sent)).toBe(true);

    const again = await interact(mod(`!calendar approve ${gameNight}`));
    expect(again.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(again.body.chat_message).toContain('Only pending events can be approved or rejected');
  });

  it('3. capacity, double sign-up and leaving', async () => {
    const join = (id: string) => interact(member(`!calendar join ${gameNight}`, { user: user(id) }));
    const first = await join('1');
    expect(first.body.chat_message).toBe("You're attending 'Game Night' (1/2)");
    expect((await join('2')).body.chat_message).toBe("You're attending 'Game Night' (2/2)");
    const full = await join('3');
    expect(full.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(full.body.chat_message).toContain('full');
    const twice = await join('1');
    expect(twice.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(twice.body.chat_message).toContain('already attending');

    const leave = await interact(member(`!calendar leave ${gameNight}`, { user: user('1') }));
    expect(leave.body.chat_message).toBe("You left 'Game Night'");
    expect((await join('3')).body.chat_message).toBe("You're attending 'Game Night' (2/2)");
    const notAttending = await interact(member(`!calendar leave ${gameNight}`, { user: user('1') }));
    expect(notAttending.body).toMatchObject({ success: false });
    expect(notAttending.body.chat_message).toContain('not attending');

    const attendees = await db()
      .selectFrom('calendar_event_attendees')
      .select('user_id')
      .where('event_id', '=', gameNight)
      .orderBy('id')
      .execute();
    expect(attendees.map((a) => a.user_id)).toEqual(['twitch:2', 'twitch:3']);

    const listed = await interact(member('!calendar list'));
    expect(listed.body.chat_message).toContain(
      `#${gameNight} Game Night, Tue 2030-01-15 20:00 EST @ Discord (2/2)`,
    );
  });

  it('4. a label holder is auto-approved and gets reminders at once', async () => {
    const res = await interact(
      chat('!calendar create "Label Night" "2030-03-01 19:30"', {
        role: 'member',
        labels: ['event-autoapprove'],
        user: user('50'),
      }),
    );
    expect(res.body.chat_message).toContain('created (approved)');
    const id = idIn(res.body.chat_message);
    expect((await eventRow(id)).status).toBe('approved');
    expect(await remindersOf(id)).toHaveLength(3);
  });

  it('5. REST monthly recurrence clamps to month ends across DST; cancel series cancels all', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      {
        title: 'Month End Stream',
        event_date: '2030-01-31T20:00:00-05:00',
        end_date: '2030-01-31T22:00:00-05:00',
        entity_id: 'twitch:1',
        is_recurring: true,
        recurring_pattern: 'monthly',
        recurring_end_date: '2030-05-01T00:00:00-04:00',
      },
      asMod,
    );
    expect(created.status).toBe(201);
    expect(created.body.data.auto_approved).toBe(true);
    const baseId = created.body.data.event.id;
    const instances = await db()
      .selectFrom('calendar_events')
      .selectAll()
      .where('parent_event_id', '=', baseId)
      .orderBy('event_date')
      .execute();
    expect(instances.map((e) => new Date(e.event_date).toISOString())).toEqual([
      '2030-03-01T01:00:00.000Z', // Feb 28 20:00 EST
      '2030-04-01T00:00:00.000Z', // Mar 31 20:00 EDT
      '2030-05-01T00:00:00.000Z', // Apr 30 20:00 EDT
    ]);
    for (const e of instances) {
      expect(e).toMatchObject({ status: 'approved', is_recurring: false, title: 'Month End Stream' });
      expect(new Date(e.end_date!).getTime() - new Date(e.event_date).getTime()).toBe(2 * 3600_000);
      expect(await remindersOf(e.id)).toHaveLength(3);
    }

    const cancel = await rest(
      'POST',
      `/api/v1/calendar/7/events/${baseId}/cancel`,
      { scope: 'series' },
      asMod,
    );
    expect(cancel.status).toBe(200);
    expect(cancel.body.data.cancelled).toBe(4);
    const statuses = await db()
      .selectFrom('calendar_events')
      .select('status')
      .where((eb) => eb.or([eb('id', '=', baseId), eb('parent_event_id', '=', baseId)]))
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const left = await db()
      .selectFrom('calendar_event_reminders as r')
      .innerJoin('calendar_events as e', 'e.id', 'r.event_id')
      .select('r.id')
      .where((eb) => eb.or([eb('e.id', '=', baseId), eb('e.parent_event_id', '=', baseId)]))
      .execute();
    expect(left).toHaveLength(0);
  });
});

describe('chat validation and permissions', () => {
  it('create: usage, date format, future, title, max_attendees', async () => {
    const short = await interact(member('!calendar create "Only title"'));
    expect(short.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(short.body.chat_message).toContain('!calendar create "Co-op Night" "2026-03-01 19:30"');
    const badDate = await interact(member('!calendar create "Game" "next friday"'));
    expect(badDate.body.chat_message).toBe('Date must look like YYYY-MM-DD HH:MM');
    expect(badDate.body.error_code).toBe('VALIDATION');
    const past = await interact(member('!calendar create "Game" "2020-01-01 10:00"'));
    expect(past.body.chat_message).toBe('The event must start in the future');
    const tiny = await interact(member('!calendar create "Go" "2030-01-01 10:00"'));
    expect(tiny.body.error_code).toBe('VALIDATION');
    const max = await interact(member('!calendar create "Game" "2030-01-01 10:00" d l lots'));
    expect(max.body.chat_message).toBe('max_attendees must be a positive number');
    const zero = await interact(member('!calendar create "Game" "2030-01-01 10:00" d l 0'));
    expect(zero.body.chat_message).toBe('max_attendees must be a positive number');
    const count = await db()
      .selectFrom('calendar_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('title', '=', 'Game')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('ids must be numeric; help mentions the autoapprove label', async () => {
    const join = await interact(member('!calendar join abc'));
    expect(join.body).toMatchObject({
      success: false,
      error_code: 'USAGE',
      chat_message: 'Usage: !calendar join <event_id>',
    });
    const missing = await interact(member('!calendar join 99999'));
    expect(missing.body).toMatchObject({ error_code: 'NOT_FOUND', chat_message: 'Event #99999 not found' });
    const help = await interact(member('!calendar'));
    expect(help.body.chat_message).toContain('event-autoapprove');
    expect((await interact(member('!calendar frobnicate'))).body.chat_message).toContain('event-autoapprove');
  });

  it('reject needs a mod and a reason; joining a pending event is refused', async () => {
    const id = idIn(
      (await interact(member('!calendar create "Reject me" "2030-06-01 12:00"'))).body.chat_message,
    );
    expect((await interact(member(`!calendar join ${id}`))).body.error_code).toBe('CONFLICT');
    expect((await interact(member(`!calendar reject ${id} "nope"`))).body.error_code).toBe('FORBIDDEN');
    const noReason = await interact(mod(`!calendar reject ${id}`));
    expect(noReason.body).toMatchObject({ success: false, error_code: 'USAGE' });
    const rejected = await interact(mod(`!calendar reject ${id} "Clashes with the raid"`));
    expect(rejected.body.success).toBe(true);
    expect(await eventRow(id)).toMatchObject({
      status: 'rejected',
      rejection_reason: 'Clashes with the raid',
    });
    const listed = await interact(mod('!calendar list rejected'));
    expect(listed.body.chat_message).toContain('Reject me');
    expect((await interact(mod(`!calendar cancel ${id}`))).body.error_code).toBe('CONFLICT');
  });

  it('cancel: creator or mod, removes unsent reminders; others are refused', async () => {
    const creator = user('70');
    const res = await interact(
      chat('!calendar create "Cancel me" "2030-06-02 12:00"', {
        role: 'member',
        labels: ['event-autoapprove'],
        user: creator,
      }),
    );
    const id = idIn(res.body.chat_message);
    expect(await remindersOf(id)).toHaveLength(3);
    expect((await interact(member(`!calendar cancel ${id}`))).body.error_code).toBe('FORBIDDEN');
    expect((await interact(mod(`!calendar cancel ${id}`, { community: '8' }))).body.error_code).toBe(
      'NOT_FOUND',
    );
    const ok = await interact(member(`!calendar cancel ${id}`, { user: creator }));
    expect(ok.body.chat_message).toBe("Event 'Cancel me' cancelled");
    expect((await eventRow(id)).status).toBe('cancelled');
    expect(await remindersOf(id)).toHaveLength(0);
  });

  it('list shows five and says how many more', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await interact(
        mod(`!calendar create "Many ${i}" "2031-01-0${i + 1} 10:00"`, { community: '20' }),
      );
      expect(r.body.success).toBe(true);
    }
    const listed = await interact(member('!calendar list', { community: '20' }));
    expect(listed.body.chat_message.split(' | ')).toHaveLength(5);
    expect(listed.body.chat_message).toContain('…and 1 more');
    expect(listed.body.chat_message).toContain('UTC');
    expect((await interact(member('!calendar list', { community: '21' }))).body.chat_message).toBe(
      'No upcoming events',
    );
    expect((await interact(mod('!calendar list cancelled', { community: '21' }))).body.chat_message).toBe(
      'No cancelled events',
    );
  });

  it('long titles are cut to fit one chat message, never the "…and n more"', async () => {
    for (let i = 0; i < 7; i++) {
      const title = `${String.fromCharCode(65 + i)}${'x'.repeat(200)}`;
      const r = await interact(
        mod(`!calendar create "${title}" "2031-02-0${i + 1} 10:00"`, { community: '22' }),
      );
      expect(r.body.success).toBe(true);
    }
    const listed = await interact(member('!calendar list', { community: '22' }));
    expect(listed.body.chat_message.length).toBeLessThanOrEqual(450);
    expect(listed.body.chat_message).toMatch(/ …and 2 more$/);
  });

  it('chat time input in a DST gap moves forward, in an overlap takes the earlier instant', async () => {
    const gap = await interact(mod('!calendar create "Gap stream" "2031-03-09 02:30"'));
    expect((await eventRow(idIn(gap.body.chat_message))).event_date).toEqual(
      new Date('2031-03-09T07:00:00Z'),
    );
    expect(gap.body.chat_message).toContain('Sun 2031-03-09 03:00 EDT');
    const overlap = await interact(mod('!calendar create "Overlap stream" "2031-11-02 01:30"'));
    expect((await eventRow(idIn(overlap.body.chat_message))).event_date).toEqual(
      new Date('2031-11-02T05:30:00Z'),
    );
    expect(overlap.body.chat_message).toContain('01:30 EDT');
  });

  it('reject answers in words, and leaving an event of another community finds nothing', async () => {
    const id = idIn(
      (await interact(member('!calendar create "Reject words" "2031-06-01 12:00"'))).body.chat_message,
    );
    const rejected = await interact(mod(`!calendar reject #${id} Too late in the night`));
    expect(rejected.body.chat_message).toBe(`Event #${id} 'Reject words' rejected`);
    expect((await eventRow(id)).rejection_reason).toBe('Too late in the night');
    const foreign = await interact(member(`!calendar leave ${id}`, { community: '8' }));
    expect(foreign.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
  });

  it('malformed requests and missing keys on /interaction', async () => {
    expect((await call(app, 'POST', '/interaction', { args: [] })).status).toBe(400);
    const none = await call(app, 'POST', '/calendar', chat('!calendar'), {
      'Content-Type': 'application/json',
    });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, 'POST', '/interaction', chat('!calendar'), {
      'Content-Type': 'application/json',
      'X-Service-Key': 'not-the-key-not-the-key-not-the-key-xx',
    });
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });
});

describe('REST', () => {
  let eventId: number;
  it('members create pending events; details include attendees; scoped by community', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      {
        title: 'REST party',
        event_date: '2030-08-01T18:00:00Z',
        entity_id: 'discord:9:10',
        max_attendees: 1,
      },
      asMember('400'),
    );
    expect(created.status).toBe(201);
    expect(created.body.data.auto_approved).toBe(false);
    eventId = created.body.data.event.id;
    expect((await rest('GET', `/api/v1/calendar/8/events/${eventId}`)).status).toBe(404);
    const memberApprove = await rest(
      'POST',
      `/api/v1/calendar/7/events/${eventId}/approve`,
      {},
      asMember('400'),
    );
    expect(memberApprove.status).toBe(403);
    expect(memberApprove.body.error.code).toBe('FORBIDDEN');
    expect((await rest('POST', `/api/v1/calendar/8/events/${eventId}/approve`, {}, asMod)).status).toBe(404);
    expect((await rest('POST', `/api/v1/calendar/7/events/${eventId}/approve`, {}, asMod)).status).toBe(200);
    expect((await rest('POST', `/api/v1/calendar/7/events/${eventId}/approve`, {}, asMod)).status).toBe(409);

    const join = await rest('POST', `/api/v1/calendar/7/events/${eventId}/attendees`, {}, asMember('401'));
    expect(join.status).toBe(201);
    expect(
      (await rest('POST', `/api/v1/calendar/7/events/${eventId}/attendees`, {}, asMember('402'))).status,
    ).toBe(409);
    const detail = await rest('GET', `/api/v1/calendar/7/events/${eventId}`);
    expect(detail.body.data).toMatchObject({ attendee_count: 1, attendees: [{ user_id: '401' }] });

    const otherRemoves = await rest(
      'DELETE',
      `/api/v1/calendar/7/events/${eventId}/attendees/401`,
      undefined,
      asMember('402'),
    );
    expect(otherRemoves.status).toBe(403);
    expect(
      (await rest('DELETE', `/api/v1/calendar/7/events/${eventId}/attendees/401`, undefined, asMember('401')))
        .status,
    ).toBe(200);
    expect(
      (await rest('DELETE', `/api/v1/calendar/7/events/${eventId}/attendees/401`, undefined, asMember('401')))
        .status,
    ).toBe(404);

    const list = await rest(
      'GET',
      '/api/v1/calendar/7/events?status=approved&from=2030-07-31T00:00:00Z&to=2030-08-02T00:00:00Z',
    );
    expect(list.body.data.events.map((e: { id: number }) => e.id)).toEqual([eventId]);
    expect((await rest('GET', '/api/v1/calendar/8/events?from=2030-07-31T00:00:00Z')).body.data.total).toBe(
      0,
    );
    expect(
      (await rest('GET', '/api/v1/calendar/7/events?status=pending', undefined, asMember('1'))).status,
    ).toBe(403);
  });

  it('concurrent joins never overfill an event', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      { title: 'Tiny room', event_date: '2030-08-02T18:00:00Z', entity_id: 'twitch:1', max_attendees: 3 },
      asMod,
    );
    const id = created.body.data.event.id;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        rest('POST', `/api/v1/calendar/7/events/${id}/attendees`, {}, asMember(`c${i}`)),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect((await rest('GET', `/api/v1/calendar/7/events/${id}`)).body.data.attendee_count).toBe(3);
  });

  it('rejects bad input with the envelope and changes nothing', async () => {
    const noEntity = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      { title: 'No entity', event_date: '2030-08-01T18:00:00Z' },
      asMod,
    );
    expect(noEntity.status).toBe(400);
    expect(noEntity.body.error.details[0].path).toBe('entity_id');
    const past = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      { title: 'Past', event_date: '2020-08-01T18:00:00Z', entity_id: 'twitch:1' },
      asMod,
    );
    expect(past.status).toBe(400);
    // Naming a role but no user is not a way round the role check.
    const roleOnly = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      { title: 'Nobody', event_date: '2030-08-01T18:00:00Z', entity_id: 'twitch:1' },
      { 'X-WaddleBot-User-Role': 'owner' },
    );
    expect(roleOnly.status).toBe(400);
    expect(roleOnly.body.error.details[0].path).toBe('X-WaddleBot-User-Id');
    const badReject = await rest('POST', `/api/v1/calendar/7/events/${eventId}/reject`, {}, asMod);
    expect(badReject.status).toBe(400);
    const malformed = await rest('POST', '/api/v1/calendar/7/events', '{"title": ', asMod);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    const badZone = await rest('PUT', '/api/v1/calendar/7/settings', { timezone: 'Mars/Olympus' }, asAdmin);
    expect(badZone.status).toBe(400);
    const modSettings = await rest('PUT', '/api/v1/calendar/7/settings', { timezone: 'UTC' }, asMod);
    expect(modSettings.status).toBe(403);
    const settings = await rest('GET', '/api/v1/calendar/7/settings');
    expect(settings.body.data).toMatchObject({
      timezone: 'America/New_York',
      reminder_offsets_minutes: [1440, 60, 15],
    });
    expect((await rest('GET', '/api/v1/calendar/8/settings')).body.data.timezone).toBe('UTC');
  });

  it('a pending series is materialised when approved: a year of weekly instances by default', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      {
        title: 'Weekly Raid Train',
        event_date: '2030-10-01T19:00:00-04:00',
        entity_id: 'twitch:1',
        is_recurring: true,
        recurring_pattern: 'weekly',
      },
      asMember('700'),
    );
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ auto_approved: false, instances_created: 0 });
    const baseId = created.body.data.event.id;
    const instances = () =>
      db()
        .selectFrom('calendar_events')
        .selectAll()
        .where('parent_event_id', '=', baseId)
        .orderBy('event_date')
        .execute();
    expect(await instances()).toHaveLength(0);
    expect(await remindersOf(baseId)).toHaveLength(0);

    expect((await rest('POST', `/api/v1/calendar/7/events/${baseId}/approve`, {}, asMod)).status).toBe(200);
    const rows = await instances();
    expect(rows).toHaveLength(52);
    // 19:00 New York time on both sides of the November DST change.
    expect(new Date(rows[0]!.event_date).toISOString()).toBe('2030-10-08T23:00:00.000Z');
    expect(new Date(rows[5]!.event_date).toISOString()).toBe('2030-11-13T00:00:00.000Z');
    expect(rows.every((r) => r.status === 'approved' && r.created_by === '700')).toBe(true);
    expect(await remindersOf(baseId)).toHaveLength(3);
    expect(await remindersOf(rows[51]!.id)).toHaveLength(3);
  });

  it('a call naming no user is the service itself: its events are approved, its series materialised', async () => {
    const created = await rest('POST', '/api/v1/calendar/40/events', {
      title: 'Portal Series',
      event_date: '2030-01-31T20:00:00-05:00',
      entity_id: 'discord:4:40',
      is_recurring: true,
      recurring_pattern: 'monthly',
      recurring_end_date: '2030-05-02T00:00:00Z',
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      auto_approved: true,
      instances_created: 3,
      event: { created_by: 'system', status: 'approved' },
    });
    const pending = await rest('GET', '/api/v1/calendar/40/events?status=pending');
    expect(pending.status).toBe(200);
    const joinAsNobody = await rest(
      'POST',
      `/api/v1/calendar/40/events/${created.body.data.event.id}/attendees`,
      {},
    );
    expect(joinAsNobody.status).toBe(400);
    const series = await rest('POST', `/api/v1/calendar/40/events/${created.body.data.event.id}/cancel`, {
      scope: 'series',
    });
    expect(series.body.data.cancelled).toBe(4);
  });

  it('cancel defaults to one event; a member cannot cancel what another created', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/7/events',
      { title: 'Default cancel', event_date: '2030-08-03T18:00:00Z', entity_id: 'slack:T1:C1' },
      asMember('500'),
    );
    const id = created.body.data.event.id;
    const other = await rest('POST', `/api/v1/calendar/7/events/${id}/cancel`, {}, asMember('501'));
    expect(other.status).toBe(403);
    expect((await eventRow(id)).status).toBe('pending');
    const res = await rest('POST', `/api/v1/calendar/7/events/${id}/cancel`, {}, asMember('500'));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ cancelled: 1, event: { id, status: 'cancelled' } });
    expect((await eventRow(id)).status).toBe('cancelled');
  });

  it('every event route of one community refuses the events of another', async () => {
    const created = await rest(
      'POST',
      '/api/v1/calendar/30/events',
      { title: 'Thirty only', event_date: '2030-08-04T18:00:00Z', entity_id: 'twitch:30' },
      asMember('600'),
    );
    const id = created.body.data.event.id;
    const foreign: [string, string, unknown?][] = [
      ['GET', `/api/v1/calendar/31/events/${id}`],
      ['POST', `/api/v1/calendar/31/events/${id}/approve`, {}],
      ['POST', `/api/v1/calendar/31/events/${id}/reject`, { reason: 'no' }],
      ['POST', `/api/v1/calendar/31/events/${id}/cancel`, { scope: 'series' }],
      ['POST', `/api/v1/calendar/31/events/${id}/attendees`, {}],
      ['DELETE', `/api/v1/calendar/31/events/${id}/attendees/600`],
    ];
    for (const [method, path, body] of foreign) {
      const res = await rest(method, path, body, asAdmin);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect(
      (await rest('GET', '/api/v1/calendar/31/events?status=pending', undefined, asMod)).body.data.total,
    ).toBe(0);
    expect((await eventRow(id)).status).toBe('pending');
    const attendees = await db()
      .selectFrom('calendar_event_attendees')
      .select('id')
      .where('event_id', '=', id)
      .execute();
    expect(attendees).toEqual([]);
  });

  it('validates windows, channels and settings changes', async () => {
    const window = await rest(
      'GET',
      '/api/v1/calendar/7/events?from=2030-09-01T00:00:00Z&to=2030-08-01T00:00:00Z',
    );
    expect(window.status).toBe(400);
    expect(window.body.error.details[0].path).toBe('to');
    for (const entity_id of ['discord:9', 'twitch:1:2', 'slack:T1']) {
      const res = await rest(
        'POST',
        '/api/v1/calendar/7/events',
        { title: 'Nowhere', event_date: '2030-08-01T18:00:00Z', entity_id },
        asMod,
      );
      expect(res.status, entity_id).toBe(400);
      expect(res.body.error.details[0].path).toBe('entity_id');
    }
    const nothing = await rest('PUT', '/api/v1/calendar/7/settings', {}, asAdmin);
    expect(nothing.status).toBe(400);
    const badOffset = await rest(
      'PUT',
      '/api/v1/calendar/7/settings',
      { reminder_offsets_minutes: [0] },
      asAdmin,
    );
    expect(badOffset.status).toBe(400);
    const member = await rest('PUT', '/api/v1/calendar/7/settings', { timezone: 'UTC' }, asMember('1'));
    expect(member.status).toBe(403);
    expect((await rest('GET', '/api/v1/calendar/7/settings')).body.data.timezone).toBe('America/New_York');
  });

  it('documents its REST routes in /openapi.json', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/calendar/{community_id}/events',
        '/api/v1/calendar/{community_id}/events/{id}/cancel',
        '/api/v1/calendar/{community_id}/events/{id}/attendees/{user_id}',
        '/api/v1/calendar/{community_id}/settings',
      ]),
    );
  });

  it('every route wants the service key', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/calendar/7/events'],
      ['POST', '/api/v1/calendar/7/events'],
      ['GET', '/api/v1/calendar/7/events/1'],
      ['POST', '/api/v1/calendar/7/events/1/approve'],
      ['POST', '/api/v1/calendar/7/events/1/reject'],
      ['POST', '/api/v1/calendar/7/events/1/cancel'],
      ['POST', '/api/v1/calendar/7/events/1/attendees'],
      ['DELETE', '/api/v1/calendar/7/events/1/attendees/5'],
      ['GET', '/api/v1/calendar/7/settings'],
      ['PUT', '/api/v1/calendar/7/settings'],
      ['POST', '/internal/user-merged'],
    ] as const) {
      const body = method === 'GET' ? undefined : {};
      const none = await call(app, method, path, body, { 'Content-Type': 'application/json' });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('AUTH_REQUIRED');
      const wrong = await call(app, method, path, body, {
        'Content-Type': 'application/json',
        'X-Service-Key': 'w'.repeat(40),
      });
      expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    }
  });
});

describe('user merge', () => {
  it('re-keys creators and attendees; a double sign-up keeps the older row', async () => {
    const id = idIn(
      (await interact(mod('!calendar create "Merge night" "2030-09-01 20:00"'))).body.chat_message,
    );
    await interact(member(`!calendar join ${id}`, { user: user('900') }));
    (rt.clock as FakeClock).advance(1000);
    await interact(member(`!calendar join ${id}`, { user: { ...user('901'), uid: '5000' } }));
    const body = {
      from_uid: '4000',
      into_uid: '5000',
      identities: [{ platform: 'twitch', platform_user_id: '900' }],
    };
    const res = await rest('POST', '/internal/user-merged', body);
    expect(res.body).toEqual({ success: true, data: { merged: true } });
    expect((await rest('POST', '/internal/user-merged', body)).status).toBe(200);
    const rows = await db()
      .selectFrom('calendar_event_attendees')
      .select(['user_id', 'user_name'])
      .where('event_id', '=', id)
      .execute();
    expect(rows).toEqual([{ user_id: '5000', user_name: 'U900' }]);
  });
});
