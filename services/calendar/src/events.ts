import { type Kysely, type Selectable, type Transaction } from 'kysely';
import { hasRole, isUniqueViolation, type Clock } from '@waddlebot/core';
import { CalendarError, notAllowed, notFound } from './calendar-errors.js';
import type { CalendarDB, EventStatus, EventsTable, RecurringPattern } from './db.js';
import { dropUnsentReminders, scheduleEventReminders } from './event-reminders.js';
import { instanceStarts } from './recurrence.js';
import { readSettings, type CalendarSettings } from './settings.js';

export type CalendarEvent = Selectable<EventsTable>;

export interface CalendarDeps {
  db: Kysely<CalendarDB>;
  clock: Clock;
  defaultZone: string;
}

/** Who acts: the user key, display name, effective role and labels (chat or REST headers). */
export interface Actor {
  key: string;
  name: string | null;
  role: string;
  labels: readonly string[];
}

export const AUTO_APPROVE_LABEL = 'event-autoapprove';
const DAY_MS = 24 * 3600_000;

export const isModerator = (actor: Actor) => hasRole(actor.role, 'moderator');

export interface NewEvent {
  entityId: string;
  title: string;
  description?: string | null;
  eventDate: Date;
  endDate?: Date | null;
  location?: string | null;
  maxAttendees?: number | null;
  tags?: string[];
  recurrence?: { pattern: RecurringPattern; endDate?: Date | null };
}

function validateEvent(input: NewEvent, now: Date) {
  const title = input.title.trim();
  if (title.length < 3 || title.length > 255)
    throw new CalendarError('VALIDATION', 'The title must be 3 to 255 characters', 'title');
  if (input.description && input.description.length > 5000)
    throw new CalendarError('VALIDATION', 'The description can be at most 5000 characters', 'description');
  if (input.location && input.location.length > 500)
    throw new CalendarError('VALIDATION', 'The location can be at most 500 characters', 'location');
  if (input.maxAttendees !== undefined && input.maxAttendees !== null) {
    if (!Number.isInteger(input.maxAttendees) || input.maxAttendees < 1)
      throw new CalendarError('VALIDATION', 'max_attendees must be a positive number', 'max_attendees');
  }
  if (input.eventDate.getTime() <= now.getTime())
    throw new CalendarError('VALIDATION', 'The event must start in the future', 'event_date');
  if (input.endDate && input.endDate.getTime() <= input.eventDate.getTime())
    throw new CalendarError('VALIDATION', 'The end must be after the start', 'end_date');
  const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
  if (tags.length > 20 || tags.some((t) => t.length > 50))
    throw new CalendarError('VALIDATION', 'At most 20 tags of at most 50 characters', 'tags');
  if (input.recurrence?.endDate && input.recurrence.endDate.getTime() <= input.eventDate.getTime())
    throw new CalendarError('VALIDATION', 'recurring_end_date must be after the start', 'recurring_end_date');
  return { title, tags };
}

export async function findEvent(
  db: Kysely<CalendarDB> | Transaction<CalendarDB>,
  communityId: string,
  id: number,
  lock = false,
): Promise<CalendarEvent> {
  if (!Number.isSafeInteger(id) || id < 1) throw notFound(id);
  let q = db
    .selectFrom('calendar_events')
    .selectAll()
    .where('id', '=', id)
    .where('community_id', '=', communityId);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(id);
  return row;
}

/**
 * An event just became approved: its recurrences are materialised (as approved instances) and
 * every one of them gets its reminders.
 */
async function activate(
  trx: Transaction<CalendarDB>,
  event: CalendarEvent,
  settings: CalendarSettings,
  now: Date,
): Promise<CalendarEvent[]> {
  const all: CalendarEvent[] = [event];
  if (event.is_recurring && event.recurring_pattern) {
    const start = new Date(event.event_date);
    const end = event.recurring_end_date
      ? new Date(event.recurring_end_date)
      : new Date(start.getTime() + 365 * DAY_MS);
    const duration = event.end_date ? new Date(event.end_date).getTime() - start.getTime() : null;
    const starts = instanceStarts(start, end, event.recurring_pattern, settings.timezone);
    if (starts.length > 0) {
      const { id: _id, ...template } = event;
      const instances = await trx
        .insertInto('calendar_events')
        .values(
          starts.map((at) => ({
            ...template,
            event_date: at,
            end_date: duration === null ? null : new Date(at.getTime() + duration),
            status: 'approved' as const,
            is_recurring: false,
            recurring_pattern: null,
            recurring_end_date: null,
            parent_event_id: event.id,
            created_at: now,
            updated_at: now,
          })),
        )
        .returningAll()
        .execute();
      all.push(...instances);
    }
  }
  await scheduleEventReminders(trx, all, settings.reminder_offsets_minutes, now);
  return all;
}

