import { IP_ADDRESS } from './constants-patterns.js';
import type { SaMessageView } from './message-view.js';
import { gatedThroughReceivedHeaderRemover } from './received-eval-tests.js';
import { relaysOf } from './received-relays.js';

/**
 * HeaderEval's forged-Received checks: mail claiming to be from a big free-mail provider whose
 * Received headers show none of that provider's own servers handing it on.
 */

const IPV4 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
/** The ways Yahoo's own servers write the hop that took the message in. */
const YAHOO_OWN_HOPS = [
  /by web\S+\.mail\S*\.yahoo\.com via HTTP/,
  /by sonic\S+\.consmr\.mail\S*\.yahoo\.com with HTTP/,
  /by smtp\S+\.yahoo\.com with SMTP/,
  new RegExp(String.raw`from \[${IPV4}\] by \S+\.(?:groups|scd|dcn)\.yahoo\.com with NNFMP`),
  // "Mail this story to a friend" pages.
  /by \w+\.\w+\.yahoo\.com \(\d+\.\d+\.\d+\/\d+\.\d+\.\d+\)(?: with ESMTP)? id \w+/,
];

/**
 * `check_for_forged_yahoo_received_headers` (FORGED_YAHOO_RCVD): From is at yahoo.com, but no
 * Received line is Yahoo's, and no trusted relay (nor the first untrusted one) has a Yahoo
 * reverse DNS name (Yahoo's bounces).
 */
export function checkForForgedYahooReceivedHeaders(view: SaMessageView): number {
  const from = (view.header('From', 'addr') ?? '').trim();
  if (!/\byahoo\.com$/i.test(from)) return 0;
  let received = view.header('Received', null) ?? '';
  // A resent message keeps the original hops in X-Received.
  if ((view.header('Resent-From', null) ?? '') !== '' && (view.header('Resent-To', null) ?? ''))
    received = view.header('X-Received', null) || received;
  received = received.replace(/\s+/g, ' ');
  if (gatedThroughReceivedHeaderRemover(view)) return 0;
  const { trusted, untrusted } = relaysOf(view);
  const yahooName = /\.yahoo\.com$/i;
  if (trusted.some((relay) => yahooName.test(relay.rdns))) return 0;
  if (untrusted[0] && yahooName.test(untrusted[0].rdns)) return 0;
  if (YAHOO_OWN_HOPS.some((hop) => hop.test(received))) return 0;
  if (/\bmailer\d+\.bulk\.scd\.yahoo\.com\b/.test(received) && /@reply\.yahoo\.com$/i.test(from))
    return 0;
  return 1;
}

/** An IPv4 or IPv6 address, loosely (as SpamAssassin's IP_ADDRESS finds one in a header). */
const IP = String.raw`(?:${IPV4}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7})`;
/** The ways Microsoft's own servers write the hop that took a Hotmail or Outlook.com message in. */
const HOTMAIL_OWN_HOPS: readonly { hop: RegExp; needs: 'ip' | 'originator' }[] = [
  { hop: /from (?:\S*\.)?hotmail.com \(\S+\.hotmail(?:\.msn)?\.com[ )]/, needs: 'ip' },
  {
    hop: /from \S*\.outbound\.protection\.outlook\.com \(\S+\.outbound\.protection\.outlook\.com[ )]/,
    needs: 'originator',
  },
  {
    hop: new RegExp(String.raw`from \S*\.(?:eur|nam)prd\d+\.prod\.outlook\.com \(${IP}\)`),
    needs: 'originator',
  },
  { hop: new RegExp(String.raw`from \S*\.hotmail.com \(\[${IP}\][ ):]`), needs: 'ip' },
  { hop: /from \S+ by \S+\.hotmail(?:\.msn)?\.com with HTTP;/, needs: 'ip' },
  { hop: /from \[66\.218.\S+\] by \S+\.yahoo\.com/, needs: 'ip' },
];

interface HotmailVerdict {
  /** A hop that called itself hotmail.com without being one of Hotmail's. */
  readonly forged: boolean;
  /** From is at hotmail.com, and no hop is Hotmail's. */
  readonly noHotmailHop: boolean;
}

const hotmailVerdicts = new WeakMap<SaMessageView, HotmailVerdict>();

/**
 * HeaderEval's Hotmail check, once per message: Hotmail's own hops carry an
 * X-Originating-IP (Outlook.com's an X-OriginatorOrg); mail passing through none of them either
 * says hotmail.com in a HELO (forged) or has a hotmail.com From that never went through Hotmail.
 */
