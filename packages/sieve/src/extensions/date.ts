// date (RFC 5260 sections 4 and 5): the `date` test on a header's date and `currentdate` on the
// host's clock, each compared by one part (`year`, `date`, `time`, `weekday`, ...) in a zone.
import { parseMailDate } from '@mailyard/mime';
import type { Arguments } from '../compiler/arguments.js';
import type { SieveExtension, TestDefinition, ValidationContext } from '../compiler/definitions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { indexedValues } from './index-extension.js';

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** A zone as RFC 5260 writes it: `+hhmm` or `-hhmm`; its offset in minutes, or null. */
export function parseZone(zone: string): number | null {
  const found = /^([+-])(\d\d)(\d\d)$/.exec(zone);
  if (!found) return null;
  const hours = Number(found[2]);
  const minutes = Number(found[3]);
  if (hours > 23 || minutes > 59) return null;
  return (found[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function formatZone(offset: number, colon: boolean): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${colon ? ':' : ''}${pad(abs % 60, 2)}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The date parts of RFC 5260 section 4.2, of an instant seen in a zone. */
const DATE_PARTS: Readonly<Record<string, (local: Date, offset: number) => string>> = {
  year: (t) => pad(t.getUTCFullYear(), 4),
  month: (t) => pad(t.getUTCMonth() + 1, 2),
  day: (t) => pad(t.getUTCDate(), 2),
  date: (t) =>
    `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}`,
  // The Modified Julian Day of the local date: 1858-11-17 is day 0, 1970-01-01 day 40587.
  julian: (t) => String(Math.floor(t.getTime() / 86_400_000) + 40_587),
  hour: (t) => pad(t.getUTCHours(), 2),
  minute: (t) => pad(t.getUTCMinutes(), 2),
  second: (t) => pad(t.getUTCSeconds(), 2),
  time: (t) =>
    `${pad(t.getUTCHours(), 2)}:${pad(t.getUTCMinutes(), 2)}:${pad(t.getUTCSeconds(), 2)}`,
  iso8601: (t, offset) =>
    `${DATE_PARTS.date!(t, offset)}T${DATE_PARTS.time!(t, offset)}${formatZone(offset, true)}`,
  std11: (t, offset) =>
    `${DAYS[t.getUTCDay()]}, ${pad(t.getUTCDate(), 2)} ${MONTHS[t.getUTCMonth()]} ${pad(t.getUTCFullYear(), 4)} ` +
    `${DATE_PARTS.time!(t, offset)} ${formatZone(offset, false)}`,
  zone: (_t, offset) => formatZone(offset, false),
  weekday: (t) => String(t.getUTCDay()),
};

/** A part of an instant (UTC milliseconds) in a zone (minutes east of UTC). */
export function datePart(part: string, timestamp: number, offset: number): string | undefined {
  const extract = DATE_PARTS[part.toLowerCase()];
  return extract ? extract(new Date(timestamp + offset * 60_000), offset) : undefined;
}

/** The zone a test compares in: `:zone`, or the server's own at that instant. */
function zoneOf(args: Arguments, runtime: SieveRuntime, timestamp: number): number | null {
  const zone = args.tagString('zone');
  if (zone) return parseZone(runtime.string(zone));
  return -new Date(timestamp).getTimezoneOffset();
}

function checkCommon(args: Arguments, context: ValidationContext, partIndex: number): void {
  const zone = args.tagString('zone');
  if (zone && zone.parts === null && parseZone(zone.text) === null)
    context.error(zone, `invalid time zone '${zone.text}' (it must be +hhmm or -hhmm)`);
  const part = args.string(partIndex);
  if (part.parts === null && DATE_PARTS[part.text.toLowerCase()] === undefined)
    context.error(part, `unknown date part '${part.text}'`);
}

const ZONE_TAG = {
  name: 'zone',
  argument: { name: 'time-zone', kind: 'string' },
  group: 'zone',
} as const;

/** The date in a header value: of Received, what follows its last `;` (RFC 5260 section 4). */
function headerDate(name: string, value: string) {
  const text = name === 'received' ? value.slice(value.lastIndexOf(';') + 1) : value;
  return parseMailDate(text);
}

/**
 * `date [:zone <zone> / :originalzone] [COMPARATOR] [MATCH-TYPE] <header-name> <date-part>
 * <key-list>` (RFC 5260 section 4). A value that is not a date is not compared.
 */
const dateTest: TestDefinition = {
  name: 'date',
  comparator: true,
  matchType: true,
  tags: [ZONE_TAG, { name: 'originalzone', group: 'zone' }],
  positional: [
    { name: 'header-name', kind: 'string' },
    { name: 'date-part', kind: 'string' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 2,
  validate: (args, context) => checkCommon(args, context, 1),
  evaluate(args, _data, runtime) {
    const name = runtime.string(args.string(0)).toLowerCase();
    const part = runtime.string(args.string(1));
    const values: string[] = [];
    for (const value of indexedValues(args, runtime.message.headerValues(name))) {
      const date = headerDate(name, value);
      if (date === null) continue;
      const zone = args.has('originalzone')
        ? date.offsetMinutes
        : zoneOf(args, runtime, date.timestamp);
      if (zone === null) return false;
      const text = datePart(part, date.timestamp, zone);
      if (text === undefined) return false;
      values.push(text);
    }
    return runtime.matches(args, values, args.stringList(2));
  },
};

/** `currentdate [:zone <zone>] [COMPARATOR] [MATCH-TYPE] <date-part> <key-list>` (section 5). */
const currentdate: TestDefinition = {
  name: 'currentdate',
  comparator: true,
  matchType: true,
  tags: [ZONE_TAG],
  positional: [
    { name: 'date-part', kind: 'string' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 1,
  validate: (args, context) => checkCommon(args, context, 0),
  evaluate(args, _data, runtime) {
    const now = (runtime.host.now?.() ?? new Date()).getTime();
    const zone = zoneOf(args, runtime, now);
    if (zone === null) return false;
    const text = datePart(runtime.string(args.string(0)), now, zone);
    if (text === undefined) return false;
    return runtime.matches(args, [text], args.stringList(1));
  },
};

/** The date extension (RFC 5260). */
export const date: SieveExtension = {
  capability: 'date',
  tests: [dateTest, currentdate],
};
