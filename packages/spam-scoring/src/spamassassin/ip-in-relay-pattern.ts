/**
 * __IP_IN_RELAY (72_active.cf, read by NO_FM_NAME_IP_HOSTN): the first external relay's
 * reverse name or HELO spells its own IP address, forwards or backwards
 * (`host-192-0-2-1.example`, `1.2.0.192.in-addr.example`). Four backreferences, which RE2
 * cannot run; matched by hand in linear time, keyed by the exact Perl source for
 * HAND_WRITTEN_PATTERNS and checked against Perl in test/ip-in-relay-pattern.test.ts.
 *
 * `^\[ ip=(\d+)\.(\d+)\.(\d+)\.(\d+) ` reads the first relay's IPv4 address (the digits run to
 * the dots and the space, so the four groups are its octets); `(?:[^\]]* )?(?:rdns|helo)=`
 * finds a field name right after it or after a space, nothing between holding a `]`; `\S*`
 * then lets the octets start anywhere in the run of non-spaces after the `=` (or just after
 * it); the octets are literal digits, each pair apart by one non-digit, which may be anything.
 * The runs after two field names do not overlap (each name follows a space), so each position
 * is a start for at most one of them: two comparisons per position, each as long as the
 * address (at most 15 octets in the relay strings received-relays.ts writes).
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';

const FIRST_IP = /^\[ ip=(\d+)\.(\d+)\.(\d+)\.(\d+) /;
const isSpace = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** `octets[0]\D octets[1]\D ...` at `at`. */
function spelledAt(text: string, at: number, octets: readonly string[]): boolean {
  for (let i = 0; i < octets.length; i++) {
    if (i > 0) {
      if (at >= text.length || isDigit(text[at])) return false;
      at++;
    }
    if (!text.startsWith(octets[i]!, at)) return false;
    at += octets[i]!.length;
  }
  return true;
}

const ipInRelay: HandWrittenPattern = (text: string) => {
  const ip = FIRST_IP.exec(text);
  if (!ip) return false;
  const forwards = ip.slice(1, 5);
  const backwards = [...forwards].reverse();
  const after = ip[0].length;
  const close = text.indexOf(']', after);
  // A field name starts at `after` or after a space, with no `]` before it.
  const lastStart = close < 0 ? text.length : close;
  for (let name = after; name < lastStart; name++) {
    if (name !== after && text[name - 1] !== ' ') continue;
    if (!text.startsWith('rdns=', name) && !text.startsWith('helo=', name)) continue;
    for (let at = name + 5; ; at++) {
      if (spelledAt(text, at, forwards) || spelledAt(text, at, backwards)) return true;
      if (at >= text.length || isSpace(text[at])) break;
    }
  }
  return false;
};

export const IP_IN_RELAY_PATTERN: readonly [string, HandWrittenPattern] = [
  '^\\[ ip=(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+) (?:[^\\]]* )?(?:rdns|helo)=\\S*(?:\\1\\D\\2\\D\\3\\D\\4|\\4\\D\\3\\D\\2\\D\\1)',
  ipInRelay,
];
