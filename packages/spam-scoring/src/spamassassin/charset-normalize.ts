import { decodeCharset, isValidUtf8 } from '@mailyard/mime';
import { bytesToBinaryString, textToBinaryString } from './binary-string.js';

/**
 * Charsets whose 7-bit text SpamAssassin leaves as it is (Node.pm's `_normalize`): ASCII and
 * the ASCII supersets. A 7-bit charset outside this list (ISO-2022-JP, UTF-7...) is decoded.
 */
const ASCII_COMPATIBLE =
  /^(?:(?:us-)?ascii|ansi[_ ]?x3\.4-(?:1986|1968)|iso646-us|iso[ -]?8859(?:-\d{1,2})?|windows-\d{4}|utf-?8|(?:koi8|euc)-[a-z]{1,2}|big5|gbk|gb[ -]?18030(?:-20\d\d)?)$/i;

/** Latin-1 is read as its superset Windows-1252, as SpamAssassin and mail readers read it. */
const WINDOWS_1252 = /^(?:iso-?8859-1|windows-1252|cp1252)$/i;

/**
 * A text part's octets (transfer encoding already undone) as the body rules, the HTML parser and
 * Bayes see them in SpamAssassin 4, whose `normalize_charset` is on by default: decoded from the
 * part's charset and given as UTF-8 octets (a binary string, see binary-string.ts). As in
 * `_normalize`: 7-bit text in an ASCII-compatible charset, and 8-bit text that is valid UTF-8
 * whatever the label says, stay as they are; the rest is decoded from the declared charset,
 * Windows-1252 when none is declared or known (Debian's SpamAssassin has no charset detector).
 * Without this, the raw octets of ISO-2022-JP text (`ESC $ B`...) or Latin-1 letters reached
 * the rules where SpamAssassin's see UTF-8.
 */
export function normalizedText(octets: Uint8Array, charset: string | null): string {
  const declared = (charset ?? 'us-ascii').trim();
  const eightBit = octets.some((octet) => octet >= 0x80);
  if (!eightBit && ASCII_COMPATIBLE.test(declared)) return bytesToBinaryString(octets);
  if (eightBit && isValidUtf8(octets)) return bytesToBinaryString(octets);
  const label = WINDOWS_1252.test(declared) ? 'windows-1252' : declared;
  return textToBinaryString(decodeCharset(octets, label));
}
