import { DateTime } from 'luxon';
import type { RecurringPattern } from './db.js';
import { resolveWallTime } from './local-time.js';

/** Instances materialised for one series, at most. */
export const MAX_INSTANCES = 366;

const UNIT: Record<RecurringPattern, 'days' | 'weeks' | 'months' | 'years'> = {
  daily: 'days',
  weekly: 'weeks',
  monthly: 'months',
  yearly: 'years',
};

/**
 * Start times of the instances after `base`, before `end` (exclusive). Instance n is base + n
 * periods in the community zone, counted from the base (never from the previous, clamped one):
 * the wall-clock time survives DST, the 31st becomes the last day of shorter months and 29 Feb
 * becomes 28 Feb.
 */
export function instanceStarts(base: Date, end: Date, pattern: RecurringPattern, zone: string): Date[] {
  const local = DateTime.fromJSDate(base, { zone });
  const out: Date[] = [];
  for (let n = 1; out.length < MAX_INSTANCES; n++) {
    const day = local.plus({ [UNIT[pattern]]: n });
    const at = resolveWallTime(
      { year: day.year, month: day.month, day: day.day, hour: local.hour, minute: local.minute },
      zone,
    );
    if (at.getTime() >= end.getTime()) break;
    out.push(at);
  }
  return out;
}
