import { IP_IN_RELAY_PATTERN } from './ip-in-relay-pattern.js';
import { RELAY_TWICE_PATTERNS } from './relay-twice-patterns.js';
import { PDS_PATTERNS } from './pds-patterns.js';
import { ZERO_TZ_PATTERNS } from './zero-tz-patterns.js';
import { URI_LONG_REPEAT_PATTERN } from './uri-long-repeat-pattern.js';
import { URI_DOUBLE_DOMAIN_PATTERN } from './uri-double-domain-pattern.js';
import { SUBJECT_HAS_PATTERNS, TO_EQ_FROM_PATTERNS } from './to-eq-from-patterns.js';
import { PositionSetText } from './position-set-pattern.js';
import { FILL_THIS_FORM_SEARCHES } from './fill-this-form-patterns.js';
import { FROM_EQ_ORG_PATTERN } from './from-eq-org-pattern.js';
import { FROM_TWO_ADDRESSES_PATTERN } from './from-two-addresses-pattern.js';
import { FORGED_WROTE_RECEIVED_PATTERN } from './forged-wrote-received-pattern.js';
import { SPOOFED_URL_PATTERN } from './spoofed-url-pattern.js';
import { TO_NAME_EQ_LOCAL_PATTERN } from './to-name-eq-local-pattern.js';
import { FROM_NAME_IN_MESSAGE_PATTERN } from './from-name-in-message-pattern.js';
import { SPAMMY_IMAGE_LINK_PATTERNS } from './spammy-image-link-patterns.js';
import { TO_EQ_FROM_NAME_PATTERN } from './to-eq-from-name-pattern.js';
import { RECEIVED_FOR_IN_SUBJECT_PATTERN } from './received-for-in-subject-pattern.js';
import { SUBJECT_ADDRESS_IN_TO_PATTERN } from './subject-address-in-to-pattern.js';
import { FROM_NAME_EQ_TO_PATTERN } from './from-name-eq-to-pattern.js';

/**
 * Patterns RE2 cannot run (a backreference) that rules lean on, matched by hand in linear time
 * instead, keyed by the exact Perl source so that a changed rule falls back to "does not run"
 * (flags as an inline group before it: `/x/i` is `(?i)x`).
 * Each is checked against Perl in test/hand-written-patterns.test.ts.
 * And body patterns re2js runs but slowly, matched by hand where one match is enough (a rule
 * without `multiple`), checked against re2js and Perl in their own tests; a changed rule falls
 * back to re2js.
 */

export type HandWrittenPattern = (text: string) => boolean;

/** The first relay in a `X-Spam-Relays-*` string: up to its closing `]`. */
function firstRelay(text: string): string | null {
  const end = text.indexOf(']');
  return end < 0 ? null : text.slice(0, end);
}

