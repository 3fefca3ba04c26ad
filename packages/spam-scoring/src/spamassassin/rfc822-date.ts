/**
 * Dates as SpamAssassin's rules read them (its `parse_rfc822_date`): forgiving, because the
 * dates it weighs are the ones spam software gets wrong. Pure; seconds since the epoch, UTC.
 */

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Zone names in offsets from UTC, in minutes (SpamAssassin's table, the common ones). */
const ZONES: Readonly<Record<string, number>> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  NDT: -150,
  AST: -240,
  ADT: -180,
  NST: -210,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  HST: -600,
  AKST: -540,
  AKDT: -480,
  HADT: -540,
  HAST: -600,
  BST: 60,
  IST: 60,
  WET: 0,
  WEST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  MEZ: 60,
  MESZ: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  MSD: 240,
  JST: 540,
  KST: 540,
  HKT: 480,
  SGT: 480,
  AEST: 600,
  AEDT: 660,
  ACST: 570,
  ACDT: 630,
  AWST: 480,
  NZST: 720,
  NZDT: 780,
};

const MONTH = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)';
const DAY_MONTH_YEAR = new RegExp(` (\\d+) ${MONTH} (\\d{4}) `, 'i');
const CTIME = new RegExp(` ${MONTH} +(\\d+) \\d+:\\d+:\\d+ (\\d{4}) `, 'i');
const SHORT_YEAR = new RegExp(` (\\d+) ${MONTH} (\\d{2,3}) `, 'i');

/**
 * The time a date string names, in seconds since the epoch; null when no day, month and year
 * can be found in it. Out-of-range parts are fudged as SpamAssassin does (second 61 is 59, the
 * 31st of a 30-day month the 1st of the next), years kept within 1970-2037, a zone it does not
 * know taken as UTC.
 */
export function parseRfc822Date(date: string): number | null {
  let text = ` ${date} `.replace(/, */g, ' ').replace(/\s+/g, ' ');
  let day: number;
  let month: number;
  let year: number;
  let found = DAY_MONTH_YEAR.exec(text);
  if (found) {
    [day, month, year] = [Number(found[1]), MONTHS[found[2]!.toLowerCase()]!, Number(found[3])];
  } else if ((found = CTIME.exec(text))) {
    [day, month, year] = [Number(found[2]), MONTHS[found[1]!.toLowerCase()]!, Number(found[3])];
  } else if ((found = SHORT_YEAR.exec(text))) {
    [day, month, year] = [Number(found[1]), MONTHS[found[2]!.toLowerCase()]!, Number(found[3])];
    // RFC 5322 4.3: two-digit years under 50 are 20xx, other short years count from 1900.
    year += found[3]!.length === 2 && year < 50 ? 2000 : 1900;
  } else return null;
  text = text.slice(0, found.index) + ' ' + text.slice(found.index + found[0].length);
  let [hour, minute, second] = [0, 0, 0];
  const time = / (\d?\d):(\d\d)(?::(\d\d))? /.exec(text);
  if (time) {
    [hour, minute, second] = [Number(time[1]), Number(time[2]), Number(time[3] ?? 0)];
    text = text.slice(0, time.index) + ' ' + text.slice(time.index + time[0].length);
  }
  let offsetMinutes = 0;
  const numeric = / ([-+])(\d\d)(\d\d) /.exec(text);
  if (numeric) {
    const size = Number(numeric[2]) * 60 + Number(numeric[3]);
    offsetMinutes = numeric[1] === '-' ? -size : size;
  } else {
    const named = /\b([A-Z]{2,4}(?:-DST)?)\b/.exec(text);
    if (named && Object.hasOwn(ZONES, named[1]!)) offsetMinutes = ZONES[named[1]!]!;
  }
  second = Math.min(second, 59);
  minute = Math.min(minute, 59);
  hour = Math.min(hour, 23);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  if (day > monthDays) {
    day = 1;
    if (++month > 12) [month, year] = [1, year + 1];
  }
  year = Math.max(1970, Math.min(2037, year));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) / 1000;
  return utc - offsetMinutes * 60;
}