function hotmailVerdict(view: SaMessageView): HotmailVerdict {
  let verdict = hotmailVerdicts.get(view);
  if (verdict) return verdict;
  verdict = { forged: false, noHotmailHop: false };
  const received = (view.header('Received', null) ?? '').replace(/\s+/g, ' ');
  const ip = new RegExp(IP).test(view.header('X-Originating-Ip', null) ?? '');
  const originator = /hotmail\.com|msonline-outlook/.test(
    view.header('X-OriginatorOrg', null) ?? '',
  );
  const sentByHotmail =
    /from mail pickup service by hotmail\.com with Microsoft SMTPSVC;/.test(received) ||
    checkForMsnGroupsHeaders(view) ||
    gatedThroughReceivedHeaderRemover(view) ||
    HOTMAIL_OWN_HOPS.some(
      ({ hop, needs }) => (needs === 'ip' ? ip : originator) && hop.test(received),
    );
  if (!sentByHotmail) {
    if (/(?:from |HELO |helo=)\S*hotmail\.com\b/.test(received))
      verdict = { forged: true, noHotmailHop: false };
    else if (/\bhotmail\.com$/i.test((view.header('From', 'addr') ?? '').trim()))
      verdict = { forged: false, noHotmailHop: true };
  }
  hotmailVerdicts.set(view, verdict);
  return verdict;
}

/** `check_for_forged_hotmail_received_headers` (__FORGED_HOTMAIL_RCVD). */
export function checkForForgedHotmailReceivedHeaders(view: SaMessageView): number {
  return hotmailVerdict(view).forged ? 1 : 0;
}

/** `check_for_no_hotmail_received_headers` (FORGED_HOTMAIL_RCVD2). */
export function checkForNoHotmailReceivedHeaders(view: SaMessageView): number {
  return hotmailVerdict(view).noHotmailHop ? 1 : 0;
}

/**
 * `check_for_msn_groups_headers`: mail an MSN Groups list sent (Hotmail hands its users' mail
 * to those servers directly), by the list's To, pickup hop, Message-ID and bounce address.
 */
export function checkForMsnGroupsHeaders(view: SaMessageView): boolean {
  const list = /<(\S+)@groups\.msn\.com>/i.exec(view.header('To', null) ?? '')?.[1];
  if (list === undefined) return false;
  const server = /from mail pickup service by ((?:p\d\d\.)groups\.msn\.com)\b/.exec(
    view.header('Received', null) ?? '',
  )?.[1];
  if (server === undefined) return false;
  const messageId = view.header('Message-Id', null) ?? '';
  if (list === 'notifications')
    return messageId.startsWith('<') && messageId.includes(`@${server}>`);
  return (
    messageId.startsWith(`<${list}-`) &&
    /^<\S+@groups\.msn\.com>/.test(messageId) &&
    (view.header('EnvelopeFrom', 'addr') ?? '').includes(`${list}-bounce@groups.msn.com`)
  );
}

/** Perl's \S on octets: any octet but space, tab, LF, VT, FF, CR (JavaScript's also skips A0). */
const NOT_SPACE = '[^ \\t\\n\\x0b\\f\\r]';
/** The ways Google's own servers write the hop that took a Gmail message in. */
const GMAIL_OWN_HOPS: readonly { header: 'X-Received' | 'Received'; hop: RegExp }[] = [
  { header: 'X-Received', hop: new RegExp(`by 10\\.${NOT_SPACE}+ with SMTP id ${NOT_SPACE}+`) },
  {
    header: 'X-Received',
    hop: new RegExp(`by 2002:a\\d\\d:\\w+:${NOT_SPACE}+ with SMTP id ${NOT_SPACE}+`),
  },
  {
    header: 'Received',
    hop: new RegExp(`by smtp\\.googlemail\\.com with ESMTPSA id ${NOT_SPACE}+`),
  },
];
/** HeaderEval's GOOGLE_MESSAGE_STATE_LENGTH_MIN and GOOGLE_SMTP_SOURCE_LENGTH_MIN. */
const GOOGLE_HEADER_LENGTH_MIN = 60;

/**
 * `check_for_forged_gmail_received_headers` (FORGED_GMAIL_RCVD, read by AC_FROM_MANY_DOTS and
 * ENVFROM_GOOG_TRIX): From is at gmail.com, no X-Received or Received line is one of Google's
 * own hops, and the message lacks either of the long X-Gm-Message-State and
 * X-Google-Smtp-Source headers Gmail adds (each at least 60 octets, all occurrences, their
 * newlines counted, as Perl's `length` of `get()` counts).
 */