/** An address as __NAME_EQ_EMAIL's group reads one: `[\w+.-]+@[\w.-]+\.\w\w+`, whole. */
const EMAIL_ADDRESS = /^[\w+.-]+@[\w.-]+\.\w\w+$/;
/** The characters __NAME_EQ_EMAIL allows between the address and the `<`. */
const QUOTE_OR_SPACE = /["'`\t\n\v\f\r ]/;
/** Perl's `\s` on octets (JavaScript's also takes no-break and Unicode spaces). */
const PERL_SPACE = /[\t\n\v\f\r ]/;

/** HK_RANDOM_*'s exceptions that read the local part, up to its `@`. */
const LOCAL_PART_EXCEPTION = /[+=^~#-]|mc[bg]r|kpmg|nlpbr|ndqv|lcgc|cplpr/i;
/** HK_RANDOM_*'s exception for senders' domains, on the line (Perl's `.` is all but `\n`). */
const DOMAIN_EXCEPTION =
  /[^\n]*?@[^\n]{0,20}\b(?:cmp-info|cmpgnr|cnn|tori|jysk|amadeus|amazon)\.[a-z]{2,3}(?=\n|$)/iy;
/** What HK_RANDOM_* calls random: five consonants, five vowels, or 1-2 letters four times. */
const RANDOM_LOOKING = /[bcdfgjklmnpqrtvwxz]{5}|[aeiouy]{5}|([a-z]{1,2})\1{3}/i;

export const HAND_WRITTEN_PATTERNS: ReadonlyMap<string, HandWrittenPattern> = new Map([
  [
    // __HELO_NOT_RDNS: the first relay has a reverse name, and its HELO does not start with it
    // (`rdns=(\S+) helo=(?!(?i)\1)\S`: the name is the whole token, so no other split exists).
    '^[^\\]]+ rdns=(\\S+) helo=(?!(?i)\\1)\\S',
    (text: string) => {
      const relay = firstRelay(text);
      const found = relay === null ? null : / rdns=(\S+) helo=(\S)/.exec(relay);
      if (!found) return false;
      const helo = relay!.slice(found.index + found[0].length - 1);
      return !helo.toLowerCase().startsWith(found[1]!.toLowerCase());
    },
  ],
  [
    // __NAME_EQ_EMAIL: the display name is the address itself, `a@b.example <a@b.example>`.
    // The address's characters exclude `>`, quotes and spaces, so for each `<` the group can
    // only be what runs up to the next `>` (spaces after `<` skipped), and it must end where
    // the quotes and spaces before the `<` begin: one comparison per `<`.
    '(?i)([\\w+.-]+\\@[\\w.-]+\\.\\w\\w+)["\'`\\s]*<\\s*\\1>',
    (text: string) => {
      for (let open = text.indexOf('<'); open >= 0; open = text.indexOf('<', open + 1)) {
        let start = open + 1;
        while (start < text.length && PERL_SPACE.test(text[start]!)) start++;
        const close = text.indexOf('>', start);
        if (close < 0) return false;
        const address = text.slice(start, close);
        if (!EMAIL_ADDRESS.test(address)) continue;
        let end = open;
        while (end > 0 && QUOTE_OR_SPACE.test(text[end - 1]!)) end--;
        const named = text.slice(end - address.length, end);
        if (end >= address.length && named.toLowerCase() === address.toLowerCase()) return true;
      }
      return false;
    },
  ],
  [
    // HK_RANDOM_FROM, HK_RANDOM_ENVFROM, HK_RANDOM_REPLYTO (the file's `\#` read as `#`, as
    // SpamAssassin reads it): an address whose local part looks random, unless a line start
    // begins one of the exceptions. A backreference after a lookahead; by hand: at each line
    // start (`/m`), the text up to the next `@` is what `[^@]*` may cover, and none of the
    // patterns after it can cross an `@`, so each is a search in that stretch (JavaScript's
    // patterns here: fixed lengths, no nesting).
    '(?mi)^(?!(?:mail|bounce)[_.-]|[^@]*(?:[+=^~#-]|mc(?:b|g)r|kpmg|nlpbr|ndqv|lcgc|cplpr)|[^@]{26}|.*?\\@.{0,20}\\b(?:cmp-info|cmpgnr|cnn|tori|jysk|amadeus|amazon)\\.[a-z]{2,3}$)[^@]*(?:[bcdfgjklmnpqrtvwxz]{5}|[aeiouy]{5}|([a-z]{1,2})(?:\\1){3})',
    (text: string) => {
      for (let start = 0; start >= 0;) {
        const at = text.indexOf('@', start);
        const localPart = text.slice(start, at < 0 ? text.length : at);
        DOMAIN_EXCEPTION.lastIndex = start;
        const excepted =
          /^(?:mail|bounce)[_.-]/i.test(text.slice(start, start + 7)) ||
          LOCAL_PART_EXCEPTION.test(localPart) ||
          localPart.length >= 26 ||
          DOMAIN_EXCEPTION.test(text);
        if (!excepted && RANDOM_LOOKING.test(localPart)) return true;
        const newline = text.indexOf('\n', start);
        start = newline < 0 ? -1 : newline + 1;
      }
      return false;
    },
  ],
  // Issue 15, rule parity (A): the __TO_EQ_FROM_* family (to-eq-from-patterns.ts) and
  // __IP_IN_RELAY (ip-in-relay-pattern.ts), each checked in its own test file.
  ...TO_EQ_FROM_PATTERNS,
  IP_IN_RELAY_PATTERN,
  // Issue 15, rules refused for their regex: DOS_RCVD_IP_TWICE_C and __FORGED_RELAY_MUA_TO_MX
  // (relay-twice-patterns.ts), checked in their own test file.
  ...RELAY_TWICE_PATTERNS,
  // __SUBJ_HAS_FROM_1 and __SUBJ_HAS_TO_1, the __TO_EQ_FROM_* shape (to-eq-from-patterns.ts).
  ...SUBJECT_HAS_PATTERNS,
  // __PDS_FROM_NAME_TO_DOMAIN and __PDS_TO_BRAND_SUBJECT (pds-patterns.ts).
  ...PDS_PATTERNS,
  // __0_TZ_1 to __0_TZ_7 (zero-tz-patterns.ts) and __URI_LONG_REPEAT (uri-long-repeat-pattern.ts).
  ...ZERO_TZ_PATTERNS,
  URI_LONG_REPEAT_PATTERN,
  // __URI_DBL_DOM (uri-double-domain-pattern.ts).
  URI_DOUBLE_DOMAIN_PATTERN,
  // The last rules refused for their regex (feat/spam-regex-rest), each in its own file and
  // checked against Perl in its own test file.
  FROM_EQ_ORG_PATTERN,
  FROM_TWO_ADDRESSES_PATTERN,
  FORGED_WROTE_RECEIVED_PATTERN,
  SPOOFED_URL_PATTERN,
  TO_NAME_EQ_LOCAL_PATTERN,
  FROM_NAME_IN_MESSAGE_PATTERN,
  ...SPAMMY_IMAGE_LINK_PATTERNS,
  TO_EQ_FROM_NAME_PATTERN,
  RECEIVED_FOR_IN_SUBJECT_PATTERN,
  // Issue 15, stop 28: the last two rules refused for their regex, __SUBJ_HAS_TO_3 and
  // __PDS_TO_EQ_FROM_NAME_1, each in its own file and checked against Perl in its own test file.
  SUBJECT_ADDRESS_IN_TO_PATTERN,
  FROM_NAME_EQ_TO_PATTERN,
  // Speed (perf/spam-speed-4): __FILL_THIS_FORM_LONG2 and __FILL_THIS_FORM_SHORT2 over sets of
  // positions (fill-this-form-patterns.ts), checked in test/fill-this-form-patterns.test.ts.
  ...[...FILL_THIS_FORM_SEARCHES].map(([source, search]): [string, HandWrittenPattern] => [
    source,
    (text: string) => search(new PositionSetText(text, true)),
  ]),
]);
