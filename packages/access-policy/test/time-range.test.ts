import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimeRange, TimeRangeError, timeZoneOffset, WEEKDAYS } from '../src/index.js';
import type { TimeRangeItem } from '../src/index.js';
import { fuzzRuns } from './manual-clock.js';

/** UTC milliseconds of an ISO date-time read as UTC. 2024-01-01 is a Monday. */
const at = (text: string): number => Date.parse(`${text}Z`);
const HOUR = 3_600_000;

describe('daily items', () => {
  it("holds on the chosen days, from 'from' up to but not including 'to'", () => {
    const working = new TimeRange([
      { kind: 'daily', from: '08:00', to: '18:00', days: 'weekdays' },
    ]);
    expect(working.contains(at('2024-01-01T07:59:59.999'))).toBe(false);
    expect(working.contains(at('2024-01-01T08:00'))).toBe(true);
    expect(working.contains(at('2024-01-05T17:59:59.999'))).toBe(true); // Friday
    expect(working.contains(at('2024-01-05T18:00'))).toBe(false);
    expect(working.contains(at('2024-01-06T12:00'))).toBe(false); // Saturday
    expect(working.contains(at('2024-01-07T12:00'))).toBe(false); // Sunday
  });

  it("'all', 'weekend' and a list of days", () => {
    const all = new TimeRange([{ kind: 'daily', from: '0:00', to: '24:00', days: 'all' }]);
    const weekend = new TimeRange([{ kind: 'daily', from: '00:00', to: '24:00', days: 'weekend' }]);
    const some = new TimeRange([
      { kind: 'daily', from: '12:00', to: '13:00:30', days: ['tue', 'thu'] },
    ]);
    for (let day = 1; day <= 7; day++) {
      const noon = at(`2024-01-0${day}T12:00`);
      expect(all.contains(noon)).toBe(true);
      expect(weekend.contains(noon)).toBe(day >= 6);
      expect(some.contains(noon)).toBe(day === 2 || day === 4);
    }
    expect(some.contains(at('2024-01-02T13:00:29'))).toBe(true);
    expect(some.contains(at('2024-01-02T13:00:30'))).toBe(false);
  });

  it('crosses midnight when to is not after from, belonging to the day it starts', () => {
    const night = new TimeRange([{ kind: 'daily', from: '22:00', to: '06:00', days: ['fri'] }]);
    expect(night.contains(at('2024-01-05T21:59'))).toBe(false); // Friday
    expect(night.contains(at('2024-01-05T22:00'))).toBe(true);
    expect(night.contains(at('2024-01-06T05:59'))).toBe(true); // Saturday morning
    expect(night.contains(at('2024-01-06T06:00'))).toBe(false);
    expect(night.contains(at('2024-01-05T03:00'))).toBe(false); // Friday morning: Thursday's night
    expect(night.contains(at('2024-01-06T23:00'))).toBe(false); // Saturday night
  });

  it('Sunday night runs into Monday morning', () => {
    const night = new TimeRange([{ kind: 'daily', from: '23:00', to: '01:00', days: ['sun'] }]);
    expect(night.contains(at('2024-01-07T23:30'))).toBe(true);
    expect(night.contains(at('2024-01-08T00:30'))).toBe(true); // Monday
    expect(night.contains(at('2024-01-01T00:30'))).toBe(true); // Monday after the previous Sunday
    expect(night.contains(at('2024-01-02T00:30'))).toBe(false); // Tuesday
  });

  it('equal from and to is a full 24 hours from that time', () => {
    const day = new TimeRange([{ kind: 'daily', from: '06:00', to: '06:00', days: ['mon'] }]);
    expect(day.contains(at('2024-01-01T05:59'))).toBe(false);
    expect(day.contains(at('2024-01-01T06:00'))).toBe(true);
    expect(day.contains(at('2024-01-02T05:59'))).toBe(true);
    expect(day.contains(at('2024-01-02T06:00'))).toBe(false);
  });
});

