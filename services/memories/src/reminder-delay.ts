import { DateTime, type DurationLikeObject } from 'luxon';

export type DelayUnit = 'minutes' | 'hours' | 'days' | 'weeks' | 'months';

export interface Delay {
  amount: number;
  unit: DelayUnit;
}

const UNIT_WORDS: Record<string, DelayUnit> = {
  m: 'minutes',
  min: 'minutes',
  mins: 'minutes',
  minute: 'minutes',
  minutes: 'minutes',
  h: 'hours',
  hr: 'hours',
  hrs: 'hours',
  hour: 'hours',
  hours: 'hours',
  d: 'days',
  day: 'days',
  days: 'days',
  w: 'weeks',
  week: 'weeks',
  weeks: 'weeks',
  month: 'months',
  months: 'months',
};

/** Short forms (`5m 2h 1d 3w`) only take these letters; `5 m` with a space reads the same. */
const DELAY = /^(\d{1,6})\s*([a-z]+)$/;

/** `"2 hours"`, `"30 min"`, `"1d"`, `"3 months"` → a delay; anything else → null. */
export function parseDelay(text: string): Delay | null {
  const m = DELAY.exec(text.trim().toLowerCase());
  if (!m) return null;
  const unit = UNIT_WORDS[m[2]!];
  if (!unit) return null;
  return { amount: Number(m[1]), unit };
}

/** Months are calendar months (Jan 31 + 1 month = Feb 28/29), computed in UTC. */
export function addDelay(from: Date, delay: Delay): Date {
  const duration: DurationLikeObject = { [delay.unit]: delay.amount };
  return DateTime.fromJSDate(from, { zone: 'utc' }).plus(duration).toJSDate();
}

export function describeDelay(delay: Delay): string {
  const singular = delay.unit.slice(0, -1);
  return `${delay.amount} ${delay.amount === 1 ? singular : delay.unit}`;
}

const MIN_DELAY_MS = 60_000;
const MAX_DELAY_MS = 365 * 24 * 3600_000;

/** A reminder must be between 1 minute and 365 days away. */
export function delayInRange(from: Date, at: Date): boolean {
  const ms = at.getTime() - from.getTime();
  return ms >= MIN_DELAY_MS && ms <= MAX_DELAY_MS;
}

/** `2025-11-20 18:30 UTC`, as the reminder reply shows it. */
export function formatUtc(at: Date): string {
  return `${DateTime.fromJSDate(at, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm')} UTC`;
}
