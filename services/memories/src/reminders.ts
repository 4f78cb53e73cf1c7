import { DateTime } from 'luxon';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Clock, ReminderPost } from '@waddlebot/core';
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
    /** The input at fault, for REST `details`. */
    readonly field?: 'reminder_text' | 'remind_at' | 'recurring_end',
  ) {
    super(message);
    this.name = 'ReminderError';
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

export async function pendingCount(
  db: Kysely<MemoriesDB>,
  communityId: string,
  userId: string,
): Promise<number> {
  const row = await db
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
  if (!text) throw new ReminderError('The reminder text cannot be empty', 'validation', 'reminder_text');
  if (text.length > REMINDER_TEXT_MAX)
    throw new ReminderError(
      `The reminder text can be at most ${REMINDER_TEXT_MAX} characters`,
      'validation',
      'reminder_text',
    );
  const now = deps.clock.now();
  if (input.remindAt.getTime() <= now.getTime())
    throw new ReminderError('The reminder time must be in the future', 'validation', 'remind_at');
  if (input.recurringEnd && input.recurringEnd.getTime() <= input.remindAt.getTime())
    throw new ReminderError('recurring_end must be after the first reminder', 'validation', 'recurring_end');
  return deps.db.transaction().execute(async (trx) => {
    // Two reminders set at once by one user must not both slip under the limit.
    const lockKey = `memories:reminders:${input.communityId}:${input.userId}`;
    await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(trx);
    if ((await pendingCount(trx, input.communityId, input.userId)) >= deps.maxPendingPerUser)
      throw new ReminderError(`You already have ${deps.maxPendingPerUser} pending reminders`, 'limit');
    return trx
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
  });
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

export async function findReminder(
  deps: ReminderDeps,
  communityId: string,
  id: number,
): Promise<Reminder | undefined> {
  return deps.db
    .selectFrom('memories_reminders')
    .selectAll()
    .where('id', '=', id)
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/** Cancels a reminder; one that was not yet sent is never posted, nor are its later occurrences. */
export async function deactivateReminder(deps: ReminderDeps, reminder: Reminder): Promise<void> {
  await deps.db
    .updateTable('memories_reminders')
    .set({ is_active: false })
    .where('id', '=', reminder.id)
    .execute();
}

const PATTERN_STEP: Record<RecurringPattern, [unit: 'days' | 'months', size: number]> = {
  daily: ['days', 1],
  weekly: ['days', 7],
  monthly: ['months', 1],
};

/** Past this a reminder is stale (e.g. after downtime) and is skipped rather than posted. */
const OVERDUE_MS = 24 * 3600_000;

/** What one claimed reminder posts (interaction-modules §7 Reminders), or why it is skipped. */
export async function composeReminder(row: Reminder, now: Date): Promise<ReminderPost> {
  if (!row.is_active) return { skip: 'cancelled' };
  if (now.getTime() - new Date(row.remind_at).getTime() > OVERDUE_MS) return { skip: 'overdue' };
  return { entityId: row.entity_id, text: `@${row.user_name} ⏰ Reminder: ${row.reminder_text}` };
}

/**
 * The occurrence after `row` of a recurring series: the series' first time plus whole periods,
 * so a monthly reminder set on the 31st comes back on the 31st after a shorter month. Occurrences
 * already past (downtime) are passed over; null once the series has ended.
 */
export function nextOccurrence(row: Reminder, now: Date): Date | null {
  if (!row.is_recurring || !row.recurring_pattern) return null;
  const [unit, size] = PATTERN_STEP[row.recurring_pattern];
  const first = DateTime.fromJSDate(new Date(row.series_start ?? row.remind_at), { zone: 'utc' });
  const after = Math.max(new Date(row.remind_at).getTime(), now.getTime());
  for (let n = 1; n <= MAX_OCCURRENCES; n++) {
    const next = first.plus({ [unit]: n * size });
    if (next.toMillis() <= after) continue;
    if (row.recurring_end && next.toMillis() > new Date(row.recurring_end).getTime()) return null;
    return next.toJSDate();
  }
  return null;
}

/** Daily for ten years is far beyond any series a user would keep. */
const MAX_OCCURRENCES = 3660;

/**
 * After a recurring reminder ran, queues its next occurrence. The series' unique index makes a
 * second insert of the same occurrence (two replicas finishing one row) a no-op.
 */
export async function queueNextOccurrence(
  deps: { db: Kysely<MemoriesDB>; clock: Clock },
  row: Reminder,
): Promise<void> {
  if (!row.is_active) return;
  const now = deps.clock.now();
  const next = nextOccurrence(row, now);
  if (!next) return;
  await deps.db
    .insertInto('memories_reminders')
    .values({
      memory_id: row.memory_id,
      community_id: row.community_id,
      entity_id: row.entity_id,
      user_id: row.user_id,
      user_name: row.user_name,
      reminder_text: row.reminder_text,
      remind_at: next,
      created_at: now,
      is_recurring: true,
      recurring_pattern: row.recurring_pattern,
      recurring_end: row.recurring_end,
      series_start: row.series_start ?? row.remind_at,
    })
    .onConflict((oc) =>
      oc
        .columns(['community_id', 'user_id', 'series_start', 'remind_at', 'reminder_text'])
        .where(sql<boolean>`series_start is not null`)
        .doNothing(),
    )
    .execute();
}
