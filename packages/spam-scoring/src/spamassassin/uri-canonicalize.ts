/**
 * SpamAssassin's `uri_list_canonicalize` (Util.pm), which turns each URI a message holds into
 * the set uri rules test: the URI itself, its %-decoded and `&#..;`-decoded spelling, the host
 * without a `user@` part or trailing punctuation, a host written as a number or in hex or octal
 * parts as a dotted IPv4 address, the default port dropped, and the target of a redirector
 * (`http://rd.example/*http://198.51.100.7/x` also gives `http://198.51.100.7/x`), each target
 * canonicalized in turn. Strings are octets (one character per byte), as every rule view's.
 *
 * A bare name is also guessed as `www.NAME.com` (`http://top` gives `http://www.top.com`), as
 * Util.pm guesses it (not where `www.NAME` is under a listed TLD). The rule files'
 * `redirector_pattern`s come with `lists` (redirector-patterns.ts). Left out: IDN hosts
 * (`idn_to_ascii`, which changes no ASCII host but its case).
 */

import { compiledRedirectors, redirectorTarget } from './redirector-patterns.js';
import { NO_REGISTRY, type RegistryLists, isDomainValid } from './registry-boundaries.js';

const NO_PATTERNS: readonly string[] = [];

/** SpamAssassin's MAX_URI_LENGTH: a canonical URI is cut there. */
export const MAX_URI_LENGTH = 8192;

/**
 * How many redirect targets, one inside another, are followed from one URI (SpamAssassin
 * follows all; each is shorter than the last, but a URI of many `http://` would otherwise cost
 * time quadratic in its length).
 */
export const MAX_REDIRECT_DEPTH = 16;

// Perl's \s on octet strings: no \xA0 or other wider space, as JavaScript's \s has.
const LEADING_SPACE = /^[\t\n\x0b\f\r ]+/;
const TRAILING_SPACE = /(?<![\t\n\x0b\f\r ])[\t\n\x0b\f\r ]+$/;

/**
 * Util.pm's `url_encode`: each `%XY` whose X is 2 to 7 decoded (but `%20` and `%7F`), and in
 * the rest, controls, space, octets over 0x7E and `"`, `%`, `<`, `>` %-encoded.
 */