export async function createEvent(
  deps: CalendarDeps,
  communityId: string,
  actor: Actor,
  input: NewEvent,
): Promise<{ event: CalendarEvent; autoApproved: boolean; instances: number }> {
  const now = deps.clock.now();
  const { title, tags } = validateEvent(input, now);
  const autoApproved = isModerator(actor) || actor.labels.includes(AUTO_APPROVE_LABEL);
  return deps.db.transaction().execute(async (trx) => {
    const event = await trx
      .insertInto('calendar_events')
      .values({
        community_id: communityId,
        entity_id: input.entityId,
        title,
        description: input.description?.trim() || null,
        event_date: input.eventDate,
        end_date: input.endDate ?? null,
        location: input.location?.trim() || null,
        max_attendees: input.maxAttendees ?? null,
        created_by: actor.key,
        created_by_name: actor.name,
        status: autoApproved ? 'approved' : 'pending',
        approved_by: autoApproved ? actor.key : null,
        approved_by_name: autoApproved ? actor.name : null,
        approved_at: autoApproved ? now : null,
        rejection_reason: null,
        tags,
        is_recurring: input.recurrence !== undefined,
        recurring_pattern: input.recurrence?.pattern ?? null,
        recurring_end_date: input.recurrence
          ? (input.recurrence.endDate ?? new Date(input.eventDate.getTime() + 365 * DAY_MS))
          : null,
        parent_event_id: null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (!autoApproved) return { event, autoApproved, instances: 0 };
    const settings = await readSettings(trx, communityId, deps.defaultZone);
    const all = await activate(trx, event, settings, now);
    return { event, autoApproved, instances: all.length - 1 };
  });
}

async function decide(
  deps: CalendarDeps,
  communityId: string,
  actor: Actor,
  id: number,
  action: 'approve' | 'reject',
  reason?: string,
): Promise<CalendarEvent> {
  if (!isModerator(actor)) throw notAllowed(`${action} events`);
  if (action === 'reject') {
    const r = reason?.trim() ?? '';
    if (!r) throw new CalendarError('USAGE', 'Usage: !calendar reject <event_id> "<reason>"', 'reason');
    if (r.length > 500)
      throw new CalendarError('VALIDATION', 'The reason can be at most 500 characters', 'reason');
  }
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const event = await findEvent(trx, communityId, id, true);
    if (event.status !== 'pending')
      throw new CalendarError('CONFLICT', 'Only pending events can be approved or rejected');
    const updated = await trx
      .updateTable('calendar_events')
      .set(
        action === 'approve'
          ? {
              status: 'approved',
              approved_by: actor.key,
              approved_by_name: actor.name,
              approved_at: now,
              updated_at: now,
            }
          : { status: 'rejected', rejection_reason: reason!.trim(), updated_at: now },
      )
      .where('id', '=', event.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (action === 'approve') {
      await activate(trx, updated, await readSettings(trx, communityId, deps.defaultZone), now);
    }
    return updated;
  });
}

export const approveEvent = (deps: CalendarDeps, communityId: string, actor: Actor, id: number) =>
  decide(deps, communityId, actor, id, 'approve');
export const rejectEvent = (
  deps: CalendarDeps,
  communityId: string,
  actor: Actor,
  id: number,
  reason: string,
) => decide(deps, communityId, actor, id, 'reject', reason);

/**
 * Cancels one event, or with scope `series` the series it belongs to: the base (if still open)
 * and every future instance. Unsent reminders of what was cancelled are deleted.
 */
export async function cancelEvent(
  deps: CalendarDeps,
  communityId: string,
  actor: Actor,
  id: number,
  scope: 'one' | 'series' = 'one',
): Promise<{ event: CalendarEvent; cancelled: number }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const event = await findEvent(trx, communityId, id, true);
    if (event.created_by !== actor.key && !isModerator(actor)) throw notAllowed('cancel this event');
    const open: EventStatus[] = ['pending', 'approved'];
    let ids: number[];
    if (scope === 'series') {
      const rootId = event.parent_event_id ?? event.id;
      const rows = await trx
        .selectFrom('calendar_events')
        .select('id')
        .where('community_id', '=', communityId)
        .where('status', 'in', open)
        .where((eb) =>
          eb.or([
            eb('id', '=', rootId),
            eb.and([eb('parent_event_id', '=', rootId), eb('event_date', '>=', now)]),
          ]),
        )
        .execute();
      ids = rows.map((r) => r.id);
      if (!open.includes(event.status) && ids.length === 0)
        throw new CalendarError('CONFLICT', 'Only pending or approved events can be cancelled');
    } else {
      if (!open.includes(event.status))
        throw new CalendarError('CONFLICT', 'Only pending or approved events can be cancelled');
      ids = [event.id];
    }
    if (ids.length > 0) {
      await trx
        .updateTable('calendar_events')
        .set({ status: 'cancelled', updated_at: now })
        .where('id', 'in', ids)
        .execute();
      await dropUnsentReminders(trx, ids);
    }
    return { event: { ...event, status: 'cancelled' }, cancelled: ids.length };
  });
}

