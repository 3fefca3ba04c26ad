/**
 * Mail::SpamAssassin::Constants' IP_ADDRESS and LOCALHOST as JavaScript regex sources, for the
 * Received parser (received-relays.ts) and the forged-Received checks alike. Perl compiles
 * them caseless inside case-sensitive lines, so their letters are spelt in both cases here: they
 * read the same with or without the `i` flag.
 */
/** Perl's `[xX]` for each letter: Constants.pm's patterns are caseless, the lines around them not. */
const caseless = (text: string) =>
  text.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
const OCTET = String.raw`(?:1\d\d|2[0-4]\d|25[0-5]|[1-9]\d|\d)`;
const HEX = '[a-fA-F0-9]{1,4}';
const IPV6_PREFIX = `(?:${caseless('IPv6:')}|(?<![a-fA-F0-9:]))`;
/**
 * Constants.pm's IP_ADDRESS, alternative for alternative: an IPv4 address between word
 * boundaries, or an IPv6 one (IPv4-mapped, full, or with one `::`) not inside a longer run of
 * hex digits and colons.
 */
export const IP_ADDRESS = [
  String.raw`(?:\b(?<!:)${OCTET}(?:\.${OCTET}){3}\b|${IPV6_PREFIX}(?:(?:`,
  [
    `(?:${HEX}:){6}`,
    `::(?:${HEX}:){0,5}`,
    `(?:${HEX}:){1,5}:`,
    `${HEX}::(?:${HEX}:){1,4}`,
    `(?:${HEX}:){2}:(?:${HEX}:){1,3}`,
    `(?:${HEX}:){3}:(?:${HEX}:){1,2}`,
    `(?:${HEX}:){4}:${HEX}:`,
  ].join('|'),
  String.raw`)${OCTET}(?:\.${OCTET}){3}|`,
  [
    `(?:${HEX}:){7}${HEX}`,
    `:(?::${HEX}){1,7}`,
    `(?:${HEX}:){1,7}:`,
    `${HEX}:(?::${HEX}){1,6}`,
    `(?:${HEX}:){2}(?::${HEX}){1,5}`,
    `(?:${HEX}:){3}(?::${HEX}){1,4}`,
    `(?:${HEX}:){4}(?::${HEX}){1,3}`,
    `(?:${HEX}:){5}(?::${HEX}){1,2}`,
    `(?:${HEX}:){6}:${HEX}`,
    '::',
  ].join('|'),
  ')(?![a-fA-F0-9:]))',
].join('');
const ZERO = '0{1,4}';
const FFFF = caseless('ffff:');
/** Constants.pm's LOCALHOST: `localhost`, 127.0.0.1, or ::1 and 127.0.0.1 in IPv6's forms. */
export const LOCALHOST = [
  `(?:${caseless('localhost')}(?:\\.${caseless('localdomain')})?`,
  String.raw`|\b(?<!:)127\.0\.0\.1\b|${IPV6_PREFIX}(?:(?:`,
  [
    `(?:${ZERO}:){5}${FFFF}`,
    `::(?:${ZERO}:){0,4}${FFFF}`,
    `(?:${ZERO}:){1,4}:${FFFF}`,
    `${ZERO}::(?:${ZERO}:){1,3}${FFFF}`,
    `(?:${ZERO}:){2}:0{1,2}:${FFFF}`,
    `(?:${ZERO}:){3}:0:${FFFF}`,
    `(?:${ZERO}:){4}:${FFFF}`,
  ].join('|'),
  String.raw`)127\.0\.0\.1|`,
  [
    `(?:${ZERO}:){7}0{0,3}1`,
    `:(?::${ZERO}){0,6}:0{0,3}1`,
    `${ZERO}:(?::${ZERO}){0,5}:0{0,3}1`,
    `(?:${ZERO}:){2}(?::${ZERO}){0,4}:0{0,3}1`,
    `(?:${ZERO}:){3}(?::${ZERO}){0,3}:0{0,3}1`,
    `(?:${ZERO}:){4}(?::${ZERO}){0,2}:0{0,3}1`,
    `(?:${ZERO}:){5}(?::${ZERO}){0,1}:0{0,3}1`,
    `(?:${ZERO}:){6}:0{0,3}1`,
  ].join('|'),
  ')(?![a-fA-F0-9:]))',
].join('');
