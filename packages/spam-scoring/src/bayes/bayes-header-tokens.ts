import { parseAddressList } from '@mailyard/mime';
import type { SaMessageView } from '../spamassassin/message-view.js';
import { lineTokens, mailAddressTokens } from './bayes-line-tokens.js';
import type { BayesStopwords } from './bayes-stopwords.js';
import { OCTET_SPACES, trimOctets } from './octet-space.js';

/**
 * Headers the Bayes filter does not read (SpamAssassin's list, Plugin/Bayes.pm): what a filter,
 * a virus scanner, a mailbox program or a mailing list writes says nothing of the sender, and a
 * list that carries spam discussion would make its own headers a sign of ham. Subject is read in
 * the body; Date would learn when the corpus was collected.
 */
const IGNORED_HEADERS = new RegExp(
  `^(?:${[
    '(?:x-)?sender',
    'delivered-to',
    'delivery-date',
    '(?:x-)?envelope-to',
    'x-mime-autoconverted',
    'x-converted-to-plain-text',
    'subject',
    'date',
    'x-list',
    '(?:x-)?mailing-list',
    '(?:x-)?list-(?:archive|help|id|owner|post|subscribe|unsubscribe|host|manager|admin|comment|name|url)',
    'x-unsub(?:scribe)?',
    'x-mailman-version',
    'x-beenthere',
    'x-loop',
    'mail-followup-to',
    'x-egroups-(?:return|from)',
    'x-mdmailing-list',
    'x-xemacs-list',
    'x-sympa-to',
    '(?:x-)?resent-(?:from|to|date)',
    '(?:x-)?original-(?:from|to|date)',
    'x-mailscanner(?:-spamcheck)?',
    'x-spam(?:-(?:status|level|flag|report|hits|score|checker-version))?',
    'x-antispam',
    'x-rbl-warning',
    'x-mdaemon-deliver-to',
    'x-virus-scanned',
    'x-mass-check-id',
    'x-pyzor',
    'x-dcc-\\S{2,25}-metrics',
    'x-filtered-by',
    'x-scanned-by',
    'x-scanner',
    'x-ap-spam-(?:score|status)',
    'x-ripe-spam-status',
    'x-spamcop-[^:]+',
    'x-smtpd',
    '(?:x-)?spam-apparently-to',
    'spam',
    'x-perlmx-spam',
    'x-bogosity',
    'content-class',
    'thread-(?:index|topic)',
    'x-originalarrivaltime',
    '(?:x-)?status',
    'x-flags',
    'x-keywords',
    'replied',
    'forwarded',
    'lines',
    'content-length',
    'x-uidl?',
    'x-imapbase',
    'x-bugzilla-[^:]+',
    'x-vm-(?:bookmark|(?:pop|imap)-retrieved|labels|last-modified|summary-format|vheader|v\\d-data|message-order)',
    'x-gnus-mail-source',
    'xref',
  ].join('|')})$`,
  'i',
);

const NO_IGNORED_HEADERS: ReadonlySet<string> = new Set();

/** Headers whose presence is the token: their values are unique to each message. */
const PRESENCE_ONLY_HEADERS =
  /^(?:x-face|x-(?:gnu-?pg|pgp|gpg)(?:-key)?-fingerprint|d(?:kim|omainkey)-signature|x-google-dkim-signature|arc-(?:message-signature|seal)|autocrypt)$/i;

const ADDRESS_HEADERS =
  /^(?:|x-|resent-)(?:return-path|from|to|cc|reply-to|errors-to|mail-followup-to|sender)$/i;

/**
 * Short names for the most frequent headers (SpamAssassin's), so that their tokens are small;
 * `*Ad`, `*UA`, `*MI` also gather the addresses, the mail programs and the message ids of
 * several headers, so that a mail program's name counts the same in X-Mailer and User-Agent.
 */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  'Message-Id': '*m',
  'Message-ID': '*M',
  Received: '*r',
  'User-Agent': '*u',
  References: '*f',
  'In-Reply-To': '*i',
  From: '*F',
  'Reply-To': '*R',
  'Return-Path': '*p',
  'Return-path': '*rp',
  'X-Mailer': '*x',
  'X-Authentication-Warning': '*a',
  Organization: '*o',
  Organisation: '*o',
  'Content-Type': '*ct',
  'Content-Disposition': '*cd',
  'Content-Transfer-Encoding': '*ce',
  'x-spam-relays-trusted': '*RT',
  'x-spam-relays-untrusted': '*RU',
};

/**
 * What SpamAssassin infers of the relays, read as headers too (the untrusted path above all).
 * Named in lower case, as SpamAssassin's metadata names them (`Hx-spam-relays-external:`), so
 * that the tokens are SpamAssassin's.
 */
const RELAY_PSEUDO_HEADERS = [
  'x-spam-relays-trusted',
  'x-spam-relays-untrusted',
  'x-spam-relays-internal',
  'x-spam-relays-external',
];

/**
 * The header tokens: `H<name>:` and the words of the header's value, after each kind of header
 * is prepared (addresses broken into user and domains, Received lines without dates, queue ids
 * and the last octet of public addresses, Message-IDs split at their generators' boundaries).
 * Of the Received lines only the first two hops (the last two lines), which name the sending
 * host and its HELO, are read (`*r`), as Bayes.pm reads them. The later hops are the path to
 * the mailbox (a list's, the provider's, a fetcher's): tokens of when and where the mail was
 * collected, not of who sent it (docs/spam-scoring.md, "Bayes").
 */
