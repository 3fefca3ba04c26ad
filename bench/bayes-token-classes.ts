/** How the Bayes token benches print and count tokens (spam-bayes-token-diff.ts, spam-charset-parity.ts). */
import { join } from 'node:path';

/**
 * The Perl script that prints SpamAssassin's own Bayes tokens of each message file it is given
 * (`FILE<TAB>tok tok ...`); the tokenizer's tests ask SpamAssassin with it too.
 */
export const SA_BAYES_TOKENS_SCRIPT = join(
  import.meta.dirname,
  '..',
  'packages/spam-scoring/test/fixtures/sa-bayes-tokens.pl',
);

/** A token as sa-bayes-tokens.pl prints it: octets outside 0x21-0x7E, and `\`, as \xHH. */
export function printableToken(token: string): string {
  return token.replace(
    /[^\x21-\x5b\x5d-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** The class a token is counted in. */
export function tokenClass(token: string): string {
  const header = /^(H[^:]*:)(ip\*|sk:|D\*|U\*|N\*|u8:)?/.exec(token);
  if (header) return header[1]! + (header[2] ?? '');
  const prefix = /^(UD:|D\*|U\*|MIME\*part:|MIME\*:|MIME:|sk:|u8:|I\*:)/.exec(token);
  if (prefix) return prefix[1]!;
  if (/^[^A-Za-z]*$/.test(token)) return 'word (no letter)';
  if (/[\x80-\xff]|\\x[89a-f]/.test(token)) return 'word (8-bit)';
  return 'word';
}