export async function attendeeCount(db: Kysely<CalendarDB> | Transaction<CalendarDB>, eventId: number) {
  const row = await db
    .selectFrom('calendar_event_attendees')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('event_id', '=', eventId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Joins with the capacity check done while the event row is locked, so the last seat goes once. */
export async function joinEvent(
  deps: CalendarDeps,
  communityId: string,
  actor: Actor,
  id: number,
): Promise<{ event: CalendarEvent; count: number }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const event = await findEvent(trx, communityId, id, true);
    if (event.status !== 'approved') throw new CalendarError('CONFLICT', `Event #${id} is not approved`);
    if (new Date(event.event_date).getTime() <= now.getTime())
      throw new CalendarError('CONFLICT', `'${event.title}' has already started`);
    const existing = await trx
      .selectFrom('calendar_event_attendees')
      .select('id')
      .where('event_id', '=', event.id)
      .where('user_id', '=', actor.key)
      .executeTakeFirst();
    if (existing) throw new CalendarError('CONFLICT', `You're already attending '${event.title}'`);
    const count = await attendeeCount(trx, event.id);
    if (event.max_attendees !== null && count >= event.max_attendees)
      throw new CalendarError('CONFLICT', `'${event.title}' is full (${count}/${event.max_attendees})`);
    try {
      await trx
        .insertInto('calendar_event_attendees')
        .values({ event_id: event.id, user_id: actor.key, user_name: actor.name, joined_at: now })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new CalendarError('CONFLICT', `You're already attending '${event.title}'`);
      throw err;
    }
    return { event, count: count + 1 };
  });
}

/** Takes a user off an event's list; `left` is false when they were not on it. */
export async function leaveEvent(
  deps: CalendarDeps,
  communityId: string,
  userKey: string,
  id: number,
): Promise<{ event: CalendarEvent; left: boolean }> {
  const event = await findEvent(deps.db, communityId, id);
  const res = await deps.db
    .deleteFrom('calendar_event_attendees')
    .where('event_id', '=', event.id)
    .where('user_id', '=', userKey)
    .executeTakeFirst();
  return { event, left: Number(res.numDeletedRows) > 0 };
}

export type ListedEvent = CalendarEvent & { attendee_count: number };

export interface EventQuery {
  status: EventStatus;
  from?: Date;
  to?: Date;
  limit: number;
  offset?: number;
}

export async function listEvents(
  deps: CalendarDeps,
  communityId: string,
  q: EventQuery,
): Promise<{ events: ListedEvent[]; total: number }> {
  let base = deps.db
    .selectFrom('calendar_events as e')
    .where('e.community_id', '=', communityId)
    .where('e.status', '=', q.status);
  if (q.from) base = base.where('e.event_date', '>=', q.from);
  if (q.to) base = base.where('e.event_date', '<', q.to);
  const [events, total] = await Promise.all([
    base
      .selectAll('e')
      .select((eb) =>
        eb
          .selectFrom('calendar_event_attendees as a')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('a.event_id', '=', 'e.id')
          .as('attendee_count'),
      )
      .orderBy('e.event_date')
      .orderBy('e.id')
      .limit(q.limit)
      .offset(q.offset ?? 0)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    events: events.map((e) => ({ ...e, attendee_count: Number(e.attendee_count) })),
    total: Number(total.n),
  };
}

export async function eventWithAttendees(deps: CalendarDeps, communityId: string, id: number) {
  const event = await findEvent(deps.db, communityId, id);
  const attendees = await deps.db
    .selectFrom('calendar_event_attendees')
    .select(['user_id', 'user_name', 'status', 'joined_at'])
    .where('event_id', '=', event.id)
    .orderBy('joined_at')
    .orderBy('id')
    .execute();
  return { ...event, attendee_count: attendees.length, attendees };
}
