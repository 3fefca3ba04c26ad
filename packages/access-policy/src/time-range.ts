import { TimeRangeError } from './time-range-error.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday first, as Kerio's dialog lists them; the index is the day's position in a week. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * One item of a Kerio time range (Configuration → Definitions → Time Ranges). Times are
 * `H:MM`, `HH:MM` or `HH:MM:SS` in the server's time zone; `to` may be `24:00`. Every `to` is
 * exclusive: Kerio's "08:00 to 17:59" (inclusive to the minute) is `from: '08:00', to: '18:00'`.
 */
export type TimeRangeItem =
  | {
      kind: 'daily';
      from: string;
      to: string;
      /** The days on which the range starts. */
      days: 'all' | 'weekdays' | 'weekend' | readonly Weekday[];
    }
  | { kind: 'weekly'; fromDay: Weekday; fromTime: string; toDay: Weekday; toTime: string }
  | {
      kind: 'absolute';
      /**
       * `YYYY-MM-DD` or `YYYY-MM-DD[T| ]HH:MM[:SS[.sss]]`, optionally with `Z` or `±HH:MM`.
       * Without a zone it is server-local wall time; with one, an instant.
       */
      from: string;
      /** As `from`; a bare date includes that whole day (it ends at the next midnight). */
      to: string;
    };

export interface TimeRangeOptions {
  /**
   * The server time zone's offset from UTC, in minutes east, at a UTC instant (Kerio evaluates
   * ranges in server time). Default: UTC. `timeZoneOffset('Europe/Prague')` builds one.
   */
  offsetMinutes?: (utcMillis: number) => number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

interface Bound {
  /** Milliseconds: UTC when `zoned`, server wall-clock time read as if it were UTC otherwise. */
  readonly at: number;
  readonly zoned: boolean;
}

type CompiledItem =
  | { kind: 'daily'; from: number; to: number; days: ReadonlySet<number> }
  | { kind: 'weekly'; from: number; to: number }
  | { kind: 'absolute'; from: Bound; to: Bound };

/**
 * A Kerio time range: valid at an instant when (any daily or weekly item holds) and (any
 * absolute item holds), where an empty class counts as true; so an empty range is always valid.
 *
 * Decisions: every end is exclusive. A daily item whose `to` is not after its `from`
 * (22:00-06:00) crosses midnight and belongs to the day it starts on: on Fridays it covers
 * Friday 22:00 to Saturday 06:00. `from` equal to `to` means a full 24 hours from `from`. A
 * weekly item whose end is not after its start wraps the week (Saturday 20:00 to Monday 06:00);
 * equal means the whole week. An absolute item must end after it starts.
 */
export class TimeRange {
  readonly #recurring: CompiledItem[] = [];
  readonly #absolute: CompiledItem[] = [];
  readonly #offsetMinutes: (utcMillis: number) => number;

