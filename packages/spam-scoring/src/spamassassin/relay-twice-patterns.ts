/**
 * DOS_RCVD_IP_TWICE_C and __FORGED_RELAY_MUA_TO_MX (72_active.cf): the first two external
 * relays (X-Spam-Relays-External) have the same IP address, which is not 127.x. A
 * backreference after a lookahead, which RE2 cannot run; matched by hand in linear time, keyed
 * by the exact Perl source for HAND_WRITTEN_PATTERNS and checked against Perl in
 * test/relay-twice-patterns.test.ts.
 *
 * Both begin `\[ ip=(?!127)([\d.]+) ` at the text's start: the digits and dots run to a space,
 * so the group is that whole run (a shorter one would be followed by a digit or a dot). Both
 * then reach the second relay by `[^\[]*\[`, which cannot step over a `[`: it is the first `[`
 * after the address, and must open `[ ip=<the same run> `. What each asks around that is read
 * with a few searches that never go back, so the time is linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

/** Perl's `\s` on octets. */
const isSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isDigitOrDot = (c: string) => c === '.' || (c >= '0' && c <= '9');
/** Perl's `\w` on octets (ASCII: the native rules of a string that is not UTF-8). */
const isWord = (c: string | undefined) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);

/** The first relay's address run after `[ ip=` at `at` (not 127...), and where its space ends. */
function firstAddress(text: string, at: number): { ip: string; end: number } | null {
  if (!text.startsWith('[ ip=', at)) return null;
  let end = at + 5;
  while (end < text.length && isDigitOrDot(text[end]!)) end++;
  if (end === at + 5 || text[end] !== ' ') return null;
  const ip = text.slice(at + 5, end);
  return ip.startsWith('127') ? null : { ip, end: end + 1 };
}

/** `helo=(?:![\d.]{7,15}!)? ` at `at`: where it ends, or -1. */
function ipOrEmptyHeloEnd(text: string, at: number): number {
  if (!text.startsWith('helo=', at)) return -1;
  let next = at + 5;
  if (text[next] === ' ') return next + 1;
  if (text[next] !== '!') return -1;
  let run = next + 1;
  while (run < text.length && run - next - 1 < 15 && isDigitOrDot(text[run]!)) run++;
  const length = run - next - 1;
  if (length < 7 || text[run] !== '!' || text[run + 1] !== ' ') return -1;
  next = run + 2;
  return next;
}

/**
 * DOS_RCVD_IP_TWICE_C: `^\s*\[ ip=(?!127)([\d.]+) [^\[]*\bhelo=(?:![\d.]{7,15}!)? [^\[]*` then
 * `\[ ip=\1 [^\]]*\]\s*$`: the first relay's HELO empty or an IP literal (`helo=` after a
 * non-word character, within the first relay), the second relay the same address, and after
 * its first `]` only white space.
 */
const dosRcvdIpTwice: HandWrittenPattern = (text: string) => {
  let start = 0;
  while (isSpace(text[start])) start++;
  const first = firstAddress(text, start);
  if (first === null) return false;
  const second = text.indexOf('[', first.end);
  if (second < 0) return false;
  // The HELO's own `helo=` may start right after the address's space.
  let helo = false;
  for (let at = text.indexOf('helo=', first.end); at >= 0 && at < second;) {
    const end = isWord(text[at - 1]) ? -1 : ipOrEmptyHeloEnd(text, at);
    // Its closing space must lie before the second relay (`[^\[]*` then reaches it).
    if (end >= 0 && end <= second) {
      helo = true;
      break;
    }
    at = text.indexOf('helo=', at + 1);
  }
  if (!helo || !text.startsWith(`[ ip=${first.ip} `, second)) return false;
  const close = text.indexOf(']', second + first.ip.length + 6);
  if (close < 0) return false;
  for (let at = close + 1; at < text.length; at++) if (!isSpace(text[at])) return false;
  return true;
};

/** `(?:10|127|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168)\.`: a private or local address. */
const PRIVATE_START = /^(?:10|127|169\.254|172\.(?:1[6-9]|2[0-9]|3[01])|192\.168)\./;

/**
 * __FORGED_RELAY_MUA_TO_MX: `^\[ ip=(?!127)([\d.]+) [^\[]*\[ ip=\1 ` then
 * `[^\[]+ helo=(!(?!<private>\.)| )[^\[]+$`: the second relay is the same address and the last
 * one (no `[` after it), and its ` helo=` (not its first character) is empty or an IP literal
 * not private, with at least one character after that.
 */
const forgedRelayMuaToMx: HandWrittenPattern = (text: string) => {
  const first = firstAddress(text, 0);
  if (first === null) return false;
  const second = text.indexOf('[', first.end);
  if (second < 0 || !text.startsWith(`[ ip=${first.ip} `, second)) return false;
  const rest = second + first.ip.length + 6;
  if (text.indexOf('[', rest) >= 0) return false;
  for (let at = text.indexOf(' helo=', rest + 1); at >= 0; at = text.indexOf(' helo=', at + 1)) {
    const mark = at + 6;
    // `[^\[]+$` after it: one character at least (the end, or before a final newline, follows).
    if (mark + 1 >= text.length) return false;
    if (text[mark] === ' ') return true;
    if (text[mark] === '!' && !PRIVATE_START.test(text.slice(mark + 1, mark + 13))) return true;
  }
  return false;
};

/** The rules' Perl sources (no flags), each with its matcher. */
export const RELAY_TWICE_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    // DOS_RCVD_IP_TWICE_C
    '^\\s*\\[ ip=(?!127)([\\d.]+) [^\\[]*\\bhelo=(?:![\\d.]{7,15}!)? [^\\[]*\\[ ip=\\1 [^\\]]*\\]\\s*$',
    dosRcvdIpTwice,
  ],
  [
    // __FORGED_RELAY_MUA_TO_MX
    '^\\[ ip=(?!127)([\\d.]+) [^\\[]*\\[ ip=\\1 [^\\[]+ helo=(!(?!(?:10|127|169\\.254|172\\.(?:1[6-9]|2[0-9]|3[01])|192\\.168)\\.)| )[^\\[]+$',
    forgedRelayMuaToMx,
  ],
];