export function urlEncode(url: string): string {
  return url
    .split(/(%[0-9a-fA-F]{2})/)
    .map((piece, index) => {
      if (index % 2 === 1)
        return /^%(?:20|7f|[0189a-f][0-9a-f])$/i.test(piece)
          ? piece
          : String.fromCharCode(parseInt(piece.slice(1), 16));
      return piece.replace(
        /[\x00-\x20\x7f-\xff"%<>]/g,
        (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
      );
    })
    .join('');
}

/** An IPv4 address of four parts, each decimal, `0x` hex or `0` octal, as dotted decimal. */
function dottedParts(host: string): string | null {
  const parts =
    /^((?:0x[0-9a-f]+|\d+))\.((?:0x[0-9a-f]+|\d+))\.((?:0x[0-9a-f]+|\d+))\.(0x[0-9a-f]+|\d+)$/i.exec(
      host,
    );
  if (!parts) return null;
  return parts
    .slice(1)
    .map((octet) => {
      let value = octet.replace(/^0x([0-9a-f]+)/i, (_, hex: string) => String(parseInt(hex, 16)));
      value = value.replace(/^0+([1-3][0-7]{0,2}|[4-7][0-7]?)\b/, (_, oct: string) =>
        String(parseInt(oct, 8)),
      );
      return value.replace(/^0+/, '');
    })
    .join('.');
}

/**
 * Util.pm's decode_ulong_to_ip: the number in hex (at least 8 digits), read as octets, the first
 * four dotted (so a number over 32 bits gives its high octets, as there; Perl's %lx stops at 64).
 */
function ulongToIp(digits: string): string {
  const value = BigInt(digits);
  const max = (1n << 64n) - 1n;
  const hex = (value > max ? max : value).toString(16).padStart(8, '0').slice(0, 8);
  return [0, 2, 4, 6].map((at) => String(parseInt(hex.slice(at, at + 2), 16))).join('.');
}

/**
 * The canonical spellings of one URI (itself included), as uri_list_canonicalize gives them,
 * with the registry `lists` and redirector patterns (by default none: every bare name gets its
 * `www.NAME.com` guess, and only the generic redirect is followed).
 */
export function canonicalizeUri(raw: string, lists: RegistryLists = NO_REGISTRY): string[] {
  const redirectors = compiledRedirectors(lists.redirectorPatterns ?? NO_PATTERNS);
  const found = new Set<string>();
  const queue: { uri: string; depth: number }[] = [{ uri: raw, depth: 0 }];
  for (let next = 0; next < queue.length; next++) {
    const { depth } = queue[next]!;
    const uri = queue[next]!.uri.replace(/\n/g, '')
      .replace(LEADING_SPACE, '')
      .replace(TRAILING_SPACE, '')
      .replace(/\r/g, '');
    found.add(uri);
    // Skip fragments, queries and relative paths (but not `//host`).
    if (uri.length <= 1 || /^(?:[#?&]|\/(?!\/))/.test(uri)) continue;
    let nuri = uri;
    if (/^mailto:/i.test(nuri) || /^[^:]*@/.test(nuri)) {
      let m = /^([^@]+@[^?]+)\?/.exec(nuri);
      if (m) found.add(m[1]!);
      m = /^([^@]+@[^?&]+)&/.exec(nuri);
      if (m) found.add(m[1]!);
      m = nuri.includes('%20') ? /^(?:mailto:)?(?:%20)*([^@]+@[^?&%]+)/.exec(nuri) : null;
      if (m) found.add(`mailto:${m[1]}`);
      m = /^[^?&]*<([^@>]+@[^>]+)>/.exec(nuri);
      if (m) found.add(`mailto:${m[1]}`);
      continue;
    }
    nuri = nuri.replace(/\\/g, '/').replace(/^(https?:)\/{0,2}/i, '$1//');
    if (/%[0-9a-fA-F]{2}/.test(nuri)) nuri = urlEncode(nuri);
    if (!/^[-_a-z0-9]+:/i.test(nuri)) nuri = (/^ftp\./.test(nuri) ? 'ftp://' : 'http://') + nuri;
    nuri = nuri
      .replace(/^(https?:\/\/[^/?#]+)([?#])/i, '$1/$2')
      .replace(/&#0*(3[3-9]|[4-9]\d|1[01]\d|12[0-6]);/g, (_, d: string) =>
        String.fromCharCode(Number(d)),
      )
      .replace(/&#x0*(2[1-9]|[3-6][a-fA-F0-9]|7[0-9a-eA-E]);/g, (_, h: string) =>
        String.fromCharCode(parseInt(h, 16)),
      )
      .replace(/&#(?:x2e|12290|x3002|65294|xff0e|65377|xff61);/gi, '.');
    if (nuri !== uri) found.add(nuri);

    const parts = /^(https?:\/\/)([^@/?#]*@)?([^/?#:]+)((?::(\d*))?.*)$/is.exec(nuri);
    if (!parts) continue;
    const proto = parts[1]!;
    let host = parts[3]!;
    const rest = parts[4]!;
    // Util.pm's $nhost: the host as matched, lowered (idn_to_ascii changes no ASCII host but
    // its case), before the cleanups below.
    const lowered = host.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
    if (parts[5] !== undefined && parts[5] !== '') {
      // A default port written out: the URI without it too.
      // Perl compares the scheme as written: `HTTP://` is taken for https.
      const defaultPort = proto === 'http://' ? /^:80\b/ : /^:443\b/;
      if (defaultPort.test(rest)) found.add(proto + host + rest.replace(defaultPort, ''));
    }
    // Control characters and spaces in the host: browsers drop them.
    const noControls = host.replace(/[\x00-\x20]/g, '');
    if (noControls !== host) {
      host = noControls;
      found.add(proto + host + rest);
    }
    // The redirector's target, canonicalized in its turn (Perl's loop runs over what it adds):
    // a configured pattern's first, else an `https?://` inside the rest.
    const target =
      redirectorTarget(proto + host + rest, redirectors) ??
      /(https?:\/{0,2}[^&#]+)/i.exec(rest)?.[1];
    if (target !== undefined && target.includes('.') && depth < MAX_REDIRECT_DEPTH)
      queue.push({ uri: target, depth: depth + 1 });
    const withoutUser = host.replace(/^[^@]+@/, '');
    if (withoutUser !== host) {
      host = withoutUser;
      found.add(proto + host + rest);
    }
    const trimmed = host.replace(/(?<![^0-9A-Za-z])[^0-9A-Za-z]+$/, '');
    if (trimmed !== host) {
      host = trimmed;
      found.add(proto + host + rest);
    }
    const dotted = dottedParts(host);
    if (dotted !== null) found.add(proto + dotted + rest);
    else if (/^0x[0-9a-f]+$/i.test(host)) {
      const low = /^0x[0-9a-f]*?([0-9a-f]{1,8})$/i.exec(host)![1]!;
      found.add(proto + ulongToIp(String(parseInt(low, 16))) + rest);
    } else if (/^[0-9]+$/.test(host)) found.add(proto + ulongToIp(host) + rest);
    else {
      // `http://foobar` is also `http://www.foobar.com`, as Firefox guesses (bug 6596): a bare
      // name (or `www.` and one), no user, the default port, not localhost; the name as first
      // written, lowered. Not where `www.NAME` is a domain under a TLD `lists` holds (`www.com`).
      const bare = /^(?:www\.)?([^.]+)$/.exec(lowered);
      const port = parts[5] ?? '';
      if (
        bare &&
        proto === 'http://' &&
        parts[2] === undefined &&
        lowered !== 'localhost' &&
        (port === '' || port === '80') &&
        !isDomainValid(lists, lowered)
      )
        found.add(`${proto}www.${bare[1]}.com${rest}`);
    }
  }
  return [...found].map((uri) =>
    uri.length > MAX_URI_LENGTH ? uri.slice(0, MAX_URI_LENGTH) : uri,
  );
}
