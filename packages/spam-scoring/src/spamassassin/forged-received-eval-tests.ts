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
