import iconv from 'iconv-lite';
import libmime from 'libmime';

/**
 * The charset assumed for 8-bit bytes that are neither declared nor valid UTF-8. Mail in the wild
 * that carries undeclared 8-bit text is overwhelmingly Windows-1252 (a superset of Latin-1), and
 * every byte value decodes to something in it, so the fallback never loses data.
 */
export const FALLBACK_CHARSET = 'windows-1252';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/** True when every byte is below 0x80: such text decodes the same in every ASCII-based charset. */
export function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0x80) return false;
  }
  return true;
}

/** True when the bytes are well-formed UTF-8 (no overlongs, no surrogates, nothing truncated). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  if (isAscii(bytes)) return true;
  try {
    utf8Strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Canonical name for a charset label as found in mail (`latin1`, `win-1252`, `UTF8`, `ks_c_5601-1987`
 * ...), or `null` when no decoder knows it. `us-ascii` canonicalises to `utf-8`: 8-bit text labelled
 * ASCII is nearly always UTF-8 from a client that did not bother to say so. UTF-7 is refused on
 * purpose: it smuggles markup (`+ADw-script+AD4-`) past filters that look at the decoded text.
 */
export function canonicalCharset(label: string): string | null {
  const trimmed = label.trim().toLowerCase();
  if (/^(?:us-?ascii|ascii|ansi_x3\.4-1968|utf-?8)$/.test(trimmed)) return 'utf-8';
  if (/utf-?7/.test(trimmed)) return null;
  const name = libmime.normalizeCharset(trimmed).toLowerCase();
  if (name === 'utf-8') return name;
  if (iconv.encodingExists(name)) return name;
  // iconv-lite lacks the ISO-2022 family; Node's WHATWG TextDecoder (full ICU) has it.
  return textDecoderFor(name) ? name : null;
}

function textDecoderFor(label: string): InstanceType<typeof TextDecoder> | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/** Charsets that encode non-ASCII text in 7-bit bytes, so ASCII input still needs decoding. */
const SEVEN_BIT_CHARSET = /^(?:iso-?2022|hz)/;

/**
 * Decodes bytes in the given charset to a string, never throwing. An unknown or missing charset
 * is treated as UTF-8 when the bytes are valid UTF-8, and as {@link FALLBACK_CHARSET} otherwise,
 * which is what mail clients do with mislabelled text.
 */
export function decodeCharset(bytes: Uint8Array, charset?: string | null): string {
  const name = charset ? canonicalCharset(charset) : null;
  if (isAscii(bytes) && !(name && SEVEN_BIT_CHARSET.test(name))) return latin1String(bytes);
  if (name === null || name === 'utf-8') {
    return isValidUtf8(bytes)
      ? utf8Lenient.decode(bytes)
      : iconv.decode(toBuffer(bytes), FALLBACK_CHARSET);
  }
  if (iconv.encodingExists(name)) return iconv.decode(toBuffer(bytes), name);
  const decoder = textDecoderFor(name);
  if (!decoder) return iconv.decode(toBuffer(bytes), FALLBACK_CHARSET);
  return decoder.decode(/^iso-?2022-jp/.test(name) ? withoutIdleEscapes(bytes) : bytes);
}

/**
 * ISO-2022-JP's escape sequences (ESC ( B, ESC ( J, ESC ( I, ESC $ @, ESC $ B, ESC $ ( D).
 * An escape followed at once by another switches to a set it never uses: harmless to Perl's
 * Encode and to mail readers, but the WHATWG decoder answers U+FFFD for it. Adjacent RFC 2047
 * words joined (`...ESC ( B` + `ESC $ B...`) make one in every split Japanese Subject.
 */
const IDLE_ISO_2022_JP_ESCAPE = /\x1b(?:\([BJI]|\$[@B]|\$\(D)(?=\x1b(?:\([BJI]|\$[@B]|\$\(D))/g;

/** The octets without the escape sequences that another follows at once (one linear pass). */
function withoutIdleEscapes(bytes: Uint8Array): Uint8Array {
  const text = latin1String(bytes);
  if (!text.includes('\x1b')) return bytes;
  return Buffer.from(text.replace(IDLE_ISO_2022_JP_ESCAPE, ''), 'latin1');
}

/** Bytes below 0x80 map one-to-one to code points; this is the fast path for ASCII data. */
export function latin1String(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return toBuffer(bytes).toString('latin1', start, end);
}

/** A Buffer view of the same memory, without copying. */
export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
