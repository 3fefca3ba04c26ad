/**
 * One line of text to Bayes tokens, after SpamAssassin's tokenizer (Plugin/Bayes.pm,
 * `_tokenize_line`). The text is a binary string (one character per octet, see
 * ../spamassassin/binary-string.ts), so UTF-8 sequences are matched octet by octet.
 */
import type { BayesStopwords } from './bayes-stopwords.js';
import { OCTET_SPACES } from './octet-space.js';

/** Where a line comes from: the tokens a region gets differ. */
export type TokenRegion = 'header' | 'body' | 'uri';

/** Longer tokens are cut to a skip token (`sk:` and their first 7 characters). */
export const MAX_TOKEN_LENGTH = 15;

/**
 * What a token may be made of: ASCII letters and digits with the punctuation that carries meaning
 * in spam ("$31,000,000", "f*ck", "Hits!", "www.clock-speed.net"), whole UTF-8 sequences, and
 * Latin-1 letters. Everything else separates tokens.
 */
const KEPT =
  /([A-Za-z0-9,@*!_'"$. -]+|[\xC0-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}|[\xA1-\xFF])|[\s\S]/g;
/** A sentence's first word in Title Case: lower-cased, as capitals there say nothing. */
const SENTENCE_START = /(?:^|\.[ \t\n\r\f\v]+)([A-Z])([^A-Z]+)(?:[ \t\n\r\f\v]|$)/g;
/** The first seven characters (a UTF-8 sequence counts as one) of a token with two more octets. */
const SKIP_PREFIX =
  /^((?:[\x00-\x7F\xF5-\xFF]|[\xC0-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}|[\s\S]){7})[\s\S]{2,}$/;
const MULTI_OCTET_UTF8 = /(?:[\xE0-\xEF]|[\xF0-\xF4][\x80-\xBF])[\x80-\xBF]{2}/g;
const NOT_WORD = /[^A-Za-z0-9_:*]/g;

/** Lower case for ASCII only: toLowerCase would change Latin-1 octets inside UTF-8 sequences. */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/**
 * The tokens of one line, each with `prefix` in front (except the address and domain tokens
 * broken out of the body, which are the same wherever they appear). Not unique: the caller keeps
 * each token once. A word `stopwords` names gives no token at all, in every region; it is asked
 * after trimming and the length check and before anything is broken out, as Bayes.pm asks, so
 * `You` is skipped whole while `you!` still gives `you`.
 */
export function lineTokens(
  line: string,
  prefix: string,
  region: TokenRegion,
  stopwords: BayesStopwords | null = null,
): string[] {
  let text = line.replace(KEPT, (_all, kept: string | undefined) => kept ?? ' ');
  // "..." and "--" inside words are formatting, not part of the words; kept as tokens of their own.
  text = text
    .replace(/([A-Za-z0-9_])(\.{3,6})(?=[A-Za-z0-9_])/g, '$1 $2 ')
    .replace(/([A-Za-z0-9_])(-{2,6})(?=[A-Za-z0-9_])/g, '$1 $2 ');
  const inBody = region !== 'header';
  if (inBody)
    text = text.replace(
      SENTENCE_START,
      (_all, first: string, rest: string) => ` ${first.toLowerCase()}${rest} `,
    );
  const out: string[] = [];
  for (const raw of text.split(OCTET_SPACES)) {
    const token = raw.replace(/^[-'".,]+/, '').replace(/[-'".,]+$/, '');
    if (token.length < 3) continue;
    if (stopwords?.(token)) continue;
    if (inBody) {
      // An address or a domain name in the text: the same tokens as in the headers and URIs.
      if (/.@./.test(token)) out.push(...mailAddressTokens(token));
      else if (/.\.[a-z]/i.test(token)) out.push(...domainTokens(token, 'UD:'));
    }
    let kept = token;
    // A '*' marks a composed token (such as D*example.net) that must stay whole.
    if (token.length > MAX_TOKEN_LENGTH && !token.includes('*')) {
      if (/[\x80-\xBF]{2}/.test(token)) {
        // A long run of non-ASCII text (no spaces between words, as in Chinese): its characters.
        const characters = token.match(MULTI_OCTET_UTF8);
        if (characters) {
          for (const character of characters) out.push(`${prefix}u8:${character}`);
          continue;
        }
      }
      // URIs keep their long tokens: a long path or query is one campaign's.
      if (region !== 'uri') kept = token.replace(SKIP_PREFIX, 'sk:$1');
    }
    if (inBody) {
      // The token without punctuation and in lower case as well: "Free!!" also counts as "free".
      // A word of punctuation alone ("!!!") has nothing left: no empty token (Bayes.pm drops it).
      const punctuated = /[^A-Za-z0-9_:*]/.test(kept);
      const bare = kept.replace(NOT_WORD, '');
      if (punctuated && prefix + bare !== '') out.push(prefix + bare);
      if (/[A-Z]/.test(kept)) {
        const lower = asciiLowerCase(kept);
        out.push(prefix + lower);
        if (punctuated) out.push(prefix + lower.replace(NOT_WORD, ''));
      }
    }
    out.push(prefix + kept);
  }
  return out;
}

/** `U*local` and `D*domain` with each parent domain, for an address `local@domain`. */
export function mailAddressTokens(address: string): string[] {
  const match = /^([\s\S]+)@([\s\S]+)$/.exec(address);
  if (!match) return [];
  return [`U*${match[1]}`, ...domainTokens(match[2]!, 'D*')];
}

/** The domain and each of its parents (`a.b.c`, `b.c`, `c`), each with the given prefix. */
function domainTokens(domain: string, prefix: string): string[] {
  const out = [prefix + domain];
  let rest = domain;
  for (let dot = rest.indexOf('.'); dot > 0 && dot < rest.length - 1; dot = rest.indexOf('.')) {
    rest = rest.slice(dot + 1);
    out.push(prefix + rest);
  }
  return out;
}
