/**
 * Reverse-paths and forward-paths as RFC 5321 4.1.2 writes them, with RFC 6531's UTF-8 where the
 * client asked for SMTPUTF8. Strict on purpose: every trick that has opened a relay somewhere (the
 * percent hack, bang paths, `@` inside quotes, trailing dots, a second `@`) either is a plain
 * local part the directory will not know, or is refused here as bad syntax.
 */

export type PathResult =
  | {
      readonly ok: true;
      /** `local@domain`, the local part as written, or `''` for `<>`, or `postmaster`. */
      readonly address: string;
      /** Where the path ended in the text it was read from (the parameters follow). */
      readonly end: number;
      /** The address holds non-ASCII characters (needs SMTPUTF8). */
      readonly nonAscii: boolean;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * RFC 5321 4.5.3.1: the sizes every implementation must accept. Only the domain's is a limit here
 * (DNS cannot carry longer names); longer local parts and paths are taken, as 4.5.3.1 asks
 * ("implementation techniques that impose no limits ... should be used") and as Postfix does:
 * SRS and VERP senders routinely exceed 64 octets. The command line limit bounds them.
 */
export const PATH_LIMITS = { localPart: 64, domain: 255, path: 256 } as const;

// atext (RFC 5322 3.2.3) and, for SMTPUTF8, any non-ASCII character (RFC 6531 3.3, RFC 6532's
// UTF8-non-ascii: the astral planes too).
const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u{80}-\u{10FFFF}]+$/u;
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u{80}-\u{10FFFF}]|\\[\x20-\x7e])*"$/u;
const LABEL =
  /^(?:[A-Za-z0-9\u{80}-\u{10FFFF}](?:[A-Za-z0-9\-\u{80}-\u{10FFFF}]*[A-Za-z0-9\u{80}-\u{10FFFF}])?)$/u;
/** Snum (RFC 5321 4.1.3): one to three digits, leading zeros allowed, at most 255. */
const SNUM = /^\d{1,3}$/;

/**
 * Reads `<...>` at `start` of `text`. `allowNull` for MAIL's `<>`; `allowPostmaster` for RCPT's
 * bare `<Postmaster>` (RFC 5321 4.1.1.3). A source route (`<@a,@b:user@c>`) is accepted and
 * dropped, as RFC 5321 4.1.1.3 and appendix C ask.
 */
export function readPath(
  text: string,
  start: number,
  options: { allowNull: boolean; allowPostmaster: boolean },
): PathResult {
  if (text[start] !== '<') return { ok: false, reason: 'missing <' };
  const close = findClose(text, start + 1);
  if (close < 0) return { ok: false, reason: 'missing >' };
  let inner = text.slice(start + 1, close);
  const end = close + 1;
  if (inner === '') {
    return options.allowNull
      ? { ok: true, address: '', end, nonAscii: false }
      : { ok: false, reason: 'empty path' };
  }
  if (inner.startsWith('@')) {
    const colon = inner.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'bad source route' };
    const route = inner.slice(0, colon).split(',');
    if (!route.every((hop) => hop.startsWith('@') && isDomain(hop.slice(1)))) {
      return { ok: false, reason: 'bad source route' };
    }
    inner = inner.slice(colon + 1);
  }
  if (options.allowPostmaster && inner.toLowerCase() === 'postmaster') {
    return { ok: true, address: 'postmaster', end, nonAscii: false };
  }
  const mailbox = checkMailbox(inner);
  if (mailbox !== null) return { ok: false, reason: mailbox };
  return { ok: true, address: inner, end, nonAscii: /[^\x00-\x7f]/.test(inner) };
}

/** Why `local@domain` is not a valid RFC 5321 mailbox, or null when it is. */
export function checkMailbox(mailbox: string): string | null {
  const at = splitAt(mailbox);
  if (at < 0) return 'no @domain';
  const local = mailbox.slice(0, at);
  const domain = mailbox.slice(at + 1);
  if (!isLocalPart(local)) return 'bad local part';
  if (!isDomain(domain) && !isAddressLiteral(domain)) return 'bad domain';
  return null;
}

/** Dot-string or quoted-string (RFC 5321 4.1.2). */
export function isLocalPart(local: string): boolean {
  if (local.startsWith('"')) return QUOTED.test(local);
  return local.length > 0 && local.split('.').every((atom) => ATEXT.test(atom));
}

/**
 * Dotted labels; no trailing dot (RFC 5321 has none, and `example.com.` must not slip past a
 * local-domain check as a different name). The last label is never all digits (RFC 1123 2.1):
 * `user@192.0.2.1` is an address posing as a name, which a resolver would take for the address
 * itself and route mail to it.
 */
export function isDomain(domain: string): boolean {
  if (domain.length === 0 || Buffer.byteLength(domain) > PATH_LIMITS.domain) return false;
  const labels = domain.split('.');
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false;
  return labels.every((label) => label.length <= 63 && LABEL.test(label));
}

/** `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 4.1.3). */
export function isAddressLiteral(domain: string): boolean {
  if (!domain.startsWith('[') || !domain.endsWith(']')) return false;
  const inside = domain.slice(1, -1);
  if (isIpv4(inside)) return true;
  if (!/^IPv6:/i.test(inside)) return false;
  const v6 = inside.slice(5);
  return /^[0-9A-Fa-f:.]+$/.test(v6) && v6.includes(':') && isIpv6(v6);
}

function isIpv4(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((octet) => SNUM.test(octet) && Number(octet) <= 255);
}

/**
 * IPv6-full, IPv6-comp, IPv6v4-full and IPv6v4-comp (RFC 5321 4.1.3). `::` stands for at least
 * two groups of zeros, so a compressed form has at most 6 groups besides it (4 before an IPv4
 * tail, which is the last two).
 */
function isIpv6(text: string): boolean {
  let groups = text;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIpv4(tail)) return false;
    groups = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const parts = halves.map((half) => (half === '' ? [] : half.split(':')));
  if (!parts.every((list) => list.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group)))) return false;
  const count = parts.reduce((sum, list) => sum + list.length, 0);
  return halves.length === 2 ? count <= 6 : count === 8;
}

/** The `@` that separates local part and domain: the last one outside a quoted local part. */
function splitAt(mailbox: string): number {
  if (!mailbox.startsWith('"'))
    return mailbox.indexOf('@') === mailbox.lastIndexOf('@') ? mailbox.indexOf('@') : -1;
  for (let i = 1; i < mailbox.length; i++) {
    if (mailbox[i] === '\\') i++;
    else if (mailbox[i] === '"') return mailbox[i + 1] === '@' ? i + 1 : -1;
  }
  return -1;
}

/** The `>` closing a path, skipping quoted local parts (which may hold `>`). */
function findClose(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '>') return i;
    else if (c === '<') return -1;
  }
  return -1;
}
