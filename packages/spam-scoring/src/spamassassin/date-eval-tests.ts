import type { SaMessageView } from './message-view.js';
import { receivedHops } from './receive-date.js';
import { parseRfc822Date } from './rfc822-date.js';

/**
 * SpamAssassin's date checks (HeaderEval's `check_for_shifted_date` and
 * `check_outlook_message_id`): a Date header hours away from when the relays received the
 * message, and an Outlook-style Message-ID whose embedded time matches neither the Date nor
 * the Received time (ratware imitating Outlook gets the timestamp wrong).
 */

/** A Received header's date as SpamAssassin finds it: `day Mon year hh:mm:ss zone`. */
const RECEIVED_DATE = /(\s.?\d+ \S\S\S \d+ \d+:\d+:\d+ \S+)/;

interface DateFacts {
  /** The Date (or Resent-Date) header's time; null when there is none or it cannot be read. */
  readonly headerTime: number | null;
  /** Seconds between the Date header and the closest Received time (0 when unknown). */
  readonly dateDiff: number;
}

const factsByView = new WeakMap<SaMessageView, DateFacts>();

/** The times of the Received headers a relay wrote (the local hops on top left out). */
function receivedTimes(view: SaMessageView): number[] {
  const times: number[] = [];
  for (const line of receivedHops(view).relays) {
    const date = RECEIVED_DATE.exec(line);
    const time = date ? parseRfc822Date(date[1]!) : null;
    if (time !== null) times.push(time);
  }
  return times;
}

function headerTime(view: SaMessageView): number | null {
  // A Resent-Date says when the message was last sent: it counts before the Date.
  for (const name of ['Resent-Date', 'Date']) {
    for (const value of (view.header(name, null) ?? '').split('\n')) {
      if (value.trim() === '') continue;
      const time = parseRfc822Date(value);
      if (time !== null) return time;
    }
  }
  return null;
}

function factsOf(view: SaMessageView): DateFacts {
  let facts = factsByView.get(view);
  if (facts) return facts;
  const time = headerTime(view);
  let dateDiff = 0;
  const times = time === null ? [] : receivedTimes(view);
  if (time !== null && times.length > 0) {
    const diffs = times.map((t) => time - t);
    // The last (first-written) Received with no difference is the sender's own: left out.
    if (diffs.length > 1 && diffs[diffs.length - 1] === 0) diffs.pop();
    // The closest relay time: fewest false alarms from a single skewed relay clock.
    dateDiff = diffs.reduce((best, d) => (Math.abs(d) < Math.abs(best) ? d : best));
  }
  facts = { headerTime: time, dateDiff };
  factsByView.set(view, facts);
  return facts;
}

/**
 * `check_for_shifted_date(min, max)`: the Date is at least `min` and less than `max` hours after
 * the Received time (negative hours: before it); `undef` leaves a side open.
 */
export function checkForShiftedDate(args: readonly string[]) {
  const bound = (value: string | undefined) => {
    if (value === undefined || value === 'undef') return null;
    const hours = Number(value);
    return Number.isFinite(hours) ? hours * 3600 : undefined;
  };
  const min = bound(args[0]);
  const max = bound(args[1]);
  if (min === undefined || max === undefined) return null;
  return (view: SaMessageView): number => {
    const diff = factsOf(view).dateDiff;
    return (min === null || diff >= min) && (max === null || diff < max) ? 1 : 0;
  };
}

/** Outlook's Message-ID time unit against the Unix clock (SpamAssassin's constants). */
const OUTLOOK_SCALE = 0.0023283064365387;
const OUTLOOK_OFFSET = 27111902.8329849;
const OUTLOOK_FUDGE = 250;

/**
 * `check_outlook_message_id`: a Message-ID in Outlook's form (`<4 hex, 8 hex time, $8 hex$8
 * hex@`) whose time token is off from both the Date header and the first Received header.
 */
export function checkOutlookMessageId(view: SaMessageView): number {
  const id = view.header('MESSAGEID', null) ?? '';
  const outlook = /^<[0-9a-f]{4}([0-9a-f]{8})\$[0-9a-f]{8}\$[0-9a-f]{8}@/.exec(id);
  if (!outlook) return 0;
  const token = parseInt(outlook[1]!, 16);
  const offBy = (time: number | null) =>
    Math.abs(token - Math.trunc((time ?? 0) * OUTLOOK_SCALE + OUTLOOK_OFFSET)) >= OUTLOOK_FUDGE;
  const dateValue = view.header('Date', null);
  if (!offBy(dateValue === null ? null : parseRfc822Date(dateValue))) return 0;
  // As SpamAssassin does, the first date anywhere in the Received headers.
  return offBy(parseRfc822Date(view.header('Received', null) ?? '')) ? 1 : 0;
}
