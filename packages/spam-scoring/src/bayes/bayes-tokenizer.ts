import type { SaMessageView } from '../spamassassin/message-view.js';
import { NO_REGISTRY, type RegistryLists } from '../spamassassin/registry-boundaries.js';
import { headerTokens } from './bayes-header-tokens.js';
import { lineTokens } from './bayes-line-tokens.js';
import { mimeTokens } from './bayes-mime-tokens.js';
import { type BayesStopwords, DEFAULT_BAYES_STOPWORDS } from './bayes-stopwords.js';

/**
 * The tokenizer's version, written with a Bayes database: counts learned by another tokenizer
 * match almost none of this one's tokens, so a database of another version is refused rather
 * than read (BayesFilter.status). 1: the tokenizer before SpamAssassin's (databases written
 * without a version are that); 2: SpamAssassin's (Plugin/Bayes.pm), the octet A0 no space in
 * UTF-8; 3: the body decoded from its charset to UTF-8, as SpamAssassin 4 reads it (Latin-1,
 * ISO-2022-JP... text gave other tokens before); 4: SpamAssassin 4's stopwords (bayes-stopwords.ts:
 * `you`, `email`, `http`... are no tokens); 5: closer to SpamAssassin's own tokens (issue 15's
 * round 10, one bump for all its changes: the relay pseudo-headers' names in lower case, no
 * empty token, ...; docs/spam-scoring.md); 6: a body whose declared charset does not decode it
 * (Big5 labelled GB2312...) read as Windows-1252, as SpamAssassin does, not leniently in the
 * wrong charset (issue 15, charset parity; one bump for all of it); 7: the body's lines as
 * Message.pm makes them (one keeps the space it starts with, so its first word in Title Case
 * is not lowered; long lines cut at a space), an iframe's or textarea's content read as text,
 * and a bare link name's `www.NAME.com` guess among the URIs; 8: the URIs of the text found as
 * SpamAssassin finds them (text-uri-scanner.ts: bare host names under a listed TLD, an address
 * inside a link not found again, a text URI kept only under a listed TLD, the rule files'
 * redirector patterns followed), the body's octets as
 * SpamAssassin's (an HTML entity under U+0100 one octet in a body kept as octets, `&#149;` no
 * Windows-1252 bullet, Unicode white space a space, a long part cut by characters), the
 * relays' ident and authentication as Received.pm reads them; 9: the later Received hops
 * (`H*rl:`) no longer read, as Bayes.pm does not read them. Raise it with every change that
 * changes the tokens of ordinary mail.
 */
export const BAYES_TOKENIZER_VERSION = 9;

/** At most this many distinct tokens are taken from one message: a huge message cannot flood the store. */
export const MAX_TOKENS_PER_MESSAGE = 10_000;

/**
 * The tokens the Bayes filter learns and weighs, each once per message, after SpamAssassin's
 * tokenizer (Plugin/Bayes.pm): the words of the header (headerTokens), the rendered body with
 * the Subject as its first line, and the URIs found in it (lineTokens). Invisible HTML text
 * (white on white, a font of size 1) gives words like the rest, where Bayes.pm makes `I*:`
 * tokens of it: measured on the training sets, its own tokens missed more spam
 * (docs/spam-scoring.md, "Bayes"). The header's tokens come
 * first, so that a huge body cannot crowd them out of the per-message limit. Words `stopwords`
 * names (SpamAssassin's English list by default; null: none) give no token; nor do the headers
 * `ignoredHeaders` names (lower case; the rule files' `bayes_ignore_header`, none by default).
 * Which bare names and addresses of the text are URIs depends on the TLDs `registry` lists
 * (the rule files' `util_rb_tld`...; none by default, as SpamAssassin without rule files).
 */
export function bayesTokens(
  view: SaMessageView,
  stopwords: BayesStopwords | null = DEFAULT_BAYES_STOPWORDS,
  ignoredHeaders?: ReadonlySet<string>,
  registry: RegistryLists = NO_REGISTRY,
): string[] {
  const tokens = new Set<string>();
  const addAll = (list: readonly string[]) => {
    for (const token of list) {
      if (tokens.size >= MAX_TOKENS_PER_MESSAGE) return;
      tokens.add(token);
    }
  };
  addAll(headerTokens(view, stopwords, ignoredHeaders));
  addAll(mimeTokens(view));
  for (const line of view.body()) {
    if (tokens.size >= MAX_TOKENS_PER_MESSAGE) break;
    addAll(lineTokens(line, '', 'body', stopwords));
  }
  for (const uri of view.uris(registry)) {
    if (tokens.size >= MAX_TOKENS_PER_MESSAGE) break;
    addAll(lineTokens(uri, '', 'uri', stopwords));
  }
  return [...tokens];
}
