import type { SaMessageView } from './message-view.js';
import { isFqdnValid } from './registry-boundaries.js';

/**
 * The sender and recipient addresses SpamAssassin's list checks read (PerMsgStatus's
 * all_from_addrs and all_to_addrs): the welcome and block lists (welcomelist-eval-tests.ts),
 * the named address lists (address-lists.ts) and FromNameSpoof (from-name-spoof.ts). Kept per
 * view: the envelope sender is the view's.
 */

/** `get('Name:addr')` in list context: every address of every occurrence of the header. */
export function headerAddresses(view: SaMessageView, name: string): string[] {
  return view.header(name, 'addr', true)?.split('\n') ?? [];
}

/** The sender addresses the From lists are checked against: PerMsgStatus's all_from_addrs. */
export function allFromAddresses(view: SaMessageView): readonly string[] {
  let known = fromAddresses.get(view);
  if (known) return known;
  // A Resent-From (a message sent on again) names the sender that counts, alone.
  let addresses = view.addresses('Resent-From', true);
  if (addresses.length === 0) {
    const envelope = view.header('EnvelopeFrom', 'addr');
    addresses = [
      ...view.addresses('From'),
      ...view.addresses('Envelope-Sender'),
      ...view.addresses('Resent-Sender'),
      ...view.addresses('X-Envelope-From'),
      ...(envelope === null ? [] : [envelope]),
    ]
      .filter((address) => address !== '')
      // `foo@bar..com` read as `foo@bar.com` (bug 3366 of SpamAssassin's).
      .map((address) => address.replace(/\.{2,}/g, '.'));
  }
  known = [...new Set(addresses)];
  fromAddresses.set(view, known);
  return known;
}

const fromAddresses = new WeakMap<SaMessageView, readonly string[]>();

/** The headers all_to_addrs reads recipients from, after the Received lines, in its order. */
const RECIPIENT_HEADERS = [
  'To',
  'Apparently-To',
  'Delivered-To',
  'Envelope-Recipients',
  'Apparently-Resent-To',
  'X-Envelope-To',
  'Envelope-To',
  'X-Delivered-To',
  'X-Original-To',
  'X-Rcpt-To',
  'X-Real-To',
  'Cc',
];

/** How many of the newest Received lines all_to_addrs reads a `for <address>` from. */
const RECEIVED_LINES_FOR_RECIPIENT = 3;

/** The recipient addresses the To lists are checked against: PerMsgStatus's all_to_addrs. */
export function allToAddresses(view: SaMessageView): readonly string[] {
  let known = toAddresses.get(view);
  if (known) return known;
  let addresses = [...view.addresses('Resent-To', true), ...view.addresses('Resent-Cc', true)];
  if (addresses.length === 0) {
    // sendmail writes the recipient only in its Received line (`for <user@example.com>;`).
    const received = (view.header('Received', null) ?? '')
      .split('\n')
      .slice(0, -1)
      .slice(0, RECEIVED_LINES_FOR_RECIPIENT);
    addresses = received.flatMap((line) => {
      const found = receivedForAddress(line);
      return found && isFqdnValid(found.domain) ? [found.address] : [];
    });
    for (const name of RECIPIENT_HEADERS) addresses.push(...view.addresses(name));
  }
  known = [...new Set(addresses)];
  toAddresses.set(view, known);
  return known;
}

const toAddresses = new WeakMap<SaMessageView, readonly string[]>();

const isSpace = (char: string | undefined) =>
  char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';

/**
 * The first match of SpamAssassin's ` for <?(\S+\@(\S+?))>?;` in a Received line, found by
 * hand: the pattern backtracks over a long run of non-spaces. After ` for ` (and a `<`, if
 * the address can do without it), the address runs to its last `@` that has a `;` after it,
 * two characters on at least, and the domain stops at the first `;` (or the `>` just before).
 */
export function receivedForAddress(line: string): { address: string; domain: string } | null {
  for (let at = line.indexOf(' for '); at >= 0; at = line.indexOf(' for ', at + 1)) {
    const start = at + 5;
    let end = start;
    while (end < line.length && !isSpace(line[end])) end++;
    const token = line.slice(start, end);
    const starts = token.startsWith('<') ? [1, 0] : [0];
    for (const from of starts) {
      const found = addressInToken(token, from);
      if (found) return found;
    }
  }
  return null;
}

function addressInToken(token: string, from: number): { address: string; domain: string } | null {
  // The semicolons, from the last: each `@` wants the first `;` two characters after it.
  const firstSemicolonAfter = new Int32Array(token.length + 1).fill(-1);
  for (let i = token.length - 1; i >= 0; i--)
    firstSemicolonAfter[i] = token[i] === ';' ? i : firstSemicolonAfter[i + 1]!;
  for (let at = token.lastIndexOf('@'); at > from; at = token.lastIndexOf('@', at - 1)) {
    const semicolon = firstSemicolonAfter[at + 2] ?? -1;
    if (semicolon < 0) continue;
    const domainEnd =
      semicolon - 1 >= at + 2 && token[semicolon - 1] === '>' ? semicolon - 1 : semicolon;
    return { address: token.slice(from, domainEnd), domain: token.slice(at + 1, domainEnd) };
  }
  return null;
}
