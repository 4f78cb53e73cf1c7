import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '@waddlebot/core';
import type { CalendarDB } from './db.js';

export interface CalendarSettings {
  community_id: string;
  timezone: string;
  reminder_offsets_minutes: number[];
}

export const DEFAULT_REMINDER_OFFSETS = [1440, 60, 15];

/** The community's settings, or the defaults when it never saved any. */
export async function readSettings(
  db: Kysely<CalendarDB> | Transaction<CalendarDB>,
  communityId: string,
  defaultZone: string,
): Promise<CalendarSettings> {
  const row = await db
    .selectFrom('calendar_settings')
    .select(['community_id', 'timezone', 'reminder_offsets_minutes'])
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return (
    row ?? {
      community_id: communityId,
      timezone: defaultZone,
      reminder_offsets_minutes: DEFAULT_REMINDER_OFFSETS,
    }
  );
}

export async function writeSettings(
  db: Kysely<CalendarDB>,
  clock: Clock,
  settings: CalendarSettings,
): Promise<CalendarSettings> {
  const offsets = [...new Set(settings.reminder_offsets_minutes)].sort((a, b) => b - a);
  const row = await db
    .insertInto('calendar_settings')
    .values({ ...settings, reminder_offsets_minutes: offsets, updated_at: clock.now() })
    .onConflict((oc) =>
      oc.column('community_id').doUpdateSet({
        timezone: settings.timezone,
        reminder_offsets_minutes: offsets,
        updated_at: clock.now(),
      }),
    )
    .returning(['community_id', 'timezone', 'reminder_offsets_minutes'])
    .executeTakeFirstOrThrow();
  return row;
}
