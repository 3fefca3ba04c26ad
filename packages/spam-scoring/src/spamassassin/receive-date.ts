import type { SaMessageView } from './message-view.js';
import { parseRfc822Date } from './rfc822-date.js';

/**
 * When a message was received, as SpamAssassin reckons it (Util.pm's `receive_date`): the date of
 * the topmost Received header a relay wrote, else of the local hops, the other Received headers,
 * Resent-Date, Date. Bayes stamps each token it learns with this time, and its expiry forgets
 * the tokens whose newest message is oldest (bayes-expiry.ts).
 */

/** The Received headers, topmost first, with the local hops on top apart. */
export interface ReceivedHops {
  /** The Received headers a relay wrote. */
  readonly relays: readonly string[];
  /**
   * A local delivery on top (from localhost or 127.0.0.1, qmail's "invoked by uid") and
   * fetchmail's hand-over below it: when the message was fetched, not when it was sent.
   */
  readonly local: readonly string[];
}

export function receivedHops(view: SaMessageView): ReceivedHops {
  const relays = (view.header('Received', null) ?? '')
    .split('\n')
    .filter((line) => /\S/.test(line));
  const local: string[] = [];
  if (
    relays.length > 0 &&
    (/qmail \d+ invoked by uid \d+/.test(relays[0]!) ||
      /\bfrom (?:localhost\s|(?:\S+ ){1,2}\S*\b127\.0\.0\.1\b)/.test(relays[0]!))
  )
    local.push(relays.shift()!);
  if (relays.length > 0 && /\bby localhost with \w+ \(fetchmail-[\d.]+/.test(relays[0]!))
    local.push(relays.shift()!);
  // A local line without fetchmail's below it is the receiving server's own after all.
  else if (local.length > 0) relays.unshift(local.shift()!);
  return { relays, local };
}

/** The first of the strings that holds a date (a time of 0 counts as none, as in Perl). */
function firstDate(strings: readonly string[]): number | null {
  for (const string of strings) {
    const time = parseRfc822Date(string);
    if (time) return time;
  }
  return null;
}

/**
 * The message's receive time in seconds since the epoch; `now` when no header holds a date, or
 * when the date found is more than a day after `now` (Bayes.pm's guard against clocks in the
 * future).
 */
export function receiveDate(view: SaMessageView, now: number): number {
  const time = dateFromHeaders(view) ?? now;
  return time - now > 86_400 ? now : time;
}

function dateFromHeaders(view: SaMessageView): number | null {
  const { relays, local } = receivedHops(view);
  const fallbacks = [
    relays.slice(0, 1),
    local,
    // An mbox's "From " line is not a header here; a fetcher's copy of it is.
    (view.header('X-From-Line', null) ?? '').split('\n').slice(0, 1),
    relays.slice(1),
    (view.header('Resent-Date', null) ?? '').split('\n').slice(0, 1),
    (view.header('Date', null) ?? '').split('\n').slice(0, 1),
  ];
  for (const strings of fallbacks) {
    const time = firstDate(strings.filter((line) => /\S/.test(line)));
    if (time !== null) return time;
  }
  return null;
}
