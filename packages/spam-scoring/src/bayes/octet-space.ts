/**
 * Whitespace in a binary string (one character per octet, see
 * ../spamassassin/binary-string.ts), as Perl's `\s` on octets: ASCII's alone. JavaScript's `\s`
 * and `trim()` also take U+00A0, which in a binary string is the octet A0, the last octet of
 * "à" (C3 A0) and of many CJK characters in UTF-8; a real no-break space is a space already
 * (the message view makes it one, by the part's charset).
 */
export const OCTET_SPACES = /[ \t\n\r\f\v]+/;

/** The text without ASCII whitespace at either end. */
export function trimOctets(text: string): string {
  return text.replace(/^[ \t\n\r\f\v]+|[ \t\n\r\f\v]+$/g, '');
}
