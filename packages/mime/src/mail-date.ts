/**
 * A point in time as a message states it: when, and the zone offset the sender wrote it in.
 */
export interface MailDate {
  /** Milliseconds since the epoch, UTC. */
  readonly timestamp: number;
  /** The sender's offset from UTC in minutes (`-0700` is -420); 0 when unknown or absent. */
  readonly offsetMinutes: number;
}

/**
 * Parses a Date (or Resent-Date, or Received timestamp) value. Never throws; returns null for
 * anything that is not a real date and time (Feb 30, hour 25, month 13) or cannot be read
 * unambiguously. Reads, in this order:
 *
 * - RFC 5322 date-time, obsolete forms included (section 4.3): optional day name, comments and
 *   extra whitespace anywhere, missing seconds, 2-digit years (00-49 → 20xx, 50-99 → 19xx) and
 *   3-digit years (+1900), the alphabetic zones UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT.
 *   Military zones and unknown zone names count as -0000, as RFC 5322 says: RFC 822 defined
 *   the military ones with the wrong sign, so nobody knows what a sender meant by them;
 * - a month name first, as ctime and date(1) write it (`Mon Jan 15 10:20:30 CET 2023`);
 * - ISO 8601 (`2023-01-15T10:20:30.5+01:00`, `2023-01-15 10:20:30 Z`);
 * - numeric dates (`15.01.2023` day first; `15/01/2023` or `01/15/2023` only when one of the
 *   two numbers cannot be a month).
 *
 * A missing zone is -0000 (UTC); a missing time is midnight. Text after the date is ignored.
 */
export function parseMailDate(value: string): MailDate | null {
  const tokens = tokenize(withoutComments(value));
  for (const read of [readRfc5322, readMonthFirst, readIso, readNumeric]) {
    const fields = read(new TokenCursor(tokens));
    if (fields) return toMailDate(fields);
  }
  return null;
}

/** IMAP date-time (RFC 9051 section 9, INTERNALDATE): `17-Jul-1996 02:44:25 -0700`. */
export function formatImapDate(timestamp: number, offsetMinutes = 0): string {
  const t = localTime(timestamp, offsetMinutes);
  return `${pad(t.day, 2)}-${MONTHS[t.month]}-${pad(t.year, 4)} ${t.time} ${t.zone}`;
}

