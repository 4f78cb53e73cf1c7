import type { Kysely, Selectable, Transaction } from 'kysely';
import { insertChunked, type ReminderPost } from '@waddlebot/core';
import type { CalendarDB, EventRemindersTable, EventsTable } from './db.js';
import { beginsIn } from './local-time.js';

export type EventReminder = Selectable<EventRemindersTable>;

/**
 * Reminder rows for an approved event at start − each offset; offsets already past are left out.
 * The "begins in" text is fixed here from the offset, so a slightly late poll still says
 * "15 minutes".
 */
export function eventReminderRows(
  event: Pick<Selectable<EventsTable>, 'id' | 'title' | 'event_date'>,
  offsetsMinutes: number[],
  now: Date,
) {
  const start = new Date(event.event_date).getTime();
  return offsetsMinutes
    .map((offset) => ({ offset, at: start - offset * 60_000 }))
    .filter((r) => r.at > now.getTime())
    .map((r) => ({
      event_id: event.id,
      reminder_time: new Date(r.at),
      message: `⏰ '${event.title}' begins in ${beginsIn(r.offset * 60_000)}`,
      created_at: now,
    }));
}

export async function scheduleEventReminders(
  trx: Transaction<CalendarDB> | Kysely<CalendarDB>,
  events: Pick<Selectable<EventsTable>, 'id' | 'title' | 'event_date'>[],
  offsetsMinutes: number[],
  now: Date,
): Promise<number> {
  const rows = events.flatMap((e) => eventReminderRows(e, offsetsMinutes, now));
  await insertChunked(trx, 'calendar_event_reminders', rows);
  return rows.length;
}

/** A cancelled event keeps no reminders that could still go out. */
export async function dropUnsentReminders(
  trx: Transaction<CalendarDB> | Kysely<CalendarDB>,
  eventIds: number[],
): Promise<void> {
  if (eventIds.length === 0) return;
  await trx
    .deleteFrom('calendar_event_reminders')
    .where('event_id', 'in', eventIds)
    .where('sent', '=', false)
    .where('delivery_status', '!=', 'sending')
    .execute();
}

/** Past this a reminder is stale (e.g. after downtime) and is skipped rather than posted. */
const OVERDUE_MS = 3600_000;

/**
 * What one claimed event reminder posts (interaction-modules §6 Reminders): its text to the
 * event's channel, unless the event is no longer approved or the reminder is over an hour late.
 */
export function eventReminderComposer(db: Kysely<CalendarDB>) {
  return async (row: EventReminder, now: Date): Promise<ReminderPost> => {
    const event = await db
      .selectFrom('calendar_events')
      .select(['status', 'entity_id'])
      .where('id', '=', row.event_id)
      .executeTakeFirst();
    if (!event || event.status !== 'approved') return { skip: 'event not approved' };
    if (now.getTime() - new Date(row.reminder_time).getTime() > OVERDUE_MS) return { skip: 'overdue' };
    return { entityId: event.entity_id, text: row.message };
  };
}
