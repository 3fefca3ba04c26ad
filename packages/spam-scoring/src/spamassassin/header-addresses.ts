/**
 * The addresses and display names of a header as SpamAssassin reads them for `Name:addr` and
 * `Name:name` (PerMsgStatus `get`, Util.pm `parse_header_addresses` with its internal parser,
 * `_parse_header_addresses`; Debian has no Email::Address::XS, so the internal parser is the
 * only one). It is not RFC 5322's grammar, and the rules were written against it: a bare word
 * (`To: XX`) is a name and no address, `<foo>` and `<Undisclosed-Recipient:;@x.org>` are
 * neither, a group's name is cut off up to its colon, and `a b@c.d` is a name. @mailyard/mime's
 * RFC parser, which IMAP and the custom rules use, reads those otherwise.
 *
 * Written by hand after the Perl (the patterns are Util.pm's, run by re2js so that a hostile
 * header cannot make them backtrack). Perl's possessive quantifiers are read as greedy ones:
 * over these patterns both find the same match wherever the greedy one is found first.
 */
import { RE2JS } from 're2js';
import { isFqdnValid } from './registry-boundaries.js';

/** One address of a header: what `get` reads of it. */
export interface HeaderAddress {
  /** The address (`user@host`, anything after a second `@` cut off), or null if none is valid. */
  readonly address: string | null;
  /** The display name, quotes and comments taken out (still encoded), or the comment, or null. */
  readonly phrase: string | null;
}

/**
 * At most this many addresses are read of one header value: each costs a match. More than a
 * value cut at Message.pm's 8,192 octets can hold (an address and its comma take 2 at least).
 */
export const MAX_HEADER_ADDRESSES = 4096;

/** Perl's `\s` and `\S` on octets. */
const SPACE = '[\\t\\n\\x0b\\f\\r ]';
const NOT_SPACE = '[^\\t\\n\\x0b\\f\\r ]';
/** A quoted string: `"` ... `"`, a backslash escaping any character but a line break. */
const QUOTED = '"(?:[^"\\\\]|\\\\[^\\n])*"';
/** `$header_address_mailre`: a quoted or bare local part, `@`, a domain or an address literal. */
const MAIL = `(?:${QUOTED}|[^@\\t\\n\\x0b\\f\\r <>()\\[\\],:;]+)@(?:[^"\\t\\n\\x0b\\f\\r <>()\\[\\],:;]+|\\[[0-9:.]+\\])`;
const PHRASE = `(?:${QUOTED}|[^",;<]+)+`;

/**
 * `$header_address_re`: a phrase with an enclosed address (`Name <a@b>`, `<>` too, repeated
 * enclosures swallowed), or a bare address, or a phrase alone; then a comment and a comma or
 * semicolon or the end. Groups: 1 the phrase before `<`, 2 the enclosed address, 3 the bare
 * address, 4 the phrase alone, 5 the comment.
 */
const ADDRESS = RE2JS.compile(
  `^${SPACE}*(?:(?:(${PHRASE})${SPACE}*)?<${SPACE}*([^>@]*${NOT_SPACE}+|${SPACE}*)${SPACE}*>` +
    `(?:${SPACE}*<${SPACE}*(?:(?:${QUOTED})?${NOT_SPACE}+|${SPACE}*)${SPACE}*>)*` +
    `|(?:(${MAIL})|(${PHRASE})))` +
    `(?:${SPACE}*\\(((?:[^()\\\\]|\\\\[^\\n])*)\\))?${SPACE}*(?:[,;]|\\z)`,
);
const WHOLE_MAIL = new RegExp(`^${MAIL}$`);
/** An enclosed address anywhere: the last try on what the parser left. */
const ENCLOSED_MAIL = new RegExp(`<(${MAIL})>`, 'g');
/** A comment without nesting (these two are matched with Perl's `/s`: an escape may be a line break). */
const COMMENT = /\((?:[^()\\]|\\[\s\S])*\)/g;
/** The quoted and unquoted pieces of a phrase. */
const PHRASE_PIECE = /"((?:[^"\\]|\\[\s\S])*)"|([^"]+)/g;

