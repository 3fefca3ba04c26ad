/**
 * A text part's NO-BREAK SPACEs made ordinary spaces, so that the body's whitespace squeezing
 * treats them as the space they show as (SpamAssassin's `\s` on decoded characters does). The
 * text is UTF-8 octets (charset-normalize.ts), where the character is C2 A0; a lone A0 is the
 * last byte of another character ("à" is C3 A0, "你" E4 BD A0) and is left alone.
 */
export function noBreakSpacesToSpaces(text: string): string {
  return text.includes('\xc2\xa0') ? text.replaceAll('\xc2\xa0', ' ') : text;
}