  constructor(items: readonly TimeRangeItem[], options: TimeRangeOptions = {}) {
    for (const [index, item] of items.entries()) {
      const compiled = compileItem(item, (reason) => {
        throw new TimeRangeError(index, item, reason);
      });
      (compiled.kind === 'absolute' ? this.#absolute : this.#recurring).push(compiled);
    }
    this.#offsetMinutes = options.offsetMinutes ?? (() => 0);
  }

  /** Whether the range is valid at the UTC instant. */
  contains(utcMillis: number): boolean {
    const local = utcMillis + this.#offsetMinutes(utcMillis) * MINUTE;
    const holds = (item: CompiledItem): boolean => itemContains(item, utcMillis, local);
    return (
      (this.#recurring.length === 0 || this.#recurring.some(holds)) &&
      (this.#absolute.length === 0 || this.#absolute.some(holds))
    );
  }
}

function itemContains(item: CompiledItem, utc: number, local: number): boolean {
  switch (item.kind) {
    case 'daily': {
      const dayNumber = Math.floor(local / DAY);
      const time = local - dayNumber * DAY;
      const weekday = weekdayIndex(dayNumber);
      if (item.from < item.to) {
        return item.days.has(weekday) && time >= item.from && time < item.to;
      }
      return (
        (item.days.has(weekday) && time >= item.from) ||
        (item.days.has((weekday + 6) % 7) && time < item.to)
      );
    }
    case 'weekly': {
      const dayNumber = Math.floor(local / DAY);
      const position = weekdayIndex(dayNumber) * DAY + (local - dayNumber * DAY);
      return item.from < item.to
        ? position >= item.from && position < item.to
        : position >= item.from || position < item.to;
    }
    case 'absolute': {
      const from = item.from.zoned ? utc : local;
      const to = item.to.zoned ? utc : local;
      return from >= item.from.at && to < item.to.at;
    }
  }
}

/** 1970-01-01, day 0, was a Thursday (index 3 with Monday first). */
function weekdayIndex(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

function compileItem(item: TimeRangeItem, fail: (reason: string) => never): CompiledItem {
  if (typeof item !== 'object' || item === null) return fail('not an item');
  switch (item.kind) {
    case 'daily': {
      const from = parseTimeOfDay(item.from, false) ?? fail('from is not a time (HH:MM)');
      const to = parseTimeOfDay(item.to, true) ?? fail('to is not a time (HH:MM or 24:00)');
      return { kind: 'daily', from: from, to: to, days: parseDays(item.days, fail) };
    }
    case 'weekly': {
      const fromDay = weekdayOf(item.fromDay) ?? fail('fromDay is not a weekday (mon..sun)');
      const toDay = weekdayOf(item.toDay) ?? fail('toDay is not a weekday (mon..sun)');
      const fromTime = parseTimeOfDay(item.fromTime, false) ?? fail('fromTime is not a time');
      const toTime = parseTimeOfDay(item.toTime, true) ?? fail('toTime is not a time');
      // Sunday 24:00 is the end of the week, which is position 0 of the next one.
      return { kind: 'weekly', from: fromDay * DAY + fromTime, to: (toDay * DAY + toTime) % WEEK };
    }
    case 'absolute': {
      const from = parseMoment(item.from, false) ?? fail('from is not an ISO date or date-time');
      const to = parseMoment(item.to, true) ?? fail('to is not an ISO date or date-time');
      if (from.zoned === to.zoned && from.at >= to.at) fail('to is not after from');
      return { kind: 'absolute', from, to };
    }
    default:
      return fail('kind must be daily, weekly or absolute');
  }
}

function weekdayOf(day: unknown): number | null {
  const index = WEEKDAYS.indexOf(day as Weekday);
  return index === -1 ? null : index;
}

function parseDays(days: unknown, fail: (reason: string) => never): ReadonlySet<number> {
  if (days === 'all') return new Set([0, 1, 2, 3, 4, 5, 6]);
  if (days === 'weekdays') return new Set([0, 1, 2, 3, 4]);
  if (days === 'weekend') return new Set([5, 6]);
  if (!Array.isArray(days) || days.length === 0) {
    return fail("days must be 'all', 'weekdays', 'weekend' or a non-empty list of weekdays");
  }
  return new Set(days.map((day) => weekdayOf(day) ?? fail(`${String(day)} is not a weekday`)));
}

/** Milliseconds since midnight; `24:00` only where an end is allowed. */
function parseTimeOfDay(text: unknown, isEnd: boolean): number | null {
  if (typeof text !== 'string') return null;
  const match = /^([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$/.exec(text);
  if (match === null) return null;
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hours === 24 && minutes === 0 && seconds === 0) return isEnd ? DAY : null;
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

const MOMENT =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$/;

function parseMoment(text: unknown, isEnd: boolean): Bound | null {
  if (typeof text !== 'string') return null;
  const match = MOMENT.exec(text);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [hours, minutes, seconds] = [
    Number(match[4] ?? 0),
    Number(match[5] ?? 0),
    Number(match[6] ?? 0),
  ];
  const millis = Number((match[7] ?? '0').padEnd(3, '0'));
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const at = Date.UTC(year, month - 1, day, hours, minutes, seconds, millis);
  const date = new Date(at);
  // Date.UTC rolls 2024-02-30 over to March; a real date survives the round trip.
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return null;
  }
  if (match[4] === undefined) return { at: isEnd ? at + DAY : at, zoned: false };
  const zone = match[8];
  if (zone === undefined) return { at, zoned: false };
  if (zone === 'Z') return { at, zoned: true };
  const zoneHours = Number(zone.slice(1, 3));
  const zoneMinutes = Number(zone.slice(4, 6));
  if (zoneHours > 23 || zoneMinutes > 59) return null;
  const offset = (zoneHours * 60 + zoneMinutes) * MINUTE * (zone.startsWith('-') ? -1 : 1);
  return { at: at - offset, zoned: true };
}
