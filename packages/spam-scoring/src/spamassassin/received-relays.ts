import { RE2JS } from 're2js';
import type { SaMessageView } from './message-view.js';

/**
 * The relays a message passed through, read from its Received headers, split into the trusted
 * part (our own hops) and the untrusted part, as SpamAssassin's Received parser and trust path
 * give them to rules (the `X-Spam-Relays-*` pseudo-headers, RelayEval's checks).
 *
 * The parser reads the common forms (sendmail, Postfix, qmail, Exim, Microsoft SMTPSVC and the
 * many that write `from HELO (rDNS [IP]) by HOST`), not every MTA SpamAssassin knows; a line
 * with a `from` but no recognisable IP and `by` host is counted as unparseable, as there.
 * No trusted networks are configured here, so trust is inferred as SpamAssassin infers it: hops
 * from private addresses, or with authentication, are trusted, up to the first that is not.
 */

export interface Relay {
  readonly ip: string;
  readonly rdns: string;
  readonly helo: string;
  readonly by: string;
  readonly ident: string;
  readonly envfrom: string;
  readonly id: string;
  readonly auth: string;
  readonly ipPrivate: boolean;
  /** The receiving MTA looked the name up and found none (the forms that always look it up). */
  readonly noReverseDns: boolean;
}

export interface Relays {
  /** Newest first, as the headers are. */
  readonly trusted: readonly Relay[];
  readonly untrusted: readonly Relay[];
  readonly unparseable: number;
  /**
   * Which Received header (0 the topmost) the external part of the header starts at: the one
   * describing the hand-over from the first untrusted relay; the count of Received headers when
   * every relay is trusted (SpamAssassin's `last_internal_relay_index` + 1).
   */
  readonly externalStart: number;
}

const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
const IPV6 = String.raw`(?:IPv6:)?[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?::${IPV4})?`;
const IP = `(?:${IPV4}|${IPV6})`;

// Received.pm's marks of an authenticated hand-over, the ones with several `.*?` run by RE2
// (linear in a long Received line).
const COURIER_AUTH = RE2JS.compile(
  String.raw`^from .*?(?:\]\)|\)\]) \(AUTH: (LOGIN|PLAIN|DIGEST-MD5|CRAM-MD5) \S+(?:, .*?)?\) by `,
);
const SENDMAIL_AUTH = RE2JS.compile(
  String.raw`^from .*?(?:\](?: \([^)]*\))?\)|\)\]) .*?\(.*?authenticated.*?\).*? by`,
);
const CRITICAL_PATH_AUTH = RE2JS.compile(
  String.raw`\) by .+ \(\d{1,2}\.\d\.\d{3}(?:\.\d{1,3})?\) \(authenticated as .+\) id `,
);
const GMX_AUTH = RE2JS.compile(
  String.raw`from \S* \((?:HELO|EHLO) (\S*)\) \[(${IP})\] by (mail\.gmx\.(?:net|com)) \([^)]+\) with ((?:ESMTP|SMTP))`,
);
const GMAIL_ID =
  / by mx\.google\.com with ESMTPS id [a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\.[0-9]{1,3}\.[0-9]{4}\.(?:[0-6][0-9]\.){4}[0-6][0-9]/;

/**
 * How a hop says its client authenticated (the relay's `auth`), tried in Received.pm's order:
 * an RFC 3848 `with ESMTPA`..., Gmail, Courier's `(AUTH: ...)`, sendmail's `(authenticated)`,
 * GMX, Critical Path, Postfix's `(Authenticated sender: ...)`, CommuniGate, Exchange's
 * HTTP-DAV, `(via HTTP)`; '' when none.
 */
function authenticationOf(line: string): string {
  const withAuth = / with ((?:ES|L|UTF8S|UTF8L)MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)/i.exec(line);
  if (/ by /.test(line) && withAuth) return withAuth[1]!;
  const gmail = GMAIL_ID.test(line) ? /\(version=([^ ]+) cipher=([^)]+)\)/.exec(line) : null;
  if (gmail) return `GMail - transport=${gmail[1]} cipher=${gmail[2]}`;
  const courier = COURIER_AUTH.matcher(line);
  if (courier.find()) return courier.group(1)!;
  if (line.includes('authenticated') && SENDMAIL_AUTH.matcher(line).find()) return 'Sendmail';
  const gmx = GMX_AUTH.matcher(line);
  if (gmx.find()) return `GMX (${gmx.group(4)} / ${gmx.group(3)})`;
  if (line.includes(' (authenticated as ') && CRITICAL_PATH_AUTH.matcher(line).find())
    return 'CriticalPath';
  const postfix = /\) \(Authenticated sender: \S+\) by \S+ \(([^)]+)\) with /.exec(line);
  if (postfix) return postfix[1] === 'Postfix' ? 'Postfix' : `Postfix (${postfix[1]})`;
  if (/CommuniGate Pro (?:HTTP|SMTP|XIMSS|IMAP)/.test(line) && / \(account /.test(line))
    return 'Communigate';
  if (/ with Microsoft Exchange Server HTTP-DAV\b/.test(line)) return 'HTTP-DAV';
  const viaHttp = / \(via (HTTP.?)\)(?: |;|$)/i.exec(line);
  if (/ by /.test(line) && viaHttp) return viaHttp[1]!;
  return '';
}
const BRACKETED_IP = new RegExp(String.raw`\[(${IP})\]`);

