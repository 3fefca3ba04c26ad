import { domainToAscii } from '@mailyard/mime';
import type { AddressList, RelayAddressList } from './sender-lists.js';
import type { SaConfig } from './cf-parser.js';
import { asciiLowerCase } from './octet-text.js';
import { relayIsListed } from './listed-relay.js';
import type { SaMessageView } from './message-view.js';
import { relaysOf } from './received-relays.js';

/**
 * WLBLEval's list checks and WelcomeListSubject's: is a sender, a recipient or the Subject in
 * one of the lists local.cf keeps (sender-lists.ts)? USER_IN_WELCOMELIST (-100 with its meta
 * USER_IN_WHITELIST), USER_IN_BLOCKLIST (+100), USER_IN_DEF_WELCOMELIST (-15),
 * USER_IN_WELCOMELIST_TO, USER_IN_MORE_SPAM_TO, SUBJECT_IN_BLOCKLIST... read them.
 */

type SaEval = (view: SaMessageView) => number;

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
      return found && isValidHostName(found.domain) ? [found.address] : [];
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

/** Util.pm's is_fqdn_valid: two labels at least, letters, digits, `-` and `_` where DNS has them. */
function isValidHostName(domain: string): boolean {
  let host = domain;
  if (/[^\x00-\x7f]/.test(host)) host = domainToAscii(Buffer.from(host, 'latin1').toString('utf8'));
  host = asciiLowerCase(host).replace(/\.+$/, '');
  if (host.length > 253) return false;
  const labels = host.split('.');
  if (labels.length < 2) return false;
  return labels.every(
    (label, index) =>
      label.length >= 1 &&
      label.length <= 63 &&
      /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/.test(label) &&
      // The last two labels (a registered domain) may not hold `_`.
      (index < labels.length - 2 || !label.includes('_')),
  );
}

/**
 * `_check_welcomelist_rcvd`: 1 when the address is in a `_rcvd` list and the relay that handed
 * the message in (the first untrusted one; any, when all are trusted) is one its line names;
 * -1 when it is listed but came by another relay (a forgery, unless `welcomelist_allows_relays`
 * lists it); 0 when it is not listed or there are no relays.
 */
function relayListVerdict(
  view: SaMessageView,
  list: RelayAddressList,
  allowsRelays: AddressList,
  address: string,
): -1 | 0 | 1 {
  if (list.size === 0) return 0;
  const { trusted, untrusted } = relaysOf(view);
  if (trusted.length + untrusted.length === 0) return 0;
  const relays = untrusted.length > 0 ? [untrusted[0]!] : trusted;
  const lower = asciiLowerCase(address);
  let forged = false;
  for (const entry of list.values()) {
    if (!entry.glob.matchesWhole(lower)) continue;
    for (const listed of entry.relays) {
      if (relays.some((relay) => relayIsListed(listed, relay))) return 1;
      forged = true;
    }
  }
  if (forged && allowsRelays.matchesPattern(lower)) return 0;
  return forged ? -1 : 0;
}

/**
 * `_check_from_in_welcomelist` (`welcomelist_from`, `welcomelist_from_rcvd`) or
 * `_check_from_in_default_welcomelist` (`def_welcomelist_from_rcvd` alone): 1 listed, -1 listed
 * under a `_rcvd` line but by another relay, 0 neither.
 */
function fromWelcomeVerdict(view: SaMessageView, config: SaConfig, byDefault: boolean): number {
  const lists = config.senderLists;
  const plain = byDefault ? null : lists.address.welcomelist_from;
  const relayList = lists.relay[byDefault ? 'def_welcomelist_from_rcvd' : 'welcomelist_from_rcvd'];
  if ((plain === null || plain.size === 0) && relayList.size === 0) return 0;
  let verdict = 0;
  for (const address of allFromAddresses(view)) {
    if (plain?.matchesAddress(address)) return 1;
    const relayed = relayListVerdict(
      view,
      relayList,
      lists.address.welcomelist_allows_relays,
      address,
    );
    if (relayed === 1) return 1;
    if (relayed === -1) verdict = -1;
  }
  return verdict;
}

