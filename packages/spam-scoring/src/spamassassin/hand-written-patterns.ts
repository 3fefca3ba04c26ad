/**
 * Patterns RE2 cannot run (a backreference) that rules lean on, matched by hand in linear time
 * instead, keyed by the exact Perl source so that a changed rule falls back to "does not run".
 * Each is checked against Perl in test/hand-written-patterns.test.ts.
 */
export type HandWrittenPattern = (text: string) => boolean;

/** The first relay in a `X-Spam-Relays-*` string: up to its closing `]`. */
function firstRelay(text: string): string | null {
  const end = text.indexOf(']');
  return end < 0 ? null : text.slice(0, end);
}

export const HAND_WRITTEN_PATTERNS: ReadonlyMap<string, HandWrittenPattern> = new Map([
  [
    // __HELO_NOT_RDNS: the first relay has a reverse name, and its HELO does not start with it
    // (`rdns=(\S+) helo=(?!(?i)\1)\S`: the name is the whole token, so no other split exists).
    '^[^\\]]+ rdns=(\\S+) helo=(?!(?i)\\1)\\S',
    (text: string) => {
      const relay = firstRelay(text);
      const found = relay === null ? null : / rdns=(\S+) helo=(\S)/.exec(relay);
      if (!found) return false;
      const helo = relay!.slice(found.index + found[0].length - 1);
      return !helo.toLowerCase().startsWith(found[1]!.toLowerCase());
    },
  ],
]);
