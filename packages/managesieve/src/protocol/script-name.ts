const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A script name as RFC 5804 1.6 allows it, or null: UTF-8, not empty, at most `maxOctets`
 * octets, and none of the characters it forbids (controls U+0000-U+001F and U+007F-U+009F,
 * the line and paragraph separators U+2028 and U+2029).
 */
export function readScriptName(bytes: Uint8Array, maxOctets: number): string | null {
  if (bytes.length === 0 || bytes.length > maxOctets) return null;
  let name: string;
  try {
    name = utf8.decode(bytes);
  } catch {
    return null;
  }
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u.test(name) ? null : name;
}

/** A script's text, or null when it is not UTF-8 (RFC 5228 2.2: scripts are UTF-8). */
export function readScriptText(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