describe('daily items against a calendar oracle (fixed seed)', () => {
  it("match Date's own weekday and time of day", () => {
    const minuteOfDay = fc.integer({ min: 0, max: 24 * 60 - 1 });
    const hhmm = (minutes: number): string =>
      `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    fc.assert(
      fc.property(
        minuteOfDay,
        minuteOfDay,
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
        fc.integer({ min: -720, max: 840 }),
        fc.integer({ min: 0, max: 4000 * 24 * 60 }),
        (from, to, days, offset, minute) => {
          const instant = at('2020-01-01T00:00') + minute * 60_000;
          const range = new TimeRange(
            [
              {
                kind: 'daily',
                from: hhmm(from),
                to: hhmm(to),
                days: days.map((d) => WEEKDAYS[d]!),
              },
            ],
            { offsetMinutes: () => offset },
          );
          const local = new Date(instant + offset * 60_000);
          const weekday = (local.getUTCDay() + 6) % 7; // Monday first
          const now = local.getUTCHours() * 60 + local.getUTCMinutes();
          const startsToday = days.includes(weekday);
          const startedYesterday = days.includes((weekday + 6) % 7);
          const expected =
            from < to
              ? startsToday && now >= from && now < to
              : (startsToday && now >= from) || (startedYesterday && now < to);
          expect(range.contains(instant)).toBe(expected);
        },
      ),
      { seed: 86_400, numRuns: fuzzRuns },
    );
  });
});

describe('weekly items', () => {
  it('runs from one day and time to another', () => {
    const range = new TimeRange([
      { kind: 'weekly', fromDay: 'tue', fromTime: '09:00', toDay: 'thu', toTime: '17:00' },
    ]);
    expect(range.contains(at('2024-01-02T08:59'))).toBe(false);
    expect(range.contains(at('2024-01-02T09:00'))).toBe(true);
    expect(range.contains(at('2024-01-03T02:00'))).toBe(true);
    expect(range.contains(at('2024-01-04T16:59'))).toBe(true);
    expect(range.contains(at('2024-01-04T17:00'))).toBe(false);
    expect(range.contains(at('2024-01-09T10:00'))).toBe(true); // next Tuesday
  });

  it('wraps the week when the end is not after the start', () => {
    const weekend = new TimeRange([
      { kind: 'weekly', fromDay: 'fri', fromTime: '18:00', toDay: 'mon', toTime: '06:00' },
    ]);
    expect(weekend.contains(at('2024-01-05T17:59'))).toBe(false);
    expect(weekend.contains(at('2024-01-05T18:00'))).toBe(true);
    expect(weekend.contains(at('2024-01-07T23:59'))).toBe(true);
    expect(weekend.contains(at('2024-01-08T05:59'))).toBe(true);
    expect(weekend.contains(at('2024-01-08T06:00'))).toBe(false);
    expect(weekend.contains(at('2024-01-03T12:00'))).toBe(false);
  });

  it('Monday 00:00 to Sunday 24:00, or equal ends, is the whole week', () => {
    const whole = new TimeRange([
      { kind: 'weekly', fromDay: 'mon', fromTime: '00:00', toDay: 'sun', toTime: '24:00' },
    ]);
    const equal = new TimeRange([
      { kind: 'weekly', fromDay: 'wed', fromTime: '10:00', toDay: 'wed', toTime: '10:00' },
    ]);
    for (let hour = 0; hour < 7 * 24; hour += 5) {
      expect(whole.contains(at('2024-01-01T00:00') + hour * HOUR)).toBe(true);
      expect(equal.contains(at('2024-01-01T00:00') + hour * HOUR)).toBe(true);
    }
  });
});

describe('absolute items', () => {
  it('a bare date includes the whole of the last day', () => {
    const holiday = new TimeRange([{ kind: 'absolute', from: '2009-07-12', to: '2009-07-25' }]);
    expect(holiday.contains(at('2009-07-11T23:59:59.999'))).toBe(false);
    expect(holiday.contains(at('2009-07-12T00:00'))).toBe(true);
    expect(holiday.contains(at('2009-07-25T23:59:59.999'))).toBe(true);
    expect(holiday.contains(at('2009-07-26T00:00'))).toBe(false);
  });

  it('a date-time end is exclusive; a space may separate date and time, as Kerio shows it', () => {
    const window = new TimeRange([
      { kind: 'absolute', from: '2024-03-01 08:30', to: '2024-03-01T09:15:30.5' },
    ]);
    expect(window.contains(at('2024-03-01T08:29:59.999'))).toBe(false);
    expect(window.contains(at('2024-03-01T08:30'))).toBe(true);
    expect(window.contains(at('2024-03-01T09:15:30.499'))).toBe(true);
    expect(window.contains(at('2024-03-01T09:15:30.500'))).toBe(false);
  });

  it('a zone makes the bound an instant, independent of the server offset', () => {
    const plusTwo = (): number => 120;
    const zoned = new TimeRange(
      [{ kind: 'absolute', from: '2024-03-01T10:00+02:00', to: '2024-03-01T11:00Z' }],
      { offsetMinutes: plusTwo },
    );
    expect(zoned.contains(at('2024-03-01T07:59'))).toBe(false);
    expect(zoned.contains(at('2024-03-01T08:00'))).toBe(true);
    expect(zoned.contains(at('2024-03-01T10:59'))).toBe(true);
    expect(zoned.contains(at('2024-03-01T11:00'))).toBe(false);
    const local = new TimeRange(
      [{ kind: 'absolute', from: '2024-03-01T10:00', to: '2024-03-01T11:00' }],
      {
        offsetMinutes: plusTwo,
      },
    );
    expect(local.contains(at('2024-03-01T08:00'))).toBe(true); // 10:00 server time
    expect(local.contains(at('2024-03-01T10:00'))).toBe(false); // 12:00 server time
  });
});

describe('the algebra: (daily | weekly) & absolute, an empty class counting as true', () => {
  const daily: TimeRangeItem = { kind: 'daily', from: '08:00', to: '12:00', days: 'all' };
  const weekly: TimeRangeItem = {
    kind: 'weekly',
    fromDay: 'sat',
    fromTime: '00:00',
    toDay: 'sat',
    toTime: '24:00',
  };
  const march: TimeRangeItem = { kind: 'absolute', from: '2024-03-01', to: '2024-03-31' };
  const may: TimeRangeItem = { kind: 'absolute', from: '2024-05-01', to: '2024-05-31' };
  const range = new TimeRange([daily, march, weekly, may]);

  it('needs one recurring and one absolute item to hold', () => {
    expect(range.contains(at('2024-03-04T09:00'))).toBe(true); // daily & march
    expect(range.contains(at('2024-03-09T20:00'))).toBe(true); // weekly (Saturday) & march
    expect(range.contains(at('2024-05-06T09:00'))).toBe(true); // daily & may
    expect(range.contains(at('2024-03-04T13:00'))).toBe(false); // march, neither recurring
    expect(range.contains(at('2024-04-08T09:00'))).toBe(false); // daily, no absolute
  });

  it('an empty range always holds; one class alone decides', () => {
    expect(new TimeRange([]).contains(0)).toBe(true);
    expect(new TimeRange([march]).contains(at('2024-03-04T23:00'))).toBe(true);
    expect(new TimeRange([march]).contains(at('2024-04-04T23:00'))).toBe(false);
    expect(new TimeRange([daily]).contains(at('1999-12-31T09:00'))).toBe(true);
  });

  it('equals the formula over each item evaluated alone (fixed seed)', () => {
    const time = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const day = fc.constantFrom(...WEEKDAYS);
    const item: fc.Arbitrary<TimeRangeItem> = fc.oneof(
      fc.record({
        kind: fc.constant('daily' as const),
        from: time,
        to: time,
        days: fc.oneof(
          fc.constantFrom('all' as const, 'weekdays' as const, 'weekend' as const),
          fc.uniqueArray(day, { minLength: 1, maxLength: 7 }),
        ),
      }),
      fc.record({
        kind: fc.constant('weekly' as const),
        fromDay: day,
        fromTime: time,
        toDay: day,
        toTime: time,
      }),
      fc
        .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 30 }))
        .map(([start, length]): TimeRangeItem => {
          const iso = (offset: number): string =>
            new Date(at('2024-01-01T00:00') + offset * 86_400_000).toISOString().slice(0, 10);
          return { kind: 'absolute', from: iso(start), to: iso(start + length) };
        }),
    );
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 5 }),
        fc.integer({ min: 0, max: 100 * 24 * 60 }),
        (items, minute) => {
          const instant = at('2024-01-01T00:00') + minute * 60_000;
          const holds = (kinds: string[]): boolean[] =>
            items
              .filter((i) => kinds.includes(i.kind))
              .map((i) => new TimeRange([i]).contains(instant));
          const recurring = holds(['daily', 'weekly']);
          const absolute = holds(['absolute']);
          const expected =
            (recurring.length === 0 || recurring.includes(true)) &&
            (absolute.length === 0 || absolute.includes(true));
          expect(new TimeRange(items).contains(instant)).toBe(expected);
        },
      ),
      { seed: 192, numRuns: fuzzRuns },
    );
  });
});

describe('server time zone', () => {
  it('reads days and times in the offset the function gives', () => {
    const working = new TimeRange(
      [{ kind: 'daily', from: '08:00', to: '17:00', days: 'weekdays' }],
      {
        offsetMinutes: () => -300, // UTC-5
      },
    );
    expect(working.contains(at('2024-01-01T12:59'))).toBe(false); // 07:59 local
    expect(working.contains(at('2024-01-01T13:00'))).toBe(true); // 08:00 local
    expect(working.contains(at('2024-01-06T03:00'))).toBe(false); // Friday 22:00 local
    const lateFriday = new TimeRange(
      [{ kind: 'daily', from: '20:00', to: '23:00', days: ['fri'] }],
      {
        offsetMinutes: () => -300,
      },
    );
    expect(lateFriday.contains(at('2024-01-06T03:00'))).toBe(true); // Saturday in UTC, Friday local
  });

  it('timeZoneOffset follows daylight saving (Europe/Prague)', () => {
    const prague = timeZoneOffset('Europe/Prague');
    expect(prague(at('2024-01-15T12:00'))).toBe(60);
    expect(prague(at('2024-07-15T12:00'))).toBe(120);
    expect(prague(at('2024-03-31T00:59:59'))).toBe(60); // the switch is at 01:00 UTC
    expect(prague(at('2024-03-31T01:00'))).toBe(120);
    expect(timeZoneOffset('UTC')(at('2024-07-15T12:00'))).toBe(0);
    expect(timeZoneOffset('Asia/Kolkata')(at('2024-07-15T12:00'))).toBe(330);
    const office = new TimeRange([{ kind: 'daily', from: '08:00', to: '17:00', days: 'all' }], {
      offsetMinutes: prague,
    });
    expect(office.contains(at('2024-01-15T07:00'))).toBe(true); // 08:00 CET
    expect(office.contains(at('2024-07-15T06:00'))).toBe(true); // 08:00 CEST
    expect(office.contains(at('2024-07-15T15:00'))).toBe(false); // 17:00 CEST
    expect(() => timeZoneOffset('Mars/Olympus')).toThrow(RangeError);
  });
});

describe('invalid items throw TimeRangeError, naming the item', () => {
  it.each<[TimeRangeItem, RegExp]>([
    [{ kind: 'daily', from: '25:00', to: '06:00', days: 'all' }, /from is not a time/],
    [{ kind: 'daily', from: '24:00', to: '06:00', days: 'all' }, /from is not a time/],
    [{ kind: 'daily', from: '08:60', to: '09:00', days: 'all' }, /from is not a time/],
    [{ kind: 'daily', from: '08:00', to: '9', days: 'all' }, /to is not a time/],
    [{ kind: 'daily', from: '08:00', to: '24:01', days: 'all' }, /to is not a time/],
    [{ kind: 'daily', from: '8h', to: '09:00', days: 'all' }, /from is not a time/],
    [{ kind: 'daily', from: '08:00', to: '09:00', days: [] }, /non-empty list/],
    [{ kind: 'daily', from: '08:00', to: '09:00', days: 'weekly' as 'all' }, /days must be/],
    [
      { kind: 'daily', from: '08:00', to: '09:00', days: ['monday' as 'mon'] },
      /monday is not a weekday/,
    ],
    [
      { kind: 'weekly', fromDay: 'xyz' as 'mon', fromTime: '00:00', toDay: 'sun', toTime: '00:00' },
      /fromDay/,
    ],
    [
      { kind: 'weekly', fromDay: 'mon', fromTime: '00:00', toDay: 'sun', toTime: '99:00' },
      /toTime/,
    ],
    [{ kind: 'absolute', from: '2024-02-30', to: '2024-03-01' }, /from is not an ISO date/],
    [{ kind: 'absolute', from: '2024-02-01', to: '2024-13-01' }, /to is not an ISO date/],
    [{ kind: 'absolute', from: '2024-02-01T25:00', to: '2024-03-01' }, /from is not/],
    [{ kind: 'absolute', from: '2024-02-01T10:00+24:00', to: '2024-03-01' }, /from is not/],
    [{ kind: 'absolute', from: 'yesterday', to: '2024-03-01' }, /from is not/],
    [{ kind: 'absolute', from: '2024-03-02', to: '2024-03-01' }, /to is not after from/],
    [
      { kind: 'absolute', from: '2024-03-01T10:00', to: '2024-03-01T10:00' },
      /to is not after from/,
    ],
    [{ kind: 'hourly' } as unknown as TimeRangeItem, /kind must be/],
  ])('rejects %j', (item, reason) => {
    const build = (): TimeRange =>
      new TimeRange([{ kind: 'daily', from: '0:00', to: '1:00', days: 'all' }, item]);
    expect(build).toThrow(TimeRangeError);
    expect(build).toThrow(reason);
    try {
      build();
    } catch (error) {
      expect((error as TimeRangeError).itemIndex).toBe(1);
      expect((error as TimeRangeError).item).toBe(item);
    }
  });

  it('the last day of February is a date in a leap year only', () => {
    expect(
      () => new TimeRange([{ kind: 'absolute', from: '2024-02-29', to: '2024-03-01' }]),
    ).not.toThrow();
    expect(
      () => new TimeRange([{ kind: 'absolute', from: '2023-02-29', to: '2023-03-01' }]),
    ).toThrow(TimeRangeError);
  });
});
