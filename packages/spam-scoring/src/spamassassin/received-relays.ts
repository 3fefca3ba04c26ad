import { RE2JS } from 're2js';
import { IP_ADDRESS, LOCALHOST } from './constants-patterns.js';
import type { SaMessageView } from './message-view.js';

/**
 * The relays a message passed through, read from its Received headers, split into the trusted
 * part (our own hops) and the untrusted part, as SpamAssassin's Received parser and trust path
 * give them to rules (the `X-Spam-Relays-*` pseudo-headers, RelayEval's checks).
 *
 * The parser is Received.pm's parse_received_line, its branches (one or a few per MTA's form)
 * tried in its order, the first that matches deciding; a line with a `from` that none reads and
 * no IP and `by` host is counted as unparseable, as there.
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

const PRIVATE_IPV4 =
  /^(?:10|127|169\.254|172\.(?:1[6-9]|2\d|3[01])|192\.168|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\./;
const PRIVATE_IPV6 = /^(?:::1$|f[cd][0-9a-f]{2}:|fe[89ab][0-9a-f]:)/i;

export function isPrivateIp(ip: string): boolean {
  return PRIVATE_IPV4.test(ip) || PRIVATE_IPV6.test(ip);
}

/** Received lines longer than this are counted as unparseable, not parsed. */
export const MAX_RECEIVED_LENGTH = 4096;

/** A Received.pm pattern, `IP` and `LOCALHOST` standing for Constants.pm's. */
const pm = (source: string) =>
  new RegExp(source.replace(/(?<![\w-])IP\b/g, IP_ADDRESS).replace(/\bLOCALHOST\b/g, LOCALHOST));

/**
 * The trailing date SpamAssassin cuts off before parsing, run by RE2: tried from every place in a
 * long run of spaces, semicolons or digits, JavaScript's backtracking would be quadratic.
 */
const TRAILING_DATE = RE2JS.compile(
  String.raw`[\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\d+ (?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \d+ \d+:\d+(?::\d+)? \S+$`,
);
/** The line without its trailing date. */
function withoutDate(line: string): string {
  const date = TRAILING_DATE.matcher(line);
  return date.find() ? line.slice(0, date.start()) : line;
}
const HELO_CHARS = String.raw`[-A-Za-z0-9.^+_&:=?!@%*$\\/]+`;
// Built once (they were built for every Received line of every message), none global: exec
// keeps no state between lines.
const HELO_PARAMETER = new RegExp(String.raw`\bhelo=(${HELO_CHARS})`);
const HELO_COMMAND = new RegExp(String.raw`\b(?:HELO|EHLO) (${HELO_CHARS})`);
const ENVELOPE_SENDER = /(?:return-path:? |envelope-(?:sender|from)[ =])(\S+)\b/i;

/** What a branch of Received.pm read; the fields it leaves out keep what was read before. */
interface Read {
  ip?: string;
  rdns?: string;
  helo?: string;
  by?: string;
  ident?: string;
  id?: string;
  envfrom?: string;
  /** Received.pm's `$mta_looked_up_dns`: an empty rDNS then means the lookup found none. */
  lookedUp?: boolean;
}
/** A branch: a pattern, what it reads, and a test Received.pm makes before the pattern's. */
type Branch = readonly [
  pattern: RegExp,
  read: (m: RegExpExecArray) => Read | 'skip' | 'fetched',
  prefilter?: RegExp,
];

/** Exim's `(... helo=X ident=Y)`: each taken out of the comment in turn (Received.pm's s///). */
function heloAndIdentIn(comment: string): Read {
  const read: Read = {};
  let rest = comment;
  const helo = /helo=(\S+)/.exec(rest);
  if (helo) {
    read.helo = helo[1]!;
    rest = rest.slice(0, helo.index) + rest.slice(helo.index + helo[0].length);
  }
  const ident = /ident=(\S*)/.exec(rest);
  if (ident) read.ident = ident[1]!;
  return read;
}

const LOOKED_UP = { lookedUp: true } as const;

/** Postfix's `HELO (rDNS [IP])`, with or without the space: `unknown` is the lookup finding none. */
const postfixHop = (m: RegExpExecArray): Read => ({
  ...LOOKED_UP,
  helo: m[1]!,
  rdns: m[2] === 'unknown' ? '' : m[2]!,
  ip: m[3]!,
  by: m[4]!,
});
const EXIM = /Exim/;

/**
 * Received.pm's branches for the MTAs it recognises by a mark elsewhere in the line, tried in
 * its `if`/`elsif` order: only the first mark found picks its branches.
 */
