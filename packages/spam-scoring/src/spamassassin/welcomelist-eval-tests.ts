import type { AddressList, RelayAddressList } from './sender-lists.js';
import type { SaConfig } from './cf-parser.js';
import { asciiLowerCase } from './octet-text.js';
import { relayIsListed } from './listed-relay.js';
import type { SaMessageView } from './message-view.js';
import { allFromAddresses, allToAddresses } from './message-addresses.js';
import { relaysOf } from './received-relays.js';

/**
 * WLBLEval's list checks and WelcomeListSubject's: is a sender, a recipient or the Subject in
 * one of the lists local.cf keeps (sender-lists.ts)? USER_IN_WELCOMELIST (-100 with its meta
 * USER_IN_WHITELIST), USER_IN_BLOCKLIST (+100), USER_IN_DEF_WELCOMELIST (-15),
 * USER_IN_WELCOMELIST_TO, USER_IN_MORE_SPAM_TO, SUBJECT_IN_BLOCKLIST... read them.
 */

type SaEval = (view: SaMessageView) => number;

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
