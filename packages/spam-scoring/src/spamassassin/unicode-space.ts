/**
 * The UTF-8 spellings of the characters Perl's `\s` matches in a decoded string beyond ASCII's
 * white space: NEXT LINE (U+0085), NO-BREAK SPACE (U+00A0), OGHAM SPACE MARK (U+1680), the
 * spaces U+2000 to U+200A, LINE and PARAGRAPH SEPARATOR (U+2028, U+2029), NARROW NO-BREAK SPACE
 * (U+202F), MEDIUM MATHEMATICAL SPACE (U+205F) and IDEOGRAPHIC SPACE (U+3000, common in Chinese
 * and Japanese text). Each starts with a lead octet (C2, E1, E2, E3), never a continuation, so
 * a match is always a whole character ("à" is C3 A0: its A0 is not matched).
 */
const UNICODE_SPACE =
  /\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80/g;

/**
 * A text part's Unicode white space made ordinary spaces, so that the body's whitespace
 * squeezing treats it as SpamAssassin's does: Message.pm squeezes `\s+` in the decoded text,
 * where `\s` matches these characters too. The text is UTF-8 octets (charset-normalize.ts).
 */
export function unicodeSpacesToSpaces(text: string): string {
  return /[\xc2\xe1\xe2\xe3]/.test(text) ? text.replace(UNICODE_SPACE, ' ') : text;
}
