import { DateTime, IANAZone } from 'luxon';

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/;

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** `YYYY-MM-DD HH:MM` → its parts, or null when it is not a real calendar date and time. */
export function parseWallTime(text: string): WallTime | null {
  const m = LOCAL_INPUT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const check = DateTime.fromObject({ year, month, day, hour, minute }, { zone: 'utc' });
  if (!check.isValid || check.day !== day || hour > 23 || minute > 59) return null;
  return { year, month, day, hour, minute };
}

const offsetAt = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).offset;

function wallOf(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm');
}

/**
 * The instant a wall-clock time names in `zone`. A time inside a DST gap moves forward to the
 * first valid instant (the transition); an ambiguous time in an overlap takes the earlier one.
 */
export function resolveWallTime(w: WallTime, zone: string): Date {
  const wallMs = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const wanted = DateTime.fromMillis(wallMs, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm');
  const day = 24 * 3600_000;
  const before = offsetAt(wallMs - day, zone);
  const after = offsetAt(wallMs + day, zone);
  const candidates = [...new Set([before, after, offsetAt(wallMs, zone)])]
    .map((o) => wallMs - o * 60_000)
    .filter((t) => wallOf(t, zone) === wanted);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  // In a gap: the offset jumps from `before` to `after` somewhere in [lo, hi]; find the jump.
  let lo = wallMs - after * 60_000;
  let hi = wallMs - before * 60_000;
  if (lo > hi) [lo, hi] = [hi, lo];
  while (hi - lo > 60_000) {
    const mid = lo + Math.floor((hi - lo) / 2 / 60_000) * 60_000;
    if (offsetAt(mid, zone) === before) lo = mid;
    else hi = mid;
  }
  return new Date(hi);
}

/** `Mon 2025-12-01 20:00 EST`: community-local time with the zone's abbreviation. */
export function formatLocal(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ');
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "1 day", "2 hours", "15 minutes", "less than a minute": whole days, else hours, else minutes. */
export function beginsIn(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes >= 1440) return plural(Math.floor(minutes / 1440), 'day');
  if (minutes >= 60) return plural(Math.floor(minutes / 60), 'hour');
  if (minutes >= 1) return plural(minutes, 'minute');
  return 'less than a minute';
}
