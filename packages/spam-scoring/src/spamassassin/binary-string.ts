/**
 * SpamAssassin matches its rules against octets, not characters (its rules spell UTF-8
 * sequences byte by byte, `[\xc3][\xa0-\xa5]`), so text is handed to the rules as a "binary
 * string": one JavaScript character per byte, U+0000-U+00FF.
 */
export function bytesToBinaryString(bytes: Uint8Array): string {
  // Node's 'latin1' is ISO-8859-1, each octet its own code point, decoded natively (the
  // String.fromCharCode loop it replaces was a tenth of a message's parsing). Not TextDecoder:
  // its 'latin1' is windows-1252, which turns 0x80-0x9F into other characters.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const encoder = new TextEncoder();

/** Text (decoded header values, HTML entities) as its UTF-8 octets in a binary string. */
export function textToBinaryString(text: string): string {
  // Plain ASCII and Latin-1 strings made by bytesToBinaryString come back unchanged only when
  // they are ASCII; anything wider is written out as UTF-8, as Perl would hold it.
  return /^[\x00-\x7f]*$/.test(text) ? text : bytesToBinaryString(encoder.encode(text));
}
