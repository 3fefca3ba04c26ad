import { canonicalCharset, decodeCharset, isValidUtf8 } from '@mailyard/mime';
import type { MimePart } from '@mailyard/mime';

const NBSP_BYTE = Uint8Array.of(0xa0);

/**
 * A text part's NO-BREAK SPACEs made ordinary spaces, so that the body's whitespace squeezing
 * treats them as the space they show as. The text is octets in the part's charset (see
 * binary-string.ts), and the octet 0xA0 is a NO-BREAK SPACE only in some charsets: in UTF-8 the
 * character is C2 A0, and a lone A0 is the last byte of another character ("à" is C3 A0, "你"
 * E4 BD A0); in a single-byte charset where A0 decodes to U+00A0 (Latin-1, Windows-1252...) it
 * is the character itself; elsewhere (KOI8-R's box drawing, the East Asian double-byte sets) it
 * is something else and is left alone.
 */
export function noBreakSpacesToSpaces(text: string, part: MimePart): string {
  if (!text.includes('\xa0')) return text;
  const charset =
    part.contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ?? null;
  if (readsAsUtf8(text, charset)) return text.replaceAll('\xc2\xa0', ' ');
  // A single-byte charset maps A0 on its own; decodeCharset has the same fallback for
  // undeclared 8-bit text that is not UTF-8 (Windows-1252), so both agree on what A0 is.
  return decodeCharset(NBSP_BYTE, charset) === '\u00a0' ? text.replaceAll('\xa0', ' ') : text;
}

/**
 * Whether the part's octets are read as UTF-8, as decodeCharset reads them: declared UTF-8 or
 * ASCII, or undeclared or unknown, and valid UTF-8.
 */
function readsAsUtf8(text: string, charset: string | null): boolean {
  const name = charset === null ? null : canonicalCharset(charset);
  if (name !== null && name !== 'utf-8') return false;
  return isValidUtf8(Uint8Array.from(text, (c) => c.charCodeAt(0)));
}
