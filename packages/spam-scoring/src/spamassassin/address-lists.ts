import type { SaConfig } from './cf-parser.js';
import { asciiLowerCase } from './octet-text.js';
import { allFromAddresses } from './message-addresses.js';
import type { SaMessageView } from './message-view.js';

/**
 * WLBLEval's named address lists: `enlist_addrlist (NAME) glob...` read by
 * `check_from_in_list('NAME')` (the message's sender addresses) and
 * `check_replyto_in_list('NAME')` (its Reply-To address). Debian's rules list the From domains
 * of banks, PayPal, governments and the suspicious new TLDs this way (__FROM_ADDRLIST_*).
 */

/**
 * A list's globs as SpamAssassin's add_to_addrlist compiles them: `*` any run of characters,
 * `?` any one, every other character itself, except NUL, `\` and `(`, which its paranoia turns
 * into a literal `_`. Matched whole and without regard to case (the address is lower-cased, as
 * the globs were). Neither wildcard crosses a line break, as Perl's `.` does not.
 */
export type AddressMatcher = (address: string) => boolean;

export function addressListMatcher(globs: ReadonlySet<string>): AddressMatcher {
  const patterns = [...globs].map((glob) => glob.replace(/[\0\\(]/g, '_').replace(/\*+/g, '*'));
  return (address) => {
    const lower = asciiLowerCase(address);
    // The list is a hash keyed by the glob as written: an address equal to one is in it.
    if (globs.has(lower)) return true;
    return patterns.some((pattern) => globMatches(pattern, lower));
  };
}

/**
 * Whether a whole text matches a glob, by the greedy scan that remembers only the last `*`:
 * at most (pattern × text) steps, where a regular expression of many `.*` may take more.
 */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
    } else if (c !== undefined && (c === '?' ? text[t] !== '\n' : c === text[t])) {
      p++;
      t++;
    } else if (starP >= 0 && text[starT] !== '\n') {
      // Let the last `*` take one character more and try again after it.
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The list a rule names, or null when no file enlisted into it: then WLBLEval warns "could not
 * find list" and the rule answers 0.
 */
function listMatcher(config: SaConfig, args: readonly string[]): AddressMatcher | null {
  const globs = config.addressLists.get(args[0] ?? '');
  return globs ? addressListMatcher(globs) : null;
}

/** `check_from_in_list('NAME')`: one of the sender addresses (allFromAddresses) is in the list. */
export function checkFromInList(args: readonly string[], config: SaConfig) {
  const inList = listMatcher(config, args);
  return (view: SaMessageView) => (inList !== null && allFromAddresses(view).some(inList) ? 1 : 0);
}

/** `check_replyto_in_list('NAME')`: the first Reply-To address is in the list. */
export function checkReplytoInList(args: readonly string[], config: SaConfig) {
  const inList = listMatcher(config, args);
  return (view: SaMessageView) => {
    const replyTo = view.header('Reply-To', 'addr') ?? '';
    return inList !== null && replyTo !== '' && inList(replyTo) ? 1 : 0;
  };
}