const MARKED_BRANCHES: readonly (readonly [mark: RegExp, branches: readonly Branch[]])[] = [
  [
    / SMTPSVC/,
    [
      // MS servers using this form do not look the rDNS up.
      [
        pm(String.raw`^(\S*) \(\[(IP)\][^)]{0,40}\) by (\S+) with Microsoft SMTPSVC`),
        (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! }),
      ],
      [/^mail pickup service by (\S+) with Microsoft SMTPSVC$/, () => 'skip'],
    ],
  ],
  [
    / with (?:Microsoft SMTP Server|mapi id) (?:\([^)]+\) )?\d+\.\d+\.\d+\.\d+(?:$| )/,
    [
      [
        pm(String.raw`^(\S+) \(\[?(IP)(?:%[A-Z0-9._~-]*)?\]?\) by (\S+) `),
        (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]!, id: '' }),
      ],
    ],
  ],
  [
    /\[XMail /,
    [
      [
        pm(String.raw`^(\S+) \((\[?IP\]?)(?::\d+)\) by (\S+)(?: \(\S+\))? with \[XMail`),
        (m) => {
          const read: Read = { helo: m[1]!, ip: m[2]!, by: m[3]! };
          const id = / id <(\S+)>/.exec(m.input);
          if (id) read.id = id[1]!;
          const envfrom = / from <(\S+)>/.exec(m.input);
          if (envfrom) read.envfrom = envfrom[1]!;
          return read;
        },
      ],
    ],
  ],
  [
    /\(ecelerity\b/,
    [
      [
        pm(String.raw`^\(\[(IP):\d+\] helo=(\S+)\) by (\S+) `),
        (m) => ({ ip: m[1]!, helo: m[2]!, by: m[3]! }),
      ],
      [pm(String.raw`^\S+ \(\[(IP):\d+\]\) by (\S+) `), (m) => ({ ip: m[1]!, by: m[2]! })],
    ],
  ],
  [
    EXIM,
    [
      [/\bwith local(?:-\S+)? /, () => 'skip'],
      // from [IP] (helo=... ident=...) by HOST
      [
        pm(String.raw`^\[(IP)\] \((.*?)\) by (\S+) `),
        (m) => ({ ip: m[1]!, by: m[3]!, ...heloAndIdentIn(m[2]!) }),
      ],
      // from rDNS ([IP] helo=... ident=...) by HOST: the HELO is the rDNS unless written (bug 5112)
      [
        pm(String.raw`^(\S+) \(\[(IP)\](.*?)\) by (\S+) `),
        (m) => ({ rdns: m[1]!, ip: m[2]!, by: m[4]!, helo: m[1]!, ...heloAndIdentIn(m[3]!) }),
      ],
      [
        pm(String.raw`^(\S+) \[(IP)\](:\d+)? by (\S+) `),
        (m) => ({ rdns: m[1]!, ip: m[2]!, helo: m[1]!, by: m[4]! }),
      ],
    ],
  ],
  [
    / \(Postfix\) with/,
    [
      [pm(String.raw`^(\S+) \((\S+) \[(IP)\]\) by (\S+) `), postfixHop],
      [pm(String.raw`^(\S+) \((\S+)\[(IP)\]\) by (\S+) `), postfixHop],
    ],
  ],
  [
    /\(Scalix SMTP Relay/,
    [[pm(String.raw`^(\S+) \( ?(IP)\) by (\S+)`), (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! })]],
  ],
  [
    / \(Lotus Domino /,
    // Domino never records the rDNS (bug 5926).
    [
      [
        pm(String.raw`^(\S+) \(\[(IP)\]\) by (\S+) \(Lotus`),
        (m) => ({ lookedUp: false, helo: m[1]!, ip: m[2]!, by: m[3]! }),
      ],
    ],
  ],
];

/**
 * Exim's odd forms, read a piece at a time: what is found stays read for the branches after
 * it when no IP and `by` are (Received.pm falls through with them set).
 */
function eximPieces(rest: string): { read: Read; enough: boolean } {
  const read: Read = {};
  const first = /^(\S+) /.exec(rest);
  if (first) read.rdns = first[1]!;
  const comment = / \((\S+)\) /.exec(rest);
  if (comment) read.helo = comment[1]!;
  const ip = EXIM_ODD_IP.exec(rest);
  if (ip) read.ip = ip[1]!;
  const by = /by (\S+) /.exec(rest);
  if (by) read.by = by[1]!;
  return { read, enough: by !== null && (read.ip ?? '') !== '' };
}
const EXIM_ODD_IP = pm(String.raw` \[(IP)(?:\.\d+)?\] `);

const HTTP_NUMERIC_HELO = pm(String.raw`^(IP) \(\[IP\]\) by (\S+)`);
const QMAIL_LDAP = / by \S+ \(qmail-\S+\) with /;
const SENDMAIL = pm(String.raw`^(\S+) \((\S+) \[(IP)\].*\) by (\S+) \(`);

/** Received.pm's branches between sendmail's test and qmail's, in its order. */
const EARLY_BRANCHES: readonly Branch[] = [
  // Microsoft Exchange's Internet Mail Service
  [
    pm(String.raw`^(\S+) \((\S+) \[(IP)\]\) by (\S+) with \S+ \(`),
    (m) => ({ ...LOOKED_UP, rdns: m[2]!, ip: m[3]!, helo: m[1]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \(\[(IP)\] helo=(\S+)\) by (\S+) with `),
    (m) => ({ rdns: m[1]!, ip: m[2]!, helo: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \(<unknown\S*>\[(IP)\]\) by (\S+) `),
    (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [
    // `\S+\.\S+` as `\S[^\s.]*\.\S+`, the same words, its first dot found without trying each
    pm(String.raw`^(\S+) \((\S[^\s.]*\.\S+)\[(IP)\]\) by (\S+) `),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, rdns: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  // an ident lookup without a name: the MTA looked, there just was none
  [
    pm(String.raw`^(\S+) \((\S*)@\[(IP)\].*\) by (\S+) \(`),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, ip: m[3]!, by: m[4]!, ident: m[2]! }),
  ],
  [
    /by (\S+\.hotmail\.msn\.com) /,
    (m) => {
      const ip = HOTMAIL_IP.exec(m.input);
      return ip ? { by: m[1]!, ip: ip[1]! } : { by: m[1]! };
    },
  ],
  [
    pm(
      String.raw`^(\S+) \((?:HELO|EHLO) (\S*)\) \((IP)\) by (\S+) \(qpsmtpd\/\S+\) with (?:ESMTP|SMTP)`,
    ),
    (m) => ({ rdns: m[1]!, helo: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \(LHLO (\S*)\) \((IP)\) by (\S+) with LMTP`),
    (m) => ({ rdns: m[1]!, helo: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \((?:HELO|EHLO) (\S*)\) \[(IP)\] by (\S+) \([^)]+\) with (?:ESMTP|SMTP)`),
    (m) => ({ rdns: m[1]!, helo: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \(\[(IP)\]\) by (\S+) via smtpd \(for \S+\) with SMTP\(`),
    (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
];
const HOTMAIL_IP = pm('^(IP) ');

// Received.pm's qmail test, `^\S+( \((?:HELO|EHLO) \S*\))? \((\S+\@)?\[?IP\]?\)( \(envelope-sender
// <\S+>\))? by \S+( \(.+\))* with (.* )?(SMTP|QMQP)(?! id )`: its head, the rest read by hand.
const QMAIL_HEAD = pm(
  String.raw`^\S+(?: \((?:HELO|EHLO) \S*\))? \((?:\S+@)?\[?IP\]?\)(?: \(envelope-sender <\S+>\))? by \S+`,
);
/** Whether the line is in qmail's form, as Received.pm's test above decides. */
function qmailForm(rest: string): boolean {
  const head = QMAIL_HEAD.exec(rest);
  if (!head) return false;
  // `( \(.+\))*` (exponential in JavaScript on a line that fails) matches nothing or any text
  // from ` (` to a `)`: the earliest ` with ` it can end before leaves the most text for the
  // protocol, so that one position decides.
  const after = rest.slice(head[0].length);
  let withAt = after.startsWith(' with ') ? 0 : -1;
  if (withAt < 0 && after.startsWith(' (')) {
    const close = after.indexOf(') with ', 3);
    if (close >= 0) withAt = close + 1;
  }
  if (withAt < 0) return false;
  return /(?:^| )(?:SMTP|QMQP)(?! id )/.test(after.slice(withAt + ' with '.length));
}
const ENVELOPE_SENDER_COMMENT = String.raw`(?: \(envelope-sender <\S+>\))?`;
/** The qmail form's fields, read by the first of Received.pm's four patterns that matches. */
const QMAIL_BRANCHES: readonly Branch[] = [
  [
    pm(
      String.raw`^(\S+) \((?:HELO|EHLO) ([^ ()]*)\) \((\S*)@\[?(IP)\]?\)${ENVELOPE_SENDER_COMMENT} by (\S+)`,
    ),
    (m) => ({ rdns: m[1]!, helo: m[2]!, ident: m[3]!, ip: m[4]!, by: m[5]! }),
  ],
  [
    pm(
      String.raw`^(\S+) \((?:HELO|EHLO) ([^ ()]*)\) \(\[?(IP)\]?\)${ENVELOPE_SENDER_COMMENT} by (\S+)`,
    ),
    (m) => ({ rdns: m[1]!, helo: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \((\S*)@\[?(IP)\]?\)${ENVELOPE_SENDER_COMMENT} by (\S+)`),
    (m) => ({ rdns: m[1]!, helo: m[1]!, ident: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \(\[?(IP)\]?\)${ENVELOPE_SENDER_COMMENT} by (\S+)`),
    (m) => ({ rdns: m[1]!, helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
];

/** `(\S*@)?` read as Received.pm keeps it: the ident without its `@`. */
const identOf = (found: string | undefined) => (found ?? '').replace(/@$/, '');

/** Received.pm's branches after the qmail test, in its order ("formats get a bit non-standard"). */
const LATER_BRANCHES: readonly Branch[] = [
  [pm(String.raw`^\[(IP)\] by (\S+) via HTTP$`), (m) => ({ ip: m[1]!, by: m[2]! }), / via HTTP$/],
  [pm(String.raw`^(\S+) \( \[(IP)\]\).*? by (\S+) `), (m) => ({ ip: m[2]!, by: m[3]! })],
  [pm(String.raw`^\((\S+) \[(IP)\]\) by (\S+) `), (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! })],
  [pm(String.raw`^\[(IP)\] by (\S+) `), (m) => ({ ip: m[1]!, by: m[2]! })],
  [pm(String.raw`^\(\[?(IP)\]?\) by (\S+) `), (m) => ({ ip: m[1]!, by: m[2]! })],
  // MDaemon, after a lookup
  [
    pm(String.raw`^(\S+) \[(IP)\] by (\S+) \[IP\] with `),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(\S+) \[\((IP)\)\] by (\S+) \(IP\) `),
    (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  // sendmail
  [
    pm(String.raw`^(\S+) \(\[(IP)\]\) by (\S+) \(`),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(\S+) \((\S+) \[(IP)\]\).*? by (\S+)\b`),
    // couriertcpd's `softdnserr` is no lookup's answer (bug 2326)
    (m) => ({
      ...(m[2] === 'softdnserr' ? { lookedUp: false } : { lookedUp: true, rdns: m[2]! }),
      helo: m[1]!,
      ip: m[3]!,
      by: m[4]!,
    }),
  ],
  [
    pm(String.raw`^(\S+) \(\[(IP)(?:[.:]\d+)?\]\).*? by (\S+) `),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(\S+) \((\S+) \[(IP)\]\)(?: \(authenticated bits=\d+\))? by (\S+) \(`),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, rdns: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  // a mail fetcher's hand-over
  [/with (?:POP3|IMAP)/, () => 'fetched'],
  [
    pm(String.raw`^(\S+) \((?:HELO|EHLO) ([^)]*)\) \((\S*@)?\[?(IP)\]?\).* by (\S+) `),
    (m) => ({ ...LOOKED_UP, rdns: m[1]!, helo: m[2]!, ident: identOf(m[3]), ip: m[4]!, by: m[5]! }),
  ],
  [
    pm(String.raw`^(\S+) \((\S*@)?\[?(IP)\]?\).* by (\S+) `),
    (m) => ({ ...LOOKED_UP, rdns: m[1]!, helo: m[1]!, ident: identOf(m[2]), ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^\[(IP)\] by (\S+) with http for `),
    (m) => ({ ip: m[1]!, by: m[2]! }),
    / with http for /,
  ],
  [
    pm(String.raw`^(\S+)\((IP)\) by (\S+) via smap `),
    (m) => ({ ...LOOKED_UP, rdns: m[1]!, ip: m[2]!, by: m[3]! }),
    / via smap /,
  ],
  [
    pm(String.raw`^(\S+)\((IP), (?:HELO|EHLO) (\S*)\) by (\S+) via smap `),
    (m) => ({ ...LOOKED_UP, rdns: m[1]!, ip: m[2]!, helo: m[3]!, by: m[4]! }),
  ],
  [pm(String.raw`^\[(IP)\] by (\S+) \(Post`), (m) => ({ ip: m[1]!, by: m[2]! }), / \(Post/],
  [pm(String.raw`^\[(IP)\] by (\S+) \(ArGoSoft`), (m) => ({ ip: m[1]!, by: m[2]! }), / \(ArGoSoft/],
  [pm(String.raw`^(IP) by (\S+) \((?:SMTPL|InterScan)\b`), (m) => ({ ip: m[1]!, by: m[2]! })],
  // BSMTP is no TCP/IP hand-over
  [/^\S+ by \S+ with BSMTP/, () => 'skip', / with BSMTP/],
  [
    pm(String.raw`^(\S+) \((\S+) \[(IP)\]\) by (\S+) with `),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, rdns: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^(\S+) \((?:HELO|EHLO) (\S*)\) \((?:(\S+)@)?(IP).*?\) by (\S+) with `),
    (m) => ({
      ...LOOKED_UP,
      rdns: m[1]!,
      helo: m[2]!,
      ip: m[4]!,
      by: m[5]!,
      ...(m[3] === undefined ? {} : { ident: m[3] }),
    }),
  ],
  [
    pm(String.raw`^\[(IP)\] \((?:account \S+ )?(?:HELO|EHLO) (\S*)\) by (\S+) \(`),
    (m) => ({ ip: m[1]!, helo: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(\S+) \(\[(IP)\] verified\) by (\S+) \(`),
    (m) => ({ ...LOOKED_UP, rdns: m[1]!, helo: m[1]!, ip: m[2]!, by: m[3]! }),
    / \(CommuniGate Pro/,
  ],
  [pm(String.raw`^\(\[(IP)\]\) by (\S+) with `), (m) => ({ ip: m[1]!, by: m[2]! })],
  [pm(String.raw`^([^\d]\S+) \((IP)\) by (\S+) `), (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! })],
  [/^\S+ \(\S+\) by \S+ \(Content Technologies /, () => 'skip'],
  [
    pm(String.raw`^(\S+) \(\[(IP)\] \[(\S+)\]\) by (\S+) with `),
    (m) => ({ helo: m[1]!, ip: m[2]!, by: m[4]! }),
  ],
  [pm(String.raw`^(IP) by (\S+) with `), (m) => ({ ip: m[1]!, by: m[2]! })],
  [
    pm(String.raw`^(\S+) \((\S+)\[(IP)\]\) by (\S+) `),
    (m) => ({ ...LOOKED_UP, helo: m[1]!, rdns: m[2]!, ip: m[3]!, by: m[4]! }),
  ],
  [
    pm(String.raw`^\[(IP)\]\S+ \((?:HELO|EHLO) (\S*)\) by (\S+) `),
    (m) => ({ ip: m[1]!, helo: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(IP) \((?:HELO|EHLO) (\S*)\) by (\S+) `),
    (m) => ({ ip: m[1]!, helo: m[2]!, by: m[3]! }),
  ],
  [pm(String.raw`^(\S+) \[(IP)\] by (\S+) `), (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! })],
  [pm(String.raw`^(\S+)\((IP)\) by (\S+) `), (m) => ({ rdns: m[1]!, ip: m[2]!, by: m[3]! })],
  [pm(String.raw`^\[(IP)\] by (\S+) \(MailGate `), (m) => ({ ip: m[1]!, by: m[2]! })],
  [
    pm(String.raw`^(\S+) \(unverified \[(IP)\]\) by (\S+) `),
    (m) => ({ helo: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [pm(String.raw`^(IP) \([A-Za-z][^)]+\) by (\S+) with `), (m) => ({ ip: m[1]!, by: m[2]! })],
  [
    pm(String.raw`^\[(IP)\] \(([^)]+)\) by (\S+) `),
    (m) => ({ ip: m[1]!, by: m[3]!, ...heloAndIdentIn(m[2]!) }),
  ],
  [
    pm(String.raw`^(\S+) \((?:\S+@)?(IP)\) by (\S+) with `),
    (m) => ({ rdns: m[1]!, ip: m[2]!, by: m[3]! }),
  ],
  [
    pm(String.raw`^(\S+)\((IP)\)(?:, claiming to be "(\S+)")? via \S+ by (\S+),`),
    (m) => ({
      rdns: m[1]!,
      ip: m[2]!,
      helo: m[3] ?? '',
      by: m[4]!,
      ...(m[1] === 'UNKNOWN' ? {} : LOOKED_UP),
    }),
  ],
  [
    pm(String.raw`^(\S+) \((\S+)@(IP) with login\) by (\S+\.yahoo\.com) with SMTP`),
    (m) => ({ helo: m[1]!, ip: m[3]!, by: m[4]! }),
  ],
  [pm(String.raw`^X-Originating-IP: (IP)$`), (m) => ({ ip: m[1]!, by: '' })],
];

/**
 * Perl's `\S+@\S+`: the same words, its first `@` found without the two `\S+` trying every `@`
 * of a word made of them (quadratic).
 */
const WORD_WITH_AT = String.raw`\S[^\s@]*@\S+`;
/** qmail-scanner's line: its envelope sender belongs to the hand-over on the line below it. */
const QMAIL_SCANNER = /^\S+ by \S+ \(.{0,100}\) with qmail-scanner/;
/**
 * The lines Received.pm knows and skips (its "stuff to ignore": local submissions, content
 * scanners and spoolers logging a hop another line describes), in its order, matched on the
 * line without `from `. Only what matches none is unparseable (UNPARSEABLE_RELAY, and
 * `!__UNPARSEABLE_RELAY_COUNT` in XPRIO and other metas).
 */
const IGNORED_LINES: readonly RegExp[] = [
  pm(String.raw`^\S+ \([^\s@]+@LOCALHOST\) by \S+ \(`),
  /^\S+ \S+ by \S+ with local-e?smtp /,
  /^127\.0\.0\.1 \(AVG SMTP \S+ \[\S+\]\)/,
  new RegExp(String.raw`^${WORD_WITH_AT} by \S+ by uid \S+ `),
  new RegExp(String.raw`^${WORD_WITH_AT} by \S+ `),
  /^Unknown\/Local \(/,
  pm(String.raw`^LOCALHOST \((?:\S+@)?LOCALHOST[)[]`),
  pm(String.raw`^\S+ \((?:\S+@)?LOCALHOST\) `),
  pm(String.raw`^\S+ \(${WORD_WITH_AT} \[LOCALHOST\]\) `),
  /^\(AUTH: \S+\) by \S+ with /,
  /^localhost \(localhost \[\[UNIX: localhost\]\]\) by /,
  /^\S+\.amazon\.com by \S+\.amazon\.com with ESMTP \(peer crosscheck: /,
  /^[^.]+ by \S+ with Novell_GroupWise/,
  /^no\.name\.available by \S+ via smtpd \(for /,
  QMAIL_SCANNER,
  /^\S+ by \S+ with local/,
  /^\S+ \(\[unix socket\]\) by \S+ \(Cyrus v[0-9]*?\.[0-9]*?\.[0-9]*?\) with LMTPA/,
  /^\S+ by \S+ (?:with|via|for|\()/,
  /^\S+ (?:(?:with|via|for) \S+|\(unverified\)) by\b/,
  /^\S+ \(unknown\) by \S+ \(SG\) with \b/,
  /^\S+ \(\S+ \[local\]\) by \S+ \(OpenSMTPD\) with \b/,
  /\(LSMTP for/,
  pm(String.raw`^\(\[LOCALHOST\]\) with MailEnable `),
  /^facebook\.com \([^)]+\) by facebook\.com with Thrift id \S+$/,
  /^\S+ named \S+ by gmailapi\.google\.com with HTTPREST$/,
  /^\S+ id \S+$/,
  /^\[<.*? \(Jetsend/,
];

/** Lotus Notes' upper-case `FROM HELO (rDNS [IP]) BY HOST ... ID id`. */
const UPPER_CASE_FROM = pm(
  String.raw`^(\S+) \((\S+) \[(IP)\]\) BY (\S+) (?:\([^)]+\) WITH SMTP )?ID <?(\S+?)>?(?: FOR <[^>]+>)?$`,
);
const NAVGW = pm(String.raw`^(\S*) \[(IP)\]\) by (\S+) \(NAVGW .*?\) with `);
const BRACKETED_IP = pm(String.raw`\[(IP)\]`);
const WEBMAIL_FROM = pm(String.raw`(IP)\b(?![.-]).{10,80}by (\S+) with HTTP`);
const AOL_WEBMAIL = pm(String.raw`(IP) by (\S+) \(IP\) with HTTP \(WebMailUI\)`);

/** What the parse of one line found: a relay, or what Received.pm returns instead. */
type Parsed =
  | { kind: 'relay'; relay: Relay }
  | { kind: 'skip'; qmailScannerEnvfrom?: string }
  | { kind: 'fetched' }
  | { kind: 'unparseable' };

// SpamAssassin flags characters that cannot be in the field with '!'.
const strip = (value: string) => value.replace(/[\s\0#[\]()<>|]/g, '!');
const cleanEnvfrom = (value: string) => strip(value.replace(/^\s*<*/, '').replace(/>*\s*$/, ''));

/**
 * One Received line as Received.pm's parse_received_line reads it, its tests in its order: the
 * first branch that matches decides, or skips the line, or marks a mail fetcher.
 */
function parseLine(raw: string): Parsed {
  // No MTA writes more; a longer line is a forgery and not worth the parse.
  if (raw.length > MAX_RECEIVED_LENGTH) return { kind: 'unparseable' };
  let line = raw.replace(/\s+/g, ' ').trim();
  // Perl's `1 while s/\s?;$//`, a character at a time (the regex again on each pass, quadratic).
  let end = line.length;
  while (line[end - 1] === ';') end -= /\s/.test(line[end - 2] ?? '') ? 2 : 1;
  line = line.slice(0, end);
  if (!/^\(?from /i.test(line)) return { kind: 'skip' };
  if (/\bwith local for\b/.test(line)) return { kind: 'skip' };
  const localName = /^from (\S+) by [^\s;]+ ?;/i.exec(line);
  if (localName && !/^\[[\d.]+\]$/.test(localName[1]!)) return { kind: 'skip' };
  line = withoutDate(line).replace(/\)by /, ') by ');

  const state: Read & { auth: string } = {
    ip: '',
    rdns: '',
    helo: HELO_PARAMETER.exec(line)?.[1] ?? HELO_COMMAND.exec(line)?.[1] ?? '',
    by: / by (\S+)(?:[^-A-Za-z0-9;.]|$)/.exec(line)?.[1] ?? '',
    ident: '',
    id: / id <?([^\s<>;]{3,})/.exec(line)?.[1] ?? '',
    lookedUp: false,
    auth: authenticationOf(line),
  };
  const outcome = readFrom(line, state);
  if (outcome.kind !== 'enough') return outcome;
  return { kind: 'relay', relay: relayFrom(state) };
}

/** Received.pm from its `if (s/^from //)` to its `goto enough` (or a return short of it). */
function readFrom(
  line: string,
  state: Read & { auth: string },
): { kind: 'enough' } | Exclude<Parsed, { kind: 'relay' }> {
  const first = (rest: string, branches: readonly Branch[]) => {
    for (const [pattern, read, prefilter] of branches) {
      if (prefilter && !prefilter.test(rest)) continue;
      const found = pattern.exec(rest);
      if (found) return read(found);
    }
    return null;
  };
  const enough = { kind: 'enough' } as const;
  const done = (read: Read) => {
    Object.assign(state, read);
    return enough;
  };
  const ended = (read: 'skip' | 'fetched') =>
    read === 'skip' ? ({ kind: 'skip' } as const) : ({ kind: 'fetched' } as const);

  if (line.startsWith('from ')) {
    const rest = line.slice('from '.length);
    const envfrom = ENVELOPE_SENDER.exec(rest);
    if (envfrom) state.envfrom = envfrom[1]!;
    if (/ \((?:SquirrelMail|NaSMail) authenticated user /.test(rest)) {
      const webmail = WEBMAIL_FROM.exec(rest);
      if (webmail) return done({ ip: webmail[1]!, by: webmail[2]! });
    }
    if (/aol\.com/.test(rest) && /with HTTP \(WebMailUI\)/.test(rest)) {
      const aol = AOL_WEBMAIL.exec(rest);
      if (aol) return done({ ip: aol[1]!, by: aol[2]! });
    }
    const marked = MARKED_BRANCHES.find(([mark]) => mark.test(rest));
    if (marked) {
      const read = first(rest, marked[1]);
      if (read === 'skip' || read === 'fetched') return ended(read);
      if (read) return done(read);
      if (marked[0] === EXIM) {
        const pieces = eximPieces(rest);
        Object.assign(state, pieces.read);
        if (pieces.enough) return enough;
      }
    }
    const http = /\bwith HTTP\b/.test(rest) ? HTTP_NUMERIC_HELO.exec(rest) : null;
    if (http) return done({ ip: http[1]!, by: http[2]! });
    // qmail-ldap's lines may look like sendmail's: its form skips sendmail's test.
    const sendmail = QMAIL_LDAP.test(rest) ? null : SENDMAIL.exec(rest);
    if (sendmail) {
      let rdns = sendmail[2]!;
      let ident = state.ident ?? '';
      // The IDENT lookup's user, taken off the name.
      const identLookup = /^IDENT:([^@]*)@/.exec(rdns);
      if (identLookup) [ident, rdns] = [identLookup[1]!, rdns.slice(identLookup[0].length)];
      const user = /^([^@]*)@/.exec(rdns);
      if (user) [ident, rdns] = [user[1]!, rdns.slice(user[0].length)];
      return done({
        ...LOOKED_UP,
        helo: sendmail[1]!,
        rdns,
        ident,
        ip: sendmail[3]!,
        by: sendmail[4]!,
      });
    }
    const early = first(rest, EARLY_BRANCHES);
    if (early === 'skip' || early === 'fetched') return ended(early);
    if (early) return done(early);
    if (qmailForm(rest)) {
      const read = first(rest, QMAIL_BRANCHES);
      if (read && read !== 'skip' && read !== 'fetched') Object.assign(state, read);
      if (state.rdns === 'unknown') state.rdns = '';
      else state.lookedUp = true;
      return enough;
    }
    const later = first(rest, LATER_BRANCHES);
    if (later === 'skip' || later === 'fetched') return ended(later);
    if (later) return done(later);
    for (const pattern of IGNORED_LINES) {
      if (!pattern.test(rest)) continue;
      if (pattern !== QMAIL_SCANNER || state.envfrom === undefined) return { kind: 'skip' };
      return { kind: 'skip', qmailScannerEnvfrom: cleanEnvfrom(state.envfrom) };
    }
    if (!state.helo) {
      const word = /^(\S+)[^-A-Za-z0-9.]/.exec(rest);
      if (word) state.helo = word[1]!;
    }
  } else if (line.startsWith('FROM ')) {
    const upper = UPPER_CASE_FROM.exec(line.slice('FROM '.length));
    if (upper) {
      const rdns = upper[2] === 'unverified' ? '' : upper[2]!;
      return done({
        ...LOOKED_UP,
        helo: upper[1]!,
        rdns,
        ip: upper[3]!,
        by: upper[4]!,
        id: upper[5]!,
      });
    }
  } else if (line.startsWith('(from ')) {
    const rest = line.slice('(from '.length);
    const navgw = NAVGW.exec(rest);
    if (navgw) return done({ helo: navgw[1]!, ip: navgw[2]!, by: navgw[3]! });
    if (/^\S+@localhost\) by \S+ /.test(rest)) return { kind: 'skip' };
    if (/^[^\s@]+@[^)]+\) by \S+\(jqueuemail\) id [^\s;]+/.test(rest)) return { kind: 'skip' };
  }
  if (!state.ip) state.ip = BRACKETED_IP.exec(line)?.[1] ?? '';
  return state.ip && state.by ? enough : { kind: 'unparseable' };
}

/** Received.pm's `enough:`: the fields tidied, the relay made. */
function relayFrom(state: Read & { auth: string }): Relay {
  let rdns = (state.rdns ?? '').replace(/\.+$/, '');
  if (/^unknown$/i.test(rdns) || rdns.startsWith('[')) rdns = '';
  const ip = (state.ip ?? '')
    .replace(/^ipv6:/i, '')
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .replace(/%[A-Z0-9._~-]*$/i, '')
    .replace(/^0*:0*:(?:0*:)*ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return {
    ip: strip(ip),
    rdns: strip(rdns),
    helo: strip(state.helo ?? ''),
    by: strip((state.by ?? '').replace(/;$/, '')),
    ident: strip(state.ident ?? ''),
    envfrom: state.envfrom === undefined ? '' : cleanEnvfrom(state.envfrom),
    id: state.id ?? '',
    auth: state.auth,
    ipPrivate: isPrivateIp(ip),
    noReverseDns: rdns === '' && state.lookedUp === true,
  };
}

/**
 * One Received line: the relay, `'local'` for a hop SpamAssassin ignores (no `from`, a local
 * submission), `'fetched'` for a mail fetcher's hand-over, or null when it cannot be read.
 */
export function parseReceivedLine(raw: string): Relay | 'local' | 'fetched' | null {
  const parsed = parseLine(raw);
  switch (parsed.kind) {
    case 'relay':
      return parsed.relay;
    case 'skip':
      return 'local';
    case 'fetched':
      return 'fetched';
    default:
      return null;
  }
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
  // qmail-scanner's envelope sender, for the hand-over on the line below its own.
  let qmailScannerEnvfrom = '';
  for (const [index, line] of lines.entries()) {
    const parsed = parseLine(line);
    const envfrom = qmailScannerEnvfrom;
    qmailScannerEnvfrom = parsed.kind === 'skip' ? (parsed.qmailScannerEnvfrom ?? '') : '';
    if (parsed.kind === 'unparseable') unparseable++;
    // A fetcher's mark within our own hops: what came before is the provider's, so the parse
    // starts again from there (the trust boundary still to be found).
    if (parsed.kind === 'fetched' && inTrusted) trusted.length = 0;
    if (parsed.kind !== 'relay') continue;
    const relay = envfrom ? { ...parsed.relay, envfrom } : parsed.relay;
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
