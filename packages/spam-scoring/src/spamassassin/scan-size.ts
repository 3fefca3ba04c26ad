/**
 * SpamAssassin's per-part scan sizes (`body_part_scan_size`, `rawbody_part_scan_size`, admin
 * settings of Conf.pm with these defaults; Debian's files do not change them): body rules see
 * each text part's rendered text only up to about 50,000 octets, rawbody rules each decoded part
 * up to about 500,000. Without the cut a pattern fires where spamd's never looks (a "$700
 * million" 58 KB into a list digest), and every pattern reads text spamd skips.
 */
export const BODY_PART_SCAN_SIZE = 50_000;
export const RAWBODY_PART_SCAN_SIZE = 500_000;

/** Where body text may be cut: a line end, else a space. */
export const BODY_BREAKS = ['\n', ' '] as const;
/** Where decoded raw text may be cut: a line end, else the end of a tag, else a space. */
export const RAWBODY_BREAKS = ['\n', '>', ' '] as const;

/**
 * A part's text cut as Message.pm cuts it: unchanged up to `size`; else after the first break
 * (tried in order) at or past `size` and within 1,024 octets of it, else at `size` exactly.
 */
export function truncateForScan(text: string, size: number, breaks: readonly string[]): string {
  if (size <= 0 || text.length <= size) return text;
  for (const mark of breaks) {
    const at = text.indexOf(mark, size);
    if (at >= 0 && at - size <= 1024) return text.slice(0, at + 1);
  }
  return text.slice(0, size);
}

/**
 * truncateForScan for a part's rendered text in UTF-8, counting characters as Perl counts the
 * decoded string Message.pm cuts (octets here): `size` characters, then a break within 1,024
 * characters. The text's octets in the Latin-1 range stand for one octet there too, which is
 * one character here as well (message-view.ts's latin1Octets).
 */
export function truncateUtf8ForScan(text: string, size: number, breaks: readonly string[]): string {
  if (size <= 0 || text.length <= size) return text;
  const isStart = (at: number) => (text.charCodeAt(at) & 0xc0) !== 0x80;
  // The octet where character number `size` starts, if there is one.
  let at = 0;
  for (let count = 0; at < text.length; at++) if (isStart(at) && count++ === size) break;
  if (at >= text.length) return text;
  for (const mark of breaks) {
    const found = text.indexOf(mark, at);
    if (found < 0 || found - at > 4 * 1024) continue;
    let characters = 0;
    for (let i = at; i < found; i++) if (isStart(i)) characters++;
    if (characters <= 1024) return text.slice(0, found + 1);
  }
  return text.slice(0, at);
}

/** Message.pm's MAX_BODY_LINE_LENGTH: the size rawbody rules' pieces start from. */
export const RAWBODY_PIECE_LENGTH = 2048;

/**
 * A decoded part as rawbody rules see it (Message.pm's split_into_array_of_short_paragraphs):
 * whole up to 2,048 octets, else in pieces of 2,048 to 4,096, each ending at the first line end
 * at or past 2,048 octets into it, else the first `>`, else the first space, else just past
 * 2,048. Not line by line: a pattern may span lines (`<\/html>\s*[a-z0-9]` across `\r\n`).
 * Each break is looked for only within the piece's 4,096 octets, so the cut is linear.
 */
export function rawBodyPieces(text: string): string[] {
  const max = RAWBODY_PIECE_LENGTH;
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let offset = 0;
  const breakIn = (mark: string) => {
    const window = text.slice(offset + max, offset + 2 * max);
    const at = window.indexOf(mark);
    return at < 0 ? -1 : offset + max + at;
  };
  while (text.length - offset > 2 * max) {
    let end = breakIn('\n');
    if (end < 0) end = breakIn('>');
    if (end < 0) end = breakIn(' ');
    if (end < 0) end = offset + max;
    pieces.push(text.slice(offset, end + 1));
    offset = end + 1;
  }
  if (offset < text.length) pieces.push(text.slice(offset));
  return pieces;
}
