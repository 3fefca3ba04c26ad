import { canonicalCharset, decodeCharset, isValidUtf8 } from '@mailyard/mime';
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
 * Charsets Perl's Encode reads as strict EUC (both octets of a pair in 0xA1-0xFE; EUC-JP also
 * 0x8E and 0x8F): `gb2312` is `euc-cn` there, not GBK. Our decoders read them as their Windows
 * supersets, which accept Big5's or Shift_JIS's trail octets 0x40-0x7E; so the structure is
 * checked first, as Encode's FB_CROAK would refuse such text.
 */
const STRICT_EUC = /^(?:gb_?2312(?:-80)?|(?:x-)?euc-?(?:cn|kr|jp))$/i;

function isEucShaped(octets: Uint8Array, japanese: boolean): boolean {
  for (let i = 0; i < octets.length; i++) {
    const octet = octets[i]!;
    if (octet < 0x80) continue;
    let trail = 1;
    if (japanese && octet === 0x8f) trail = 2;
    else if (!(octet >= 0xa1 && octet <= 0xfe) && !(japanese && octet === 0x8e)) return false;
    for (; trail > 0; trail--) {
      const next = octets[++i];
      if (next === undefined || next < 0xa1 || next > 0xfe) return false;
    }
  }
  return true;
}

/**
 * The text decoded from `label` as Encode's `decode($octets, FB_CROAK)` would, or null where
 * that croaks: an octet sequence the charset does not define (the decoders' U+FFFD, or one not
 * EUC-shaped for an EUC charset), or a charset no decoder knows.
 */
function strictlyDecoded(octets: Uint8Array, label: string): string | null {
  if (canonicalCharset(label) === null) return null;
  if (STRICT_EUC.test(label) && !isEucShaped(octets, /jp$/i.test(label))) return null;
  const text = decodeCharset(octets, label);
  return text.includes('\uFFFD') ? null : text;
}

/**
 * Whether SpamAssassin keeps a text part's octets as they are, not decoded to characters
 * (`_normalize` returns them untouched): 7-bit text in an ASCII-compatible charset, or in one
 * Perl's Encode does not know. What an HTML entity gives such a part is then one octet where
 * it is under U+0100 (message-view.ts).
 */
export function keptAsOctets(octets: Uint8Array, charset: string | null): boolean {
  const declared = (charset ?? 'us-ascii').trim();
  if (octets.some((octet) => octet >= 0x80)) return false;
  return ASCII_COMPATIBLE.test(declared) || canonicalCharset(declared) === null;
}

/**
 * A text part's octets (transfer encoding already undone) as the body rules, the HTML parser and
 * Bayes see them in SpamAssassin 4, whose `normalize_charset` is on by default: decoded from the
 * part's charset and given as UTF-8 octets (a binary string, see binary-string.ts). As in
 * `_normalize`: 7-bit text in an ASCII-compatible charset, and 8-bit text that is valid UTF-8
 * whatever the label says, stay as they are; the rest is decoded strictly from the declared
 * charset (US-ASCII is not tried), and where that fails (a wrong label: Big5 sent as GB2312,
 * Shift_JIS as EUC-JP) or no charset is declared or known, read as Windows-1252, as Debian's
 * SpamAssassin does without a charset detector. Reading a wrong label leniently instead made
 * CJK words and private-use characters where SpamAssassin's rules and Bayes see Latin-1 letters.
 */
export function normalizedText(octets: Uint8Array, charset: string | null): string {
  const declared = (charset ?? 'us-ascii').trim();
  if (keptAsOctets(octets, charset)) return bytesToBinaryString(octets);
  const eightBit = octets.some((octet) => octet >= 0x80);
  if (eightBit && isValidUtf8(octets)) return bytesToBinaryString(octets);
  const label = WINDOWS_1252.test(declared) ? 'windows-1252' : declared;
  const decoded =
    eightBit && /^(?:us-)?ascii$/i.test(declared) ? null : strictlyDecoded(octets, label);
  if (decoded !== null) return textToBinaryString(decoded);
  // Node.pm's two Windows-1252 readings (the guess over ASCII, NBSP, SHY, the Windows
  // punctuation and Latin-1's letters, then the last resort over anything) give the same text.
  return textToBinaryString(decodeCharset(octets, 'windows-1252'));
}
