/**
 * SpamAssassin matches its rules against octets, not characters (its rules spell UTF-8
 * sequences byte by byte, `[\xc3][\xa0-\xa5]`), so text is handed to the rules as a "binary
 * string": one JavaScript character per byte, U+0000-U+00FF.
 */
export function bytesToBinaryString(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192)
    out += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  return out;
}

const encoder = new TextEncoder();

/** Text (decoded header values, HTML entities) as its UTF-8 octets in a binary string. */
export function textToBinaryString(text: string): string {
  // Plain ASCII and Latin-1 strings made by bytesToBinaryString come back unchanged only when
  // they are ASCII; anything wider is written out as UTF-8, as Perl would hold it.
  return /^[\x00-\x7f]*$/.test(text) ? text : bytesToBinaryString(encoder.encode(text));
}
