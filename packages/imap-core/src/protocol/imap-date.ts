import { ImapSyntaxError } from './command-cursor.js';
import type { SearchDate } from './search-key.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function month(name: string): number {
  const index = MONTHS.indexOf(name.toUpperCase());
  if (index < 0) throw new ImapSyntaxError('Invalid month');
  return index + 1;
}

/** RFC 9051 `date-text`: `1-Feb-1994` (day of one or two digits). */
export function parseDateText(text: string): SearchDate {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!match) throw new ImapSyntaxError('Invalid date');
  const date = { year: Number(match[3]), month: month(match[2]!), day: Number(match[1]) };
  if (date.day < 1 || date.day > daysInMonth(date.year, date.month))
    throw new ImapSyntaxError('Invalid date');
  return date;
}

/**
 * RFC 9051 `date-time` without its quotes: `17-Jul-1996 02:44:25 -0700` (the day may be
 * space-padded). Returns UTC milliseconds, and the zone in minutes east of UTC.
 */
export function parseDateTime(text: string): { time: number; zone: number } {
  const match =
    /^([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!match) throw new ImapSyntaxError('Invalid date-time');
  const [, dd, mon, yyyy, hh, mm, ss, sign, zh, zm] = match;
  const year = Number(yyyy);
  const m = month(mon!);
  const day = Number(dd!.trim());
  const hour = Number(hh);
  const minute = Number(mm);
  const second = Number(ss);
  const zoneMinutes = Number(zh) * 60 + Number(zm);
  if (
    day < 1 ||
    day > daysInMonth(year, m) ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    Number(zm) > 59
  ) {
    throw new ImapSyntaxError('Invalid date-time');
  }
  const local = Date.UTC(year, m - 1, day, hour, minute, Math.min(second, 59));
  const zone = (sign === '-' ? -1 : 1) * zoneMinutes;
  return { time: local - zone * 60_000, zone };
}

/** UTC midnight at the start of a search date, in milliseconds. */
export function startOfDay(date: SearchDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}