export function headerTokens(
  view: SaMessageView,
  stopwords: BayesStopwords | null = null,
  ignoredHeaders: ReadonlySet<string> = NO_IGNORED_HEADERS,
): string[] {
  const fields: [string, string][] = [];
  const received: string[] = [];
  for (const line of (view.header('ALL', null) ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    const value = trimOctets(line.slice(colon + 1));
    if (/^received$/i.test(name)) received.push(value);
    else if (!IGNORED_HEADERS.test(name) && !ignoredHeaders.has(name.toLowerCase()))
      fields.push([name, value]);
  }
  for (const name of RELAY_PSEUDO_HEADERS) {
    // The configured list applies to the metadata too (Bayes.pm asks it of every header it reads).
    if (ignoredHeaders.has(name)) continue;
    const value = view.header(name, null);
    if (value !== null) fields.push([name, trimOctets(value)]);
  }
  if (!ignoredHeaders.has('received'))
    for (const value of received.slice(-2).reverse()) fields.push(['Received', value]);

  const values = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    const list = values.get(name);
    if (list) list.push(value);
    else values.set(name, [value]);
  };
  for (const [name, raw] of fields) {
    if (raw === '') continue;
    const value = preparedValue(name, raw);
    if (/^(?:in-reply-to|references|message-id)$/i.test(name)) add('*MI', value);
    if (/^(?:from|to|cc)$/i.test(name)) add('*Ad', value);
    if (/^(?:x-mailer|user-agent)$/i.test(name)) add('*UA', value);
    add(SHORT_NAMES[name] ?? name, value);
  }
  const out: string[] = [];
  for (const [name, list] of values)
    out.push(...lineTokens(list.join(' '), `H${name}:`, 'header', stopwords));
  return out;
}

function preparedValue(name: string, value: string): string {
  if (/^(?:|x-|resent-)message-id$/i.test(name)) return preparedMessageId(value);
  if (ADDRESS_HEADERS.test(name)) return preparedAddresses(value);
  if (name === 'Received') return preparedReceived(value);
  if (name === 'Content-Type') return preparedContentType(value);
  if (name === 'MIME-Version') return value.replace('1.0', '');
  if (PRESENCE_ONLY_HEADERS.test(name)) return '1';
  // The relay descriptions without their field names (ip=, rdns=, helo=...), which every one has.
  if (/^x-spam-relays-/i.test(name)) return value.replace(/ [a-z]+=/g, ' ');
  return value;
}

/** Display-name words as `N*word`, addresses as `U*local D*domain D*parent...`. */
function preparedAddresses(value: string): string {
  const tokens: string[] = [];
  for (const entry of parseAddressList(value)) {
    const mailboxes = entry.type === 'mailbox' ? [entry] : entry.members;
    for (const mailbox of mailboxes) {
      if (mailbox.name)
        for (const word of mailbox.name.split(OCTET_SPACES)) if (word) tokens.push(`N*${word}`);
      if (mailbox.address) tokens.push(...mailAddressTokens(mailbox.address));
    }
  }
  return tokens.join(' ');
}

/**
 * A Received line without what differs on every message of a sender: queue ids, the date, the
 * last octet of a public address (a /24 names the network; the full address is kept once as
 * `ip*`), and the words every line has.
 */
function preparedReceived(value: string): string {
  return (
    value
      .replace(/\swith\sSMTP\sid\sg[\dA-Z]{10,12}\s/g, ' ')
      .replace(/\swith\sESMTP\sid\s[\dA-F]{10,12}\s/g, ' ')
      .replace(/\bid\s[a-zA-Z0-9]{7,20}\b/g, ' ')
      .replace(/\bid\s[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]/g, ' ')
      .replace(
        /(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?[0-3\s]?[0-9]\s(?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec)\s(?:19|20)?[0-9]{2}\s[0-2][0-9](?::[0-5][0-9]){1,2}\s(?:\s*\(|\)|\s*(?:[+-][0-9]{4})|\s*(?:UT|[A-Z]{2,3}T))*/g,
        '',
      )
      // Every address, private ones too, as its /24 and whole as `ip*`. Bayes.pm means to keep
      // 10/8 and 192.168/16 whole but compares octets captured with their dot ("10." against
      // "10"), so it never does; its tokens are what its databases hold and what is measured.
      .replace(
        /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/g,
        (address: string, a: string, b: string, c: string) => `${a}.${b}.${c} ip*${address} `,
      )
      .replace(/\b(?:with|from|for|SMTP|ESMTP)\b/g, ' ')
  );
}

/** A Content-Type with the boundary's shape (hex digits as H) instead of its unique value. */
function preparedContentType(value: string): string {
  let boundary: string | null = null;
  let prepared = value.replace(/boundary=["'](.*?)["']/gi, (_all, inner: string) => {
    boundary ??= inner;
    return ' ';
  });
  if (boundary !== null)
    prepared += (boundary as string).replace(/[a-fA-F0-9]/g, 'H').replace(/([-_.=]+)/g, ' $1 ');
  return prepared.replace(/\b(?:text|charset)\b/g, ' ');
}

/**
 * A Message-ID split where its generator's fields meet (Outlook Express's, Exim's and sendmail's
 * unique parts dropped), so that the generator and the host become tokens of their own.
 */
function preparedMessageId(value: string): string {
  return value
    .replace(
      /<([0-9a-f]{4})[0-9a-f]{4}[0-9a-f]{4}\$([0-9a-f]{4})[0-9a-f]{4}\$([0-9a-f]{8})@(\S+)>/g,
      ' OEA$1 OEB$2 OEC$3 $4 ',
    )
    .replace(/<[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]@/, '')
    .replace(/<20\d\d[01]\d[0123]\d[012]\d[012345]\d[012345]\d\.[A-F0-9]{10,12}@/g, '')
    .replace(/[^_A-Za-z0-9]/g, ' ');
}
