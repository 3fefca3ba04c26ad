import type { SaMessageView } from '../spamassassin/message-view.js';

/** At most this many distinct tokens are taken from one message: a huge message cannot flood the store. */
export const MAX_TOKENS_PER_MESSAGE = 10_000;
const MAX_TOKEN_LENGTH = 15;
/** Headers a spam filter, a virus scanner or a mailbox program adds: they say nothing of the sender. */
const IGNORED_HEADERS =
  /^(?:x-spam-.*|x-bogosity|x-virus.*|x-antivirus.*|x-uid|x-keywords|x-status|status|lines|content-length|delivered-to|x-original-to|return-path|date)$/;

/** Received-line words that are times, dates, zones or queue ids rather than names. */
const RECEIVED_NOISE =
  /^(?:\d{1,2}:\d\d(?::\d\d)?|\d{4}|[-+]\d{4}|mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|[a-z]{1,2}[sd]t|gmt|utc|ist|bst|cet|cest|jst|kst|(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{8,})$/;

/**
 * The tokens the Bayes filter learns and weighs, each once per message, after SpamAssassin's
 * tokenizer in spirit: words of the rendered body (lower case, 3 to 15 octets; longer ones as a
 * `sk:` skip token of their first 7), Subject words (`S:`), the hosts of URIs (`U:`), and a few
 * headers whose values say much about the sender (`H<name>:`).
 */
export function bayesTokens(view: SaMessageView): string[] {
  const tokens = new Set<string>();
  const add = (token: string) => {
    if (tokens.size < MAX_TOKENS_PER_MESSAGE) tokens.add(token);
  };
  const [subject = '', ...paragraphs] = view.body();
  for (const word of words(subject)) add(`S:${word}`);
  for (const paragraph of paragraphs) for (const word of words(paragraph)) add(word);
  for (const uri of view.uris()) {
    const host = /^(?:[a-z][\w+.-]*:\/\/)?([^/?#:\s]+)/i.exec(uri)?.[1]?.toLowerCase();
    if (!host) continue;
    const labels = host.split('.');
    for (let i = Math.max(0, labels.length - 4); i < labels.length - 1; i++)
      add(`U:${labels.slice(i).join('.')}`);
  }
  for (const name of ['From', 'Reply-To', 'To']) {
    const address = view.header(name, 'addr');
    if (!address) continue;
    const lower = address.toLowerCase();
    add(`H${name}:${lower}`);
    const at = lower.lastIndexOf('@');
    if (at >= 0) add(`H${name}:@${lower.slice(at + 1)}`);
  }
  for (const name of ['X-Mailer', 'User-Agent', 'Content-Type', 'Precedence', 'List-Id']) {
    const value = view.header(name, null);
    if (value) add(`H${name}:${value.trim().toLowerCase().replace(/\s+/g, ' ').slice(0, 40)}`);
  }
  // Every other header's words too, as SpamAssassin's tokenizer reads the header (Received lines
  // name the relays a campaign uses), less the ones a filter or a mailbox program writes.
  for (const line of (view.header('ALL', null) ?? '').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (IGNORED_HEADERS.test(name)) continue;
    for (const word of line
      .slice(colon + 1)
      .toLowerCase()
      .split(/[\s,;"'()<>[\]=]+/)) {
      if (word.length < 3 || word.length > MAX_TOKEN_LENGTH * 2) continue;
      // When a relay handled the message (times, dates, zones, queue ids) says when the corpus
      // was collected, not who sent it: such tokens learn the calendar, not spam.
      if (name === 'received' && RECEIVED_NOISE.test(word)) continue;
      add(`H*${name}:${word}`);
    }
  }
  const messageId = view.header('Message-ID', null);
  const idDomain = messageId && /@([^>\s]+)/.exec(messageId)?.[1];
  if (idDomain) add(`HMessage-ID:@${idDomain.toLowerCase()}`);
  return [...tokens];
}

function* words(text: string): Generator<string> {
  for (const raw of text.split(/[\s,;:"(){}[\]<>|=\\/*^`~#]+/)) {
    const word = raw.replace(/^[.!?'_+-]+|[.!?'_+-]+$/g, '');
    if (word.length < 3) continue;
    // Title case says nothing (a sentence starts with one); all caps does.
    const token = word === word.toUpperCase() ? word : word.toLowerCase();
    yield token.length > MAX_TOKEN_LENGTH ? `sk:${token.slice(0, 7)}` : token;
  }
}