const PRIVATE_IPV4 =
  /^(?:10|127|169\.254|172\.(?:1[6-9]|2\d|3[01])|192\.168|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\./;
const PRIVATE_IPV6 = /^(?:::1$|f[cd][0-9a-f]{2}:|fe[89ab][0-9a-f]:)/i;

export function isPrivateIp(ip: string): boolean {
  return PRIVATE_IPV4.test(ip) || PRIVATE_IPV6.test(ip);
}

/** Received lines longer than this are counted as unparseable, not parsed. */
export const MAX_RECEIVED_LENGTH = 4096;

/** The trailing date SpamAssassin cuts off before parsing. */
const TRAILING_DATE =
  /[\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$/;
const HELO_CHARS = String.raw`[-A-Za-z0-9.^+_&:=?!@%*$\\/]+`;
// Built once (they were built for every Received line of every message), none global: exec
// keeps no state between lines.
const HELO_PARAMETER = new RegExp(String.raw`\bhelo=(${HELO_CHARS})`);
const HELO_COMMAND = new RegExp(String.raw`\b(?:HELO|EHLO) (${HELO_CHARS})`);
/** from HELO ([ident@]rDNS [IP] ...): sendmail, Postfix, and most others. */
const CLASSIC_FROM = new RegExp(String.raw`^(\S+) \((?:(\S+)@)?(\S+)? ?\[(${IP})\]`);
/** qmail: from rDNS (HELO helo) (IP), or from rDNS (IP). */
const QMAIL_FROM = new RegExp(String.raw`^(\S+) (?:\(HELO \S+\) )?\((?:(\S+)@)?(${IP})\)`);
/** Exim: from [IP] (helo=...) or from rDNS ([IP] helo=...). */
const EXIM_FROM = new RegExp(String.raw`^(?:(\S+) )?\(?\[(${IP})\]`);
/** `from HELO [IP] by HOST` (SMTPD32, MDaemon). */
const BRACKETED_HELO_FROM = new RegExp(String.raw`^(\S+) \[(${IP})\] by \S+ `);
/** MDaemon's `from HELO [IP] by HOST [IP] with`, written after a lookup. */
const MDAEMON_FROM = new RegExp(String.raw`^\S+ \[${IP}\] by \S+ \[${IP}\] with `);
/** SquirrelMail's and NaSMail's web hand-over: the client's address, `by HOST with HTTP`. */
const WEBMAIL_FROM = new RegExp(String.raw`(${IP})\b(?![.-]).{10,80}by (\S+) with HTTP`);
/** A web mailer's hand-over: from IP by HOST. */
const IP_THEN_BY = new RegExp(`^(${IP}) by `);

/**
 * One Received line: the relay, `'local'` for a hop SpamAssassin ignores (no `from`, a local
 * submission), `'fetched'` for a mail fetcher's hand-over, or null when it cannot be read.
 */
export function parseReceivedLine(raw: string): Relay | 'local' | 'fetched' | null {
  // No MTA writes more; a longer line is a forgery and not worth the parse.
  if (raw.length > MAX_RECEIVED_LENGTH) return null;
  let line = raw.replace(/\s+/g, ' ').trim();
  while (/\s?;$/.test(line)) line = line.replace(/\s?;$/, '');
  if (!/^\(?from /i.test(line)) return 'local';
  if (/\bwith local for\b/.test(line)) return 'local';
  const localName = /^from (\S+) by [^\s;]+ ?;/i.exec(line);
  if (localName && !/^\[[\d.]+\]$/.test(localName[1]!)) return 'local';
  if (/^\(from \S+@localhost\) by \S+ /i.test(line)) return 'local';
  line = line.replace(TRAILING_DATE, '').replace(/\)by /, ') by ');
  // Exchange handing over what its own pickup directory gave it: no hop (Received.pm).
  if (/^from mail pickup service by \S+ with Microsoft SMTPSVC$/.test(line)) return 'local';
  // fetchmail or getmail handing over what it fetched: the hops before it are the mailbox
  // provider's, not ours.
  if (/with (?:POP3|IMAP)/.test(line)) return 'fetched';

  const id = / id <?([^\s<>;]{3,})/.exec(line)?.[1] ?? '';
  let helo = HELO_PARAMETER.exec(line)?.[1] ?? HELO_COMMAND.exec(line)?.[1] ?? '';
  let by = / by (\S+)(?:[^-A-Za-z0-9;.]|$)/.exec(line)?.[1] ?? '';
  const auth = authenticationOf(line);
  const envfrom =
    /(?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b/i
      .exec(line)?.[1]
      ?.replace(/^<+|(?<!>)>+$/g, '') ?? '';

  let ip = '';
  let rdns = '';
  let ident = '';
  const rest = line.replace(/^\(?from /i, '');
  // SquirrelMail's and NaSMail's web hand-over: the client's address, authenticated by HTTP.
  const webmail = / \((?:SquirrelMail|NaSMail) authenticated user /.test(rest)
    ? WEBMAIL_FROM.exec(rest)
    : null;
  if (webmail) {
    const address = webmail[1]!;
    return {
      ...{ ip: address, rdns: '', helo: '', by: webmail[2]!, ident: '', envfrom, id, auth },
      ipPrivate: isPrivateIp(address),
      noReverseDns: false,
    };
  }
  const qmailish = qmailishRelay(rest);
  if (qmailish) {
    if (!by) return null;
    const strip = (value: string) => value.replace(/[\s\0#[\]()<>|]/g, '!');
    ip = qmailish.ip.replace(/^ipv6:/i, '').replace(/^\[|\]$/g, '');
    rdns = qmailish.rdns.replace(/(?<!\.)\.+$/, '');
    // qmail writes `unknown` when its caller passed no name: nothing is known of the host's
    // reverse DNS. Any other name was looked up; only a bracketed one is then "none".
    const noReverseDns = rdns.startsWith('[');
    if (/^unknown$/i.test(rdns) || rdns.startsWith('[')) rdns = '';
    return {
      ip: strip(ip),
      rdns: strip(rdns),
      helo: strip(qmailish.helo),
      by: strip(by.replace(/;$/, '')),
      ident: strip(qmailish.ident),
      envfrom: strip(envfrom),
      id,
      auth,
      ipPrivate: isPrivateIp(ip),
      noReverseDns,
    };
  }
  const classic = CLASSIC_FROM.exec(rest);
  // Each form tried only when the ones before it did not match (the first to match is read).
  const qmail = classic ? null : QMAIL_FROM.exec(rest);
  // `from HELO [IP] by HOST` (SMTPD32, MDaemon): outside Exim's lines, Received.pm takes the
  // word for the HELO, and no reverse name was written (spam-1/00368).
  const bracketedHelo =
    classic || qmail || /Exim/.test(rest) ? null : BRACKETED_HELO_FROM.exec(rest);
  const exim = classic || qmail || bracketedHelo ? null : EXIM_FROM.exec(rest);
  // Exim's `from rDNS ([IP] helo=HELO)`: the first word is the looked-up name, not the HELO.
  // Received.pm's Exim branch reads `from NAME ([IP]...) by` so too, `helo=` or not.
  const eximHelo =
    /^\S+ \(\[[^\]\s]+\] helo=/.test(rest) ||
    (/Exim/.test(rest) && /^\S+ \(\[[^\]\s]+\][^)]*\) by \S+ /.test(rest));
  if (classic) {
    if (!helo) helo = classic[1]!;
    // Received.pm's sendmail form, `(IDENT:user@host [IP])`, is the ident `user`; without a
    // host (`(IDENT:user@[IP])`) another of its forms reads it, and keeps `IDENT:user`.
    ident =
      classic[3] === undefined ? (classic[2] ?? '') : (classic[2] ?? '').replace(/^IDENT:/, '');
    rdns = classic[3] ?? (eximHelo ? classic[1]! : '');
    ip = classic[4]!;
  } else if (qmail) {
    rdns = qmail[1]!;
    if (!helo) helo = qmail[1]!;
    ident = qmail[2] ?? '';
    ip = qmail[3]!;
  } else if (bracketedHelo) {
    helo = bracketedHelo[1]!;
    ip = bracketedHelo[2]!;
  } else if (exim) {
    rdns = exim[1] ?? '';
    // Exim's `from NAME [IP] by`: the name is the HELO as well (Received.pm).
    if (!helo) helo = rdns;
    ip = exim[2]!;
  } else {
    // A web mailer's hand-over names the client's address alone: from IP by HOST with HTTP.
    const bracketed = BRACKETED_IP.exec(rest)?.[1];
    ip = bracketed ?? IP_THEN_BY.exec(rest)?.[1] ?? '';
    if (!helo && bracketed) helo = /^(\S+)/.exec(rest)?.[1] ?? '';
  }
  if (!ip || !by) return ignoredByReceivedPm(rest) ? 'local' : null;
  if (/^\[/.test(helo) && !/\]$/.test(helo)) helo = '';
  rdns = rdns.replace(/(?<!\.)\.+$/, '');
  // Postfix writes `unknown`, sendmail 8 leaves the name out, when the lookup found nothing.
  // Microsoft's SMTPSVC and Lotus Domino write `from HELO ([IP])` without looking the name up,
  // so an empty name there says nothing of the host's reverse DNS (SpamAssassin's Received.pm).
  const mtaSkipsLookup =
    /^\S* \(\[[^\]\s]+\][^)]{0,40}\) by \S+ with Microsoft SMTPSVC/.test(rest) ||
    /^\S+ \(\[[^\]\s]+\]\) by \S+ \(Lotus Domino /.test(rest);
  // MDaemon's `from HELO [IP] by HOST [IP] with` is written after a lookup (Received.pm).
  const mdaemon = MDAEMON_FROM.test(rest);
  const noReverseDns =
    (bracketedHelo !== null && mdaemon) ||
    /^unknown$/i.test(rdns) ||
    (rdns === '' && !mtaSkipsLookup && (classic !== null || qmail !== null));
  // Received.pm clears only these: a name written as the address itself
  // (`from helo (65.215.21.66 [65.215.21.66])`) stays the rDNS, as __RDNS_NUMERIC_TLD reads it.
  if (/^unknown$/i.test(rdns) || rdns.startsWith('[')) rdns = '';
  ip = ip
    .replace(/^ipv6:/i, '')
    .replace(/^\[|\]$/g, '')
    .replace(/^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  by = by.replace(/;$/, '');
  // SpamAssassin flags characters that cannot be in the field with '!'.
  const strip = (value: string) => value.replace(/[\s\0#[\]()<>|]/g, '!');
  return {
    ip: strip(ip),
    rdns: strip(rdns),
    helo: strip(helo),
    by: strip(by),
    ident: strip(ident),
    envfrom: strip(envfrom),
    id,
    auth,
    ipPrivate: isPrivateIp(ip),
    noReverseDns,
  };
}

// Received.pm's qmail test, `^\S+( \((?:HELO|EHLO) \S*\))? \((\S+\@)?\[?IP\]?\)( \(envelope-sender
// <\S+>\))? by \S+( \(.+\))* with (.* )?(SMTP|QMQP)(?! id )`, taken before the generic forms:
// it also claims `from HOST ([IP]) by HOST with SMTP` (no sendmail comment after `by`, no id),
// whose first word is then the rDNS, not the HELO (spam-1/00284's last hop).
const QMAIL_HEAD = new RegExp(
  String.raw`^(\S+)(?: \((?:HELO|EHLO) ([^ ()]*)\))? \((?:(\S*)@)?\[?(${IP})\]?\)(?: \(envelope-sender <\S+>\))? by \S+`,
);

/** A line in qmail's forms, as Received.pm reads it; null for another. */
function qmailishRelay(
  rest: string,
): { rdns: string; helo: string; ident: string; ip: string } | null {
  // Received.pm reads Exim's, Microsoft SMTPSVC's and Lotus Domino's lines before this test.
  if (/Exim/.test(rest) || / SMTPSVC| \(Lotus Domino /.test(rest)) return null;
  const head = QMAIL_HEAD.exec(rest);
  if (!head) return null;
  // `( \(.+\))* with ` is ` with ` right away, or a `) with ` after ` (`: the first one found
  // leaves the most text for the protocol, so one search decides (no backtracking regex).
  const after = rest.slice(head[0].length);
  let withAt = after.startsWith(' with ') ? 0 : -1;
  if (withAt < 0 && after.startsWith(' (')) {
    const close = after.indexOf(') with ', 3);
    if (close >= 0) withAt = close + 1;
  }
  if (withAt < 0) return null;
  if (!/(?:^| )(?:SMTP|QMQP)(?! id )/.test(after.slice(withAt + ' with '.length))) return null;
  const helo = head[2];
  const [rdns, ident, ip] = [head[1]!, head[3] ?? '', head[4]!];
  // No HELO written: qmail leaves it out when it was the rDNS.
  return { rdns, helo: helo ?? rdns, ident, ip };
}

/**
 * The headers SpamAssassin's 10_default_prefs.cf lists in `originating_ip_headers`, in its
 * order: the address in the last occurrence of each becomes a hop after the Received ones.
 */
export const ORIGINATING_IP_HEADERS = [
  'X-Yahoo-Post-IP',
  'X-Originating-IP',
  'X-Apparently-From',
  'X-SenderIP',
  'X-AOL-IP',
  'X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp',
] as const;
const ORIGINATING_IP = new RegExp(String.raw`(?<![\d.])(${IPV4})(?![\d])|(${IPV6})`);

const LOCALHOST = String.raw`(?:localhost(?:\.localdomain)?|127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)`;
/**
 * The lines Received.pm knows and skips when they name no IP and `by` it can use (its "stuff to
 * ignore": local submissions, content scanners and spoolers logging a hop the line above already
 * describes), matched on the line without `from `. Only what matches none is unparseable
 * (UNPARSEABLE_RELAY, and `!__UNPARSEABLE_RELAY_COUNT` in XPRIO and other metas).
 */
const IGNORED_LINES: readonly RegExp[] = [
  new RegExp(String.raw`^\S+ \([^\s@]+@${LOCALHOST}\) by \S+ \(`, 'i'),
  /^\S+ \S+ by \S+ with local-e?smtp /,
  /^127\.0\.0\.1 \(AVG SMTP \S+ \[\S+\]\)/,
  /^\S+@\S+ by \S+ /,
  /^Unknown\/Local \(/,
  new RegExp(String.raw`^${LOCALHOST} \((?:\S+@)?${LOCALHOST}[)[]`, 'i'),
  new RegExp(String.raw`^\S+ \((?:\S+@)?${LOCALHOST}\) `, 'i'),
  new RegExp(String.raw`^\S+ \(\S+@\S+ \[${LOCALHOST}\]\) `, 'i'),
  /^\(AUTH: \S+\) by \S+ with /,
  /^localhost \(localhost \[\[UNIX: localhost\]\]\) by /,
  /^\S+\.amazon\.com by \S+\.amazon\.com with ESMTP \(peer crosscheck: /,
  /^[^.]+ by \S+ with Novell_GroupWise/,
  /^no\.name\.available by \S+ via smtpd \(for /,
  /^\S+ by \S+ \(.{0,100}\) with qmail-scanner/,
  /^\S+ by \S+ with local/,
  /^\S+ \(\[unix socket\]\) by \S+ \(Cyrus v[0-9]*?\.[0-9]*?\.[0-9]*?\) with LMTPA/,
  /^\S+ by \S+ (?:with|via|for|\()/,
  /^\S+ (?:(?:with|via|for) \S+|\(unverified\)) by\b/,
  /^\S+ \(unknown\) by \S+ \(SG\) with \b/,
  /^\S+ \(\S+ \[local\]\) by \S+ \(OpenSMTPD\) with \b/,
  /\(LSMTP for/,
  new RegExp(String.raw`^\(\[${LOCALHOST}\]\) with MailEnable `, 'i'),
  /^facebook\.com \([^)]+\) by facebook\.com with Thrift id \S+$/,
  /^\S+ named \S+ by gmailapi\.google\.com with HTTPREST$/,
];

function ignoredByReceivedPm(rest: string): boolean {
  return IGNORED_LINES.some((pattern) => pattern.test(rest));
}

// By the view's content key: the relays come from the Received headers alone, the same for
// every view of a message (the rules' and Bayes's).
const relaysByContent = new WeakMap<object, Relays>();

/** The message's relays, trusted and untrusted, once per message. */
export function relaysOf(view: SaMessageView): Relays {
  let relays = relaysByContent.get(view.contentKey);
  if (relays) return relays;
  const trusted: Relay[] = [];
  const untrusted: Relay[] = [];
  let unparseable = 0;
  let inTrusted = true;
  const lines = (view.header('Received', null) ?? '').split('\n').slice(0, -1);
  let externalStart = lines.length;
  for (const [index, line] of lines.entries()) {
    const relay = parseReceivedLine(line);
    if (relay === null) unparseable++;
    // A fetcher's mark within our own hops: what came before is the provider's, so the parse
    // starts again from there (the trust boundary still to be found).
    if (relay === 'fetched' && inTrusted) trusted.length = 0;
    if (relay === null || relay === 'local' || relay === 'fetched') continue;
    // Without configured trusted networks, the trust boundary is the first public,
    // unauthenticated hop (SpamAssassin's inference).
    if (inTrusted && !relay.ipPrivate && !relay.auth) {
      inTrusted = false;
      externalStart = index;
    }
    (inTrusted ? trusted : untrusted).push(relay);
  }
  // SpamAssassin 4 adds, after the Received headers, a hop from the address of each
  // originating-IP header a web mailer writes (Received.pm's synthetic `X-Originating-IP` line):
  // no rDNS, no HELO, no `by`.
  for (const name of ORIGINATING_IP_HEADERS) {
    const values = (view.header(name, null) ?? '').split('\n').slice(0, -1);
    const found = ORIGINATING_IP.exec(values.at(-1) ?? '');
    const ip = found?.[1] ?? found?.[2];
    if (ip === undefined) continue;
    const relay: Relay = {
      ...{ ip, rdns: '', helo: '', by: '', ident: '', envfrom: '', id: '', auth: '' },
      ipPrivate: isPrivateIp(ip),
      noReverseDns: false,
    };
    if (inTrusted && !relay.ipPrivate) inTrusted = false;
    (inTrusted ? trusted : untrusted).push(relay);
  }
  relays = { trusted, untrusted, unparseable, externalStart };
  relaysByContent.set(view.contentKey, relays);
  return relays;
}

/** A relay as SpamAssassin writes it in `X-Spam-Relays-*`: `[ ip=... rdns=... ... ]`. */
export function relayString(relay: Relay, internal: boolean): string {
  return `[ ip=${relay.ip} rdns=${relay.rdns} helo=${relay.helo} by=${relay.by} ident=${relay.ident} envfrom=${relay.envfrom} intl=${internal ? 1 : 0} id=${relay.id} auth=${relay.auth} msa=0 ]`;
}

/**
 * The `X-Spam-Relays-*` pseudo-headers (Trusted, Untrusted, Internal, External; with no
 * networks configured, internal is trusted), null for another name.
 */
export function relayPseudoHeader(view: SaMessageView, name: string): string | null {
  const relays = relaysOf(view);
  switch (name.toLowerCase()) {
    case 'x-spam-relays-trusted':
    case 'x-spam-relays-internal':
      return relays.trusted.map((relay) => relayString(relay, true)).join(' ');
    case 'x-spam-relays-untrusted':
    case 'x-spam-relays-external':
      return relays.untrusted.map((relay) => relayString(relay, false)).join(' ');
    default:
      return null;
  }
}
