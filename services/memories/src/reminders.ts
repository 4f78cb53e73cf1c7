import { DateTime } from 'luxon';
import type { Kysely, Selectable } from 'kysely';
import {
  parseEntityId,
  type Clock,
  type JobOutcome,
  type Logger,
  type OutboundDelivery,
} from '@waddlebot/core';
import type { MemoriesDB, RecurringPattern, RemindersTable } from './db.js';

export type Reminder = Selectable<RemindersTable>;

export interface ReminderDeps {
  db: Kysely<MemoriesDB>;
  clock: Clock;
  maxPendingPerUser: number;
}

/** A reminder refused for a reason the user can fix; the message is shown as is. */
export class ReminderError extends Error {
  constructor(
    message: string,
    readonly kind: 'validation' | 'limit',
  ) {
    super(message);
  }
}

export const REMINDER_TEXT_MAX = 500;

export interface NewReminder {
  communityId: string;
  entityId: string;
  userId: string;
  userName: string;
  text: string;
  remindAt: Date;
  recurringPattern?: RecurringPattern;
  recurringEnd?: Date;
}

export async function pendingCount(deps: ReminderDeps, communityId: string, userId: string): Promise<number> {
  const row = await deps.db
    .selectFrom('memories_reminders')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('community_id', '=', communityId)
    .where('user_id', '=', userId)
    .where('is_active', '=', true)
    .where('delivery_status', 'in', ['pending', 'sending'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createReminder(deps: ReminderDeps, input: NewReminder): Promise<Reminder> {
  const text = input.text.trim();
  if (!text) throw new ReminderError('The reminder text cannot be empty', 'validation');
  if (text.length > REMINDER_TEXT_MAX)
    throw new ReminderError(`The reminder text can be at most ${REMINDER_TEXT_MAX} characters`, 'validation');
  const now = deps.clock.now();
  if (input.remindAt.getTime() <= now.getTime())
    throw new ReminderError('The reminder time must be in the future', 'validation');
  if (input.recurringEnd && input.recurringEnd.getTime() <= input.remindAt.getTime())
    throw new ReminderError('recurring_end must be after the first reminder', 'validation');
  if ((await pendingCount(deps, input.communityId, input.userId)) >= deps.maxPendingPerUser)
    throw new ReminderError(`You already have ${deps.maxPendingPerUser} pending reminders`, 'limit');
  return deps.db
    .insertInto('memories_reminders')
    .values({
      community_id: input.communityId,
      entity_id: input.entityId,
      user_id: input.userId,
      user_name: input.userName,
      reminder_text: text,
      remind_at: input.remindAt,
      created_at: now,
      is_recurring: input.recurringPattern !== undefined,
      recurring_pattern: input.recurringPattern ?? null,
      recurring_end: input.recurringEnd ?? null,
      memory_id: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listReminders(
  deps: ReminderDeps,
  communityId: string,
  userId?: string,
): Promise<Reminder[]> {
  let q = deps.db
    .selectFrom('memories_reminders')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('is_active', '=', true);
  if (userId) q = q.where('user_id', '=', userId);
  return q.orderBy('remind_at').orderBy('id').limit(200).execute();
}

/** Cancels a reminder; one that was not yet sent is never posted. */
export async function deactivateReminder(
  deps: ReminderDeps,
  communityId: string,
  id: number,
): Promise<boolean> {
  if (!Number.isSafeInteger(id) || id < 1) return false;
  const res = await deps.db
    .updateTable('memories_reminders')
    .set({ is_active: false })
    .where('id', '=', id)
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

const PATTERN_STEP = { daily: { days: 1 }, weekly: { weeks: 1 }, monthly: { months: 1 } } as const;

/** Past this a reminder is stale (e.g. after downtime) and is skipped rather than posted. */
const OVERDUE_MS = 24 * 3600_000;

export interface ReminderDeliveryDeps {
  db: Kysely<MemoriesDB>;
  clock: Clock;
  logger: Logger;
  send: OutboundDelivery;
}

/** The scheduler's delivery step for one claimed reminder (interaction-modules §7 Reminders). */
export async function deliverReminder(
  deps: ReminderDeliveryDeps,
  row: Reminder,
): Promise<{ outcome: JobOutcome; set?: Record<string, unknown> }> {
  const now = deps.clock.now();
  if (!row.is_active) return { outcome: 'skipped' };
  if (now.getTime() - new Date(row.remind_at).getTime() > OVERDUE_MS) return { outcome: 'skipped' };
  const platform = parseEntityId(row.entity_id)?.platform;
  if (!platform) return { outcome: 'failed' };
  const text = `@${row.user_name} ⏰ Reminder: ${row.reminder_text}`.slice(0, 2000);
  const result = await deps.send({
    platform,
    type: 'chat',
    entity_id: row.entity_id,
    text,
    module_name: 'memories',
    idempotency_key: `memories:reminder:${row.id}`,
  });
  if (result.status === 'sent') {
    return { outcome: 'sent', set: { is_sent: true, sent_at: deps.clock.now() } };
  }
  deps.logger.warn('reminder delivery failed', { reminder_id: row.id, reason: result.reason });
  return { outcome: 'failed' };
}

/**
 * After a recurring reminder ran, queues its next occurrence, counted from the first one so
 * monthly reminders keep their day; occurrences already past (downtime) are passed over.
 */
export async function queueNextOccurrence(deps: ReminderDeliveryDeps, row: Reminder): Promise<void> {
  if (!row.is_recurring || !row.recurring_pattern || !row.is_active) return;
  const now = deps.clock.now();
  const step = PATTERN_STEP[row.recurring_pattern];
  const first = DateTime.fromJSDate(new Date(row.remind_at), { zone: 'utc' });
  let next = first.plus(step);
  for (let i = 2; next.toMillis() <= now.getTime() && i < 1000; i++) {
    next = first.plus(Object.fromEntries(Object.entries(step).map(([k, v]) => [k, v * i])));
  }
  if (next.toMillis() <= now.getTime()) return;
  if (row.recurring_end && next.toMillis() > new Date(row.recurring_end).getTime()) return;
  await deps.db
    .insertInto('memories_reminders')
    .values({
      memory_id: row.memory_id,
      community_id: row.community_id,
      entity_id: row.entity_id,
      user_id: row.user_id,
      user_name: row.user_name,
      reminder_text: row.reminder_text,
      remind_at: next.toJSDate(),
      created_at: now,
      is_recurring: true,
      recurring_pattern: row.recurring_pattern,
      recurring_end: row.recurring_end,
    })
    .execute();
}
