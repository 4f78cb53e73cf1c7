import { describe, expect, it } from 'vitest';
import { beginsIn, formatLocal, parseWallTime, resolveWallTime } from '../src/local-time.js';
import { instanceStarts } from '../src/recurrence.js';

const NY = 'America/New_York';
const at = (text: string, zone: string) => resolveWallTime(parseWallTime(text)!, zone).toISOString();

describe('community-local time', () => {
  it('reads wall-clock input in the community zone', () => {
    expect(at('2030-01-15 20:00', NY)).toBe('2030-01-16T01:00:00.000Z');
    expect(at('2030-07-15 20:00', NY)).toBe('2030-07-16T00:00:00.000Z');
    expect(at('2030-01-15 20:00', 'UTC')).toBe('2030-01-15T20:00:00.000Z');
  });

  it('moves a time in the spring-forward gap to the first valid instant', () => {
    // 2030-03-10 02:30 does not exist in New York; clocks jump from 02:00 EST to 03:00 EDT.
    expect(at('2030-03-10 02:30', NY)).toBe('2030-03-10T07:00:00.000Z');
    expect(formatLocal(new Date('2030-03-10T07:00:00Z'), NY)).toBe('Sun 2030-03-10 03:00 EDT');
  });

  it('takes the earlier instant of an ambiguous fall-back time', () => {
    // 01:30 happens twice on 2030-11-03: first as EDT (05:30Z), then as EST (06:30Z).
    expect(at('2030-11-03 01:30', NY)).toBe('2030-11-03T05:30:00.000Z');
  });

  it('refuses malformed and impossible dates', () => {
    expect(parseWallTime('2030-02-30 10:00')).toBeNull();
    expect(parseWallTime('2030-01-15 24:00')).toBeNull();
    expect(parseWallTime('15/01/2030 20:00')).toBeNull();
    expect(parseWallTime('tomorrow')).toBeNull();
  });

  it('formats with the zone abbreviation', () => {
    expect(formatLocal(new Date('2025-12-02T01:00:00Z'), NY)).toBe('Mon 2025-12-01 20:00 EST');
  });

  it('says how long until the start in whole units, pluralised', () => {
    expect(beginsIn(24 * 3600_000)).toBe('1 day');
    expect(beginsIn(3 * 24 * 3600_000 + 5 * 3600_000)).toBe('3 days');
    expect(beginsIn(3600_000)).toBe('1 hour');
    expect(beginsIn(150 * 60_000)).toBe('2 hours');
    expect(beginsIn(15 * 60_000)).toBe('15 minutes');
    expect(beginsIn(60_000)).toBe('1 minute');
    expect(beginsIn(30_000)).toBe('less than a minute');
  });
});

describe('recurrence', () => {
  it('monthly on the 31st falls on the last day of shorter months, same local time across DST', () => {
    const base = resolveWallTime(parseWallTime('2030-01-31 20:00')!, NY);
    const ends = resolveWallTime(parseWallTime('2030-05-01 00:00')!, NY);
    const starts = instanceStarts(base, ends, 'monthly', NY).map((d) => formatLocal(d, NY));
    expect(starts).toEqual([
      'Thu 2030-02-28 20:00 EST',
      'Sun 2030-03-31 20:00 EDT',
      'Tue 2030-04-30 20:00 EDT',
    ]);
  });

  it('yearly on 29 Feb falls on 28 Feb, and counts from the base (29 Feb again in 2032)', () => {
    const base = new Date('2028-02-29T12:00:00Z');
    const starts = instanceStarts(base, new Date('2033-01-01T00:00:00Z'), 'yearly', 'UTC').map((d) =>
      d.toISOString().slice(0, 10),
    );
    expect(starts).toEqual(['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
  });

  it('weekly keeps the wall-clock time over the DST change and excludes the end', () => {
    const base = resolveWallTime(parseWallTime('2030-03-03 09:00')!, NY);
    const end = resolveWallTime(parseWallTime('2030-03-17 09:00')!, NY);
    expect(instanceStarts(base, end, 'weekly', NY).map((d) => formatLocal(d, NY))).toEqual([
      'Sun 2030-03-10 09:00 EDT',
    ]);
  });

  it('stops at 366 instances', () => {
    const base = new Date('2030-01-01T10:00:00Z');
    expect(instanceStarts(base, new Date('2032-01-01T00:00:00Z'), 'daily', 'UTC')).toHaveLength(366);
  });
});