/** An eval that is 1 when any of the message's addresses is in the list. */
function anyAddressIn(
  list: AddressList,
  addresses: (view: SaMessageView) => readonly string[],
): SaEval {
  return (view) =>
    list.size > 0 && addresses(view).some((address) => list.matchesAddress(address)) ? 1 : 0;
}

/** The Subject (every Subject field, decoded) holds an entry of the list. */
function subjectIn(list: AddressList): SaEval {
  return (view) => {
    if (list.size === 0) return 0;
    const subject = view.header('Subject', null) ?? '';
    return subject !== '' && list.matchesWithin(subject) ? 1 : 0;
  };
}

type EvalFactory = (args: readonly string[], config: SaConfig) => SaEval | null;

const fromBlocklist: EvalFactory = (_args, config) =>
  anyAddressIn(config.senderLists.address.blocklist_from, allFromAddresses);
const toList =
  (name: 'blocklist_to' | 'welcomelist_to' | 'more_spam_to' | 'all_spam_to'): EvalFactory =>
  (_args, config) =>
    anyAddressIn(config.senderLists.address[name], allToAddresses);
const fromWelcomelist: EvalFactory = (_args, config) => (view) =>
  fromWelcomeVerdict(view, config, false) > 0 ? 1 : 0;
const fromDefaultWelcomelist: EvalFactory = (_args, config) => (view) =>
  fromWelcomeVerdict(view, config, true) > 0 ? 1 : 0;
// Listed under a `_rcvd` line, come by another relay, and in no list of the other kind.
const forgedInWelcomelist: EvalFactory = (_args, config) => (view) =>
  fromWelcomeVerdict(view, config, false) < 0 && fromWelcomeVerdict(view, config, true) === 0
    ? 1
    : 0;
const forgedInDefaultWelcomelist: EvalFactory = (_args, config) => (view) =>
  fromWelcomeVerdict(view, config, true) < 0 && fromWelcomeVerdict(view, config, false) === 0
    ? 1
    : 0;
const subjectWelcomelist: EvalFactory = (_args, config) =>
  subjectIn(config.senderLists.subject.welcomelist_subject);
const subjectBlocklist: EvalFactory = (_args, config) =>
  subjectIn(config.senderLists.subject.blocklist_subject);

/** By function name, the old `white`/`black` names too (SpamAssassin 4.0 keeps both). */
export const WELCOMELIST_EVAL_TESTS: Readonly<Record<string, EvalFactory>> = {
  check_from_in_blocklist: fromBlocklist,
  check_from_in_blacklist: fromBlocklist,
  check_to_in_blocklist: toList('blocklist_to'),
  check_to_in_blacklist: toList('blocklist_to'),
  check_to_in_welcomelist: toList('welcomelist_to'),
  check_to_in_whitelist: toList('welcomelist_to'),
  check_to_in_more_spam: toList('more_spam_to'),
  check_to_in_all_spam: toList('all_spam_to'),
  check_from_in_welcomelist: fromWelcomelist,
  check_from_in_whitelist: fromWelcomelist,
  check_from_in_default_welcomelist: fromDefaultWelcomelist,
  check_from_in_default_whitelist: fromDefaultWelcomelist,
  check_forged_in_welcomelist: forgedInWelcomelist,
  check_forged_in_whitelist: forgedInWelcomelist,
  check_forged_in_default_welcomelist: forgedInDefaultWelcomelist,
  check_forged_in_default_whitelist: forgedInDefaultWelcomelist,
  check_subject_in_welcomelist: subjectWelcomelist,
  check_subject_in_whitelist: subjectWelcomelist,
  check_subject_in_blocklist: subjectBlocklist,
  check_subject_in_blacklist: subjectBlocklist,
};