/** `_valid_parsed_address`: not a quoted empty local part, no lone double quote. */
function validParsedAddress(address: string | null): address is string {
  if (address === null) return false;
  if (address.startsWith('""@')) return false;
  return address.split('"').length - 1 !== 1;
}

/** The address up to its second `@`, as `s/^(([^\@]*)\@([^\@]*)).*\/$1/` keeps it. */
function cutAtSecondAt(address: string): string {
  const at = address.indexOf('@');
  if (at < 0) return address;
  const second = address.indexOf('@', at + 1);
  return second < 0 ? address : address.slice(0, second);
}

/** A phrase with its quoted pieces unquoted and its comments taken out. */
function unquotedPhrase(phrase: string): string {
  let out = '';
  for (const piece of phrase.matchAll(PHRASE_PIECE)) {
    if (piece[1] !== undefined)
      // `\x` is `x`, and `\\` (none is left: they were taken out first) one backslash.
      out += piece[1].replace(/\\(?!\\)/g, '').replace(/\\\\/g, '\\');
    else out += piece[2]!.replace(COMMENT, '');
  }
  return out;
}

/**
 * The addresses of one header value (a binary string, as the message holds it, folds and all),
 * in order; empty when it holds none. Util.pm's `_parse_header_addresses`.
 */
export function parseHeaderAddresses(value: string): HeaderAddress[] {
  let rest = value
    .replace(/[\t\n\x0b\f\r ]+$/, '')
    // Escaped backslashes are dropped before anything else.
    .replace(/\\\\/g, '');
  // A group: its name and colon cut off, and all from a `;` right after them.
  const group = /^[^"()<>]+:[\t\n\x0b\f\r ]*/.exec(rest);
  if (group) {
    const after = rest.slice(group[0].length);
    rest = after.startsWith(';') ? '' : after;
  }
  if (!/[^\t\n\x0b\f\r ]/.test(rest)) return [];

  const results: HeaderAddress[] = [];
  while (results.length < MAX_HEADER_ADDRESSES) {
    const match = ADDRESS.matcher(rest);
    if (!match.lookingAt()) break;
    const consumed = match.end();
    let phrase = match.group(1) ?? match.group(4);
    let address = match.group(2) ?? match.group(3);
    const comment = match.group(5);
    rest = rest.slice(consumed);

    if (match.group(2) !== null) {
      address = address!.replace(COMMENT, '');
      if (!WHOLE_MAIL.test(address)) address = null;
    }
    if (!validParsedAddress(address)) address = null;
    if (phrase !== null) {
      phrase = unquotedPhrase(phrase);
      const host = /^[^@]*@([^@]*)/.exec(phrase)?.[1];
      if (
        address === null &&
        WHOLE_MAIL.test(phrase) &&
        validParsedAddress(phrase) &&
        host !== undefined &&
        isFqdnValid(host)
      ) {
        // A phrase that is an address of a real domain is that address.
        address = phrase;
        phrase = null;
      } else if ((address !== null && phrase === address) || phrase === '') phrase = null;
    }
    if (phrase === null && comment !== null) phrase = comment;
    results.push({ address: address === null ? null : cutAtSecondAt(address), phrase });
    // An empty match (the end) consumed nothing: nothing more to read.
    if (consumed === 0) break;
  }

  // What the parser left: any enclosed address still in it (`=?UTF-8?Q?"Foobar"_<a@b.c>?=`).
  if (rest.includes('@'))
    for (const [, enclosed] of rest.matchAll(ENCLOSED_MAIL))
      if (validParsedAddress(enclosed!))
        results.push({ address: cutAtSecondAt(enclosed!), phrase: null });
  return results;
}