/** RFC 5322 date-time: `Wed, 17 Jul 1996 02:44:25 -0700`. */
export function formatRfc5322Date(timestamp: number, offsetMinutes = 0): string {
  const t = localTime(timestamp, offsetMinutes);
  return `${DAYS[t.weekday]}, ${pad(t.day, 2)} ${MONTHS[t.month]} ${pad(t.year, 4)} ${t.time} ${t.zone}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** The zones RFC 5322 section 4.3 names, in minutes east of UTC. */
const ZONES: ReadonlyMap<string, number> = new Map([
  ['ut', 0],
  ['utc', 0],
  ['gmt', 0],
  ['z', 0],
  ['est', -300],
  ['edt', -240],
  ['cst', -360],
  ['cdt', -300],
  ['mst', -420],
  ['mdt', -360],
  ['pst', -480],
  ['pdt', -420],
]);

/** RFC 5322 zone offsets are `[+-]hhmm`; 99:59 is the most four digits can say. */
const MAX_OFFSET_MINUTES = 99 * 60 + 59;

function localTime(timestamp: number, offsetMinutes: number) {
  if (!Number.isFinite(timestamp) || !Number.isFinite(offsetMinutes)) {
    throw new RangeError(`not a date: ${timestamp} ${offsetMinutes}`);
  }
  const offset = Math.max(
    -MAX_OFFSET_MINUTES,
    Math.min(MAX_OFFSET_MINUTES, Math.round(offsetMinutes)),
  );
  const local = new Date(timestamp + offset * 60_000);
  const magnitude = Math.abs(offset);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth(),
    day: local.getUTCDate(),
    weekday: local.getUTCDay(),
    time: `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`,
    zone: `${offset < 0 ? '-' : '+'}${pad(Math.floor(magnitude / 60), 2)}${pad(magnitude % 60, 2)}`,
  };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The calendar fields a reader finds; checked and converted by toMailDate. */
interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

function toMailDate(f: DateFields): MailDate | null {
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysInMonth(f.year, f.month)) return null;
  // Second 60 is a leap second (RFC 5322 section 3.3); it counts as the next minute's first.
  if (f.hour > 23 || f.minute > 59 || f.second > 60) return null;
  const midnight = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  midnight.setUTCFullYear(f.year, f.month - 1, f.day);
  const sinceMidnight = ((f.hour * 60 + f.minute - f.offsetMinutes) * 60 + f.second) * 1000;
  return {
    timestamp: midnight.getTime() + sinceMidnight + f.millisecond,
    offsetMinutes: f.offsetMinutes,
  };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Comments (nested, with quoted-pairs) become spaces; an unclosed one runs to the end. */
function withoutComments(value: string): string {
  if (!value.includes('(')) return value;
  let out = '';
  let depth = 0;
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (depth > 0 && c === 0x5c /* \ */) i++;
    else if (c === 0x28 /* ( */) {
      if (depth++ === 0) out += `${value.slice(from, i)} `;
    } else if (c === 0x29 /* ) */ && depth > 0 && --depth === 0) from = i + 1;
  }
  return depth > 0 ? out : out + value.slice(from);
}

interface NumberToken {
  readonly kind: 'number';
  readonly text: string;
  readonly value: number;
}
type Token = NumberToken | { readonly kind: 'word' | 'symbol'; readonly text: string };

/** A date fits in far fewer tokens; past this, the rest is trailing text we ignore anyway. */
const MAX_TOKENS = 32;

/** Runs of digits, runs of ASCII letters, and single other characters; whitespace separates. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length && tokens.length < MAX_TOKENS) {
    const c = text.charCodeAt(i);
    const start = i;
    if (isDigit(c)) {
      while (i < text.length && isDigit(text.charCodeAt(i))) i++;
      const digits = text.slice(start, i);
      tokens.push({
        kind: 'number',
        text: digits,
        value: digits.length > 9 ? Infinity : Number(digits),
      });
    } else if (isLetter(c)) {
      while (i < text.length && isLetter(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i).toLowerCase() });
    } else {
      i++;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a)
        tokens.push({ kind: 'symbol', text: text[start]! });
    }
  }
  return tokens;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

class TokenCursor {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.at];
  }

  /** A number of `min` to `max` digits, or null (and the cursor stays). */
  number(min: number, max: number): NumberToken | null {
    const token = this.tokens[this.at];
    if (token?.kind !== 'number' || token.text.length < min || token.text.length > max) return null;
    this.at++;
    return token;
  }

  word(): string | null {
    const token = this.tokens[this.at];
    if (token?.kind !== 'word') return null;
    this.at++;
    return token.text;
  }

  /** Consumes the symbol if it is one of `symbols`, and returns it. */
  symbol(symbols: string): string | null {
    const token = this.tokens[this.at];
    if (token?.kind !== 'symbol' || !symbols.includes(token.text)) return null;
    this.at++;
    return token.text;
  }

  mark(): number {
    return this.at;
  }

  reset(mark: number): void {
    this.at = mark;
  }
}

/** A name given as its first three letters or more of it: `Jan`, `Sept`, `January`. */
function nameIndex(word: string | null, names: readonly string[]): number {
  if (word === null || word.length < 3) return -1;
  return names.findIndex((name) => name.startsWith(word));
}

function skipDayName(cursor: TokenCursor): void {
  const mark = cursor.mark();
  if (nameIndex(cursor.word(), DAY_NAMES) < 0) cursor.reset(mark);
  else cursor.symbol(',.');
}

function readMonthName(cursor: TokenCursor): number {
  const mark = cursor.mark();
  const month = nameIndex(cursor.word(), MONTH_NAMES) + 1;
  if (month === 0) cursor.reset(mark);
  return month;
}

/** RFC 5322 section 4.3: two digits are 1950-2049, three digits count from 1900. */
function fullYear(token: NumberToken): number {
  const year = token.value;
  if (token.text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (token.text.length === 3) return 1900 + year;
  return year;
}

interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const MIDNIGHT: TimeOfDay = { hour: 0, minute: 0, second: 0, millisecond: 0 };

/** `hh:mm[:ss[.fff]] [AM|PM]`; `.` is taken as a separator too, as some senders write it. */
function readTime(cursor: TokenCursor): TimeOfDay | null {
  const mark = cursor.mark();
  const hour = cursor.number(1, 2);
  const minute = hour && cursor.symbol(':.') ? cursor.number(2, 2) : null;
  if (!hour || !minute) {
    cursor.reset(mark);
    return null;
  }
  const time = { hour: hour.value, minute: minute.value, second: 0, millisecond: 0 };
  const secondMark = cursor.mark();
  const second = cursor.symbol(':.') ? cursor.number(2, 2) : null;
  if (second) {
    time.second = second.value;
    const fractionMark = cursor.mark();
    const fraction = cursor.symbol('.,') ? cursor.number(1, 9) : null;
    if (fraction) time.millisecond = Math.floor(Number(`0.${fraction.text}`) * 1000);
    else cursor.reset(fractionMark);
  } else cursor.reset(secondMark);
  const meridiem = cursor.peek();
  if (meridiem?.kind === 'word' && (meridiem.text === 'am' || meridiem.text === 'pm')) {
    if (time.hour < 1 || time.hour > 12) {
      cursor.reset(mark);
      return null;
    }
    cursor.word();
    time.hour = (time.hour % 12) + (meridiem.text === 'pm' ? 12 : 0);
  }
  return time;
}

/**
 * A zone: `+hhmm`, `+hh:mm`, `+hh`, a name, or a name with an offset (`GMT+0100`). Unknown
 * names, military letters and nothing at all are -0000. Returns null only for a malformed
 * numeric offset.
 */
function readZone(cursor: TokenCursor): number | null {
  const mark = cursor.mark();
  const name = cursor.word();
  const known = name === null ? undefined : ZONES.get(name);
  if (name !== null && known === undefined && !/^[a-z]{1,5}$/.test(name)) cursor.reset(mark);
  const numeric = readNumericOffset(cursor);
  if (numeric !== undefined) return numeric;
  return known ?? 0;
}

/** undefined when there is no numeric offset at the cursor; null when it is malformed. */
function readNumericOffset(cursor: TokenCursor): number | null | undefined {
  const sign = cursor.symbol('+-');
  if (sign === null) return undefined;
  const digits = cursor.number(1, 4);
  if (digits === null) return null;
  let hours: number;
  let minutes = 0;
  if (digits.text.length === 4) {
    hours = Number(digits.text.slice(0, 2));
    minutes = Number(digits.text.slice(2));
  } else if (digits.text.length <= 2) {
    hours = digits.value;
    const mark = cursor.mark();
    const more = cursor.symbol(':') ? cursor.number(2, 2) : null;
    if (more) minutes = more.value;
    else cursor.reset(mark);
  } else return null;
  if (minutes > 59) return null;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function withTimeAndZone(
  cursor: TokenCursor,
  date: { year: number; month: number; day: number },
): DateFields | null {
  const time = readTime(cursor);
  // A number where the time should be is a time we cannot read, not a date without one.
  if (!time && cursor.peek()?.kind === 'number') return null;
  const offsetMinutes = readZone(cursor);
  return offsetMinutes === null ? null : { ...date, ...(time ?? MIDNIGHT), offsetMinutes };
}

/** `[day-name ","] day month year [time] [zone]`; `-` may join day, month and year. */
function readRfc5322(cursor: TokenCursor): DateFields | null {
  skipDayName(cursor);
  const day = cursor.number(1, 2);
  if (!day) return null;
  cursor.symbol('-');
  const month = readMonthName(cursor);
  if (month === 0) return null;
  cursor.symbol('-,');
  const year = cursor.number(2, 4);
  if (!year) return null;
  cursor.symbol(',');
  return withTimeAndZone(cursor, { year: fullYear(year), month, day: day.value });
}

/** `[day-name] month day[,] year [time] [zone]`, or ctime's `month day time [zone] year`. */
function readMonthFirst(cursor: TokenCursor): DateFields | null {
  skipDayName(cursor);
  const month = readMonthName(cursor);
  if (month === 0) return null;
  const day = cursor.number(1, 2);
  if (!day) return null;
  cursor.symbol(',');
  const date = { month, day: day.value };
  const time = readTime(cursor);
  if (!time) {
    const year = cursor.number(2, 4);
    return year && withTimeAndZone(cursor, { ...date, year: fullYear(year) });
  }
  const zoneFirst = readZone(cursor);
  const ctimeYear = cursor.number(4, 4);
  if (!ctimeYear || zoneFirst === null) return null;
  const zoneAfter = readZone(cursor);
  const offsetMinutes = zoneFirst !== 0 ? zoneFirst : zoneAfter;
  if (offsetMinutes === null) return null;
  return { ...date, ...time, year: fullYear(ctimeYear), offsetMinutes };
}

/** ISO 8601: `yyyy-mm-dd[( |T)hh:mm[:ss[.fff]]][Z|±hh[:mm]]`, and `yyyy/mm/dd`. */
function readIso(cursor: TokenCursor): DateFields | null {
  const year = cursor.number(4, 4);
  const separator = year && cursor.symbol('-/');
  if (!year || !separator) return null;
  const first = cursor.number(1, 2);
  const second = first && cursor.symbol(separator) ? cursor.number(1, 2) : null;
  if (!first || !second) return null;
  const [month, day] = monthAndDay(first, second, 'month-first');
  if (month === 0) return null;
  const mark = cursor.mark();
  if (cursor.word() !== 't') cursor.reset(mark);
  return withTimeAndZone(cursor, { year: year.value, month, day });
}

/** `dd.mm.yyyy`, and `a/b/yyyy` or `a-b-yyyy` when only one order gives a valid month. */
function readNumeric(cursor: TokenCursor): DateFields | null {
  const first = cursor.number(1, 2);
  const separator = first && cursor.symbol('./-');
  if (!first || !separator) return null;
  const second = cursor.number(1, 2);
  const year = second && cursor.symbol(separator) ? cursor.number(2, 4) : null;
  if (!second || !year) return null;
  const [month, day] = monthAndDay(
    second,
    first,
    separator === '.' ? 'month-first' : 'unambiguous',
  );
  if (month === 0) return null;
  return withTimeAndZone(cursor, { year: fullYear(year), month, day });
}

/**
 * Month and day from two numbers that should be in that order. With `month-first`, a month
 * above 12 swaps them when the other one can be a month; with `unambiguous`, the numbers may
 * be in either order but only one order may make sense. [0, 0] when nothing does.
 */
function monthAndDay(
  a: NumberToken,
  b: NumberToken,
  rule: 'month-first' | 'unambiguous',
): [number, number] {
  const x = a.value;
  const y = b.value;
  const xMonth = x >= 1 && x <= 12;
  const yMonth = y >= 1 && y <= 12;
  if (rule === 'month-first' ? xMonth : xMonth && (!yMonth || x === y)) return [x, y];
  if (yMonth && !xMonth) return [y, x];
  return [0, 0];
}