export function checkForForgedGmailReceivedHeaders(view: SaMessageView): number {
  if (!/\bgmail\.com$/i.test(view.header('From', 'addr') ?? '')) return 0;
  if (GMAIL_OWN_HOPS.some(({ header, hop }) => hop.test(view.header(header, null) ?? ''))) return 0;
  const state = view.header('X-Gm-Message-State', null) ?? '';
  const source = view.header('X-Google-Smtp-Source', null) ?? '';
  return state.length >= GOOGLE_HEADER_LENGTH_MIN && source.length >= GOOGLE_HEADER_LENGTH_MIN
    ? 0
    : 1;
}

/** Constants.pm's IP_ADDRESS anywhere in a value (a time such as 10:00:00 is none). */
const HAS_IP_ADDRESS = new RegExp(IP_ADDRESS, 'i');
/** Perl's \s+ on octets, which the checks squeeze to one space (JavaScript's \s takes A0 too). */
const PERL_SPACES = /[ \t\n\x0b\f\r]+/g;

/** The Received headers on one line, each run of white space one space, as the checks read them. */
function squeezedReceived(view: SaMessageView): string {
  return (view.header('Received', null) ?? '').replace(PERL_SPACES, ' ');
}

/**
 * Whether the patterns match one after the other in `line`, anything between them (Perl's
 * `A.*B.*C` on one line), each searched from where the last one ended: the earliest end of
 * each is the best start for the next, so one pass answers what `.*` would try by backtracking
 * (polynomially, on a line crafted to fail).
 */
function inOrder(line: string, patterns: readonly RegExp[]): boolean {
  let at = 0;
  for (const pattern of patterns) {
    pattern.lastIndex = at;
    const found = pattern.exec(line);
    if (!found) return false;
    at = pattern.lastIndex;
  }
  return true;
}

const FROM = /from/g;
const BY = /by/g;
const JUNO_HOST = /\b(?:juno|untd)\.com/g;
const MAIL_COM_HOST = /\bmail\.com/g;
const BRACKETED_IP = new RegExp(String.raw`[\[(]${IP_ADDRESS}[\])]`, 'gi');
const SQUARE_BRACKETED_IP = new RegExp(String.raw`\[${IP_ADDRESS}\]`, 'gi');
const UNTD_WEBMAIL = new RegExp(String.raw`from (webmail${NOT_SPACE}+\.untd\.com) \(`, 'g');
const UNTD_WEBMAIL_REST = new RegExp(String.raw` \[${IP_ADDRESS}\]\) by`, 'iy');

/** Perl's `/from (webmail\S+\.untd\.com) \(\1 \[$IP_ADDRESS\]\) by/`, its backreference read. */
function untdWebmailHop(line: string): boolean {
  UNTD_WEBMAIL.lastIndex = 0;
  for (let found = UNTD_WEBMAIL.exec(line); found; found = UNTD_WEBMAIL.exec(line)) {
    const name = found[1]!;
    const after = UNTD_WEBMAIL.lastIndex;
    if (!line.startsWith(name, after)) continue;
    UNTD_WEBMAIL_REST.lastIndex = after + name.length;
    if (UNTD_WEBMAIL_REST.test(line)) return true;
  }
  return false;
}

/**
 * `check_for_forged_juno_received_headers` (__FORGED_JUNO_RCVD, read by CONFIRMED_FORGED and
 * MULTI_FORGED): a juno.com From that Juno's own servers did not hand on. Old Juno mail has an
 * X-Originating-IP, a Received line from a juno.com or untd.com host with its bracketed IP (or
 * a cookie.juno.com hop) and a "Juno " X-Mailer; new Juno mail none, a Received line from a
 * mail.com host (and a mail.com X-Mailer) or from Juno's webmail (a "Webmail Version" one),
 * and an address in X-Originating-IP. The Received lines are read one by one, as Perl's `.`.
 */
export function checkForForgedJunoReceivedHeaders(view: SaMessageView): number {
  if (!/\bjuno\.com$/i.test(view.header('From', 'addr') ?? '')) return 0;
  if (gatedThroughReceivedHeaderRemover(view)) return 0;
  const originatingIp = view.header('X-Originating-IP', null) ?? '';
  const mailer = view.header('X-Mailer', null) ?? '';
  const lines = (view.header('Received', null) ?? '').split('\n');
  const anyLine = (test: (line: string) => boolean) => lines.some(test);
  if (originatingIp !== '') {
    if (
      !anyLine((line) => inOrder(line, [FROM, JUNO_HOST, BRACKETED_IP, BY])) &&
      !/ cookie\.(?:juno|untd)\.com /.test(view.header('Received', null) ?? '')
    )
      return 1;
    return mailer.includes('Juno ') ? 0 : 1;
  }
  if (anyLine((line) => inOrder(line, [FROM, MAIL_COM_HOST, SQUARE_BRACKETED_IP, BY]))) {
    if (!/\bmail\.com/.test(mailer)) return 1;
  } else if (anyLine(untdWebmailHop)) {
    if (!/^Webmail Version \d/.test(mailer)) return 1;
  } else return 1;
  return HAS_IP_ADDRESS.test(originatingIp) ? 0 : 1;
}

/**
 * `check_for_forged_eudoramail_received_headers` (__FORGED_EUDORAMAIL_RCVD): a eudoramail.com
 * From without Eudora's whowhere.com hop and its X-Sender-Ip.
 */
export function checkForForgedEudoramailReceivedHeaders(view: SaMessageView): number {
  if (!/\beudoramail\.com$/i.test(view.header('From', 'addr') ?? '')) return 0;
  const received = squeezedReceived(view);
  const senderIp = view.header('X-Sender-Ip', null);
  const ip = senderIp !== null && HAS_IP_ADDRESS.test(senderIp);
  if (gatedThroughReceivedHeaderRemover(view)) return 0;
  // Perl's `by \S*whowhere.com\;`, the dot any octet.
  if (ip && new RegExp(`by ${NOT_SPACE}*whowhere.com;`).test(received)) return 0;
  return 1;
}

/**
 * `check_for_fake_aol_relay_in_rcvd` (__FORGED_AOL_RCVD): a hop named like AOL's relays
 * (` rly-xx00.`), which spammers forge, without AOL's own marks (an `/AOL-n.n.n)` version, an
 * ESMTP id of RELAY, MAILRELAY or MAILIN).
 */
export function checkForFakeAolRelayInRcvd(view: SaMessageView): number {
  const received = squeezedReceived(view);
  if (!/ rly-[a-z][a-z]\d\d\./i.test(received)) return 0;
  if (/\/AOL-\d+\.\d+\.\d+\)/.test(received)) return 0;
  if (/ESMTP id (?:RELAY|MAILRELAY|MAILIN)/.test(received)) return 0;
  return 1;
}

/** RelayEval's hostname_to_domain: the last two labels, three under a two-letter TLD. */
function hostnameToDomain(hostname: string): string {
  if (!/[a-zA-Z]/.test(hostname)) return hostname;
  const parts = hostname.split('.');
  // Perl's split drops empty fields at the end.
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  if (parts.length > 1 && /(?:[^ \t\n\x0b\f\r]{3,}|ie|fr|de)/.test(parts.at(-1)!))
    return parts.slice(-2).join('.');
  if (parts.length > 2) return parts.slice(-3).join('.');
  return hostname;
}

/**
 * Perl's `^\w+(?:[\w.-]+\.)+\w+$`, a host name with a dot, written without its nested
 * repetition (which backtracks exponentially on a long name that fails): a word character,
 * one or more of word characters, dots and hyphens, a dot, word characters to the end.
 */
const DOTTED_HOST = /^\w[\w.-]+\.\w+$/;

/**
 * `check_for_forged_received_trail` (__FORGED_RCVD_TRAIL, read by CONFIRMED_FORGED): more than
 * one untrusted hop whose receiving host (`by`, as a domain) is not the domain of the reverse
 * name the hop before it gave for its sender: a chain of Received lines that do not hand on to
 * each other. A localhost sender at 127.0.0.1 has no name; msn.com receiving from hotmail.com
 * is Microsoft's own.
 */
export function checkForForgedReceivedTrail(view: SaMessageView): number {
  const untrusted = relaysOf(view).untrusted;
  const from: (string | null)[] = untrusted.map((relay) =>
    hostnameToDomain(relay.rdns.toLowerCase()),
  );
  let mismatches = 0;
  for (let i = 0; i < untrusted.length; i++) {
    const by = hostnameToDomain(untrusted[i]!.by.toLowerCase());
    if (!DOTTED_HOST.test(by)) continue;
    if (/^localhost(?:\.localdomain)?$/.test(from[i] ?? '') && untrusted[i]!.ip === '127.0.0.1')
      from[i] = null;
    const previous = i > 0 ? from[i - 1] : null;
    if (
      previous &&
      DOTTED_HOST.test(previous) &&
      by !== previous &&
      !(by === 'msn.com' && previous === 'hotmail.com')
    )
      mismatches++;
  }
  return mismatches > 1 ? 1 : 0;
}
