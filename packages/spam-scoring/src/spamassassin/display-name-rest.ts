import { nextWhere } from './octet-text.js';

/**
 * `((?!\1)[^\n">]++)>?\n`, the end of the From line after its display name in the two
 * __PDS_TO_EQ_FROM_NAME rules (to-eq-from-name-pattern.ts, from-name-eq-to-pattern.ts): from
 * `start`, a run of `[^\n">]`, all of it (possessive), that does not begin with the capture, then
 * `>` and the line's end, or the line's end. Returns that test for `text`, in constant time a
 * place after one pass; `equal` compares two places of the text over a length.
 */
export function displayNameRest(
  text: string,
  equal: (a: number, b: number, length: number) => boolean,
): (start: number, capture: number, length: number) => boolean {
  const runEnd = nextWhere(text, (c) => c === '\n' || c === '"' || c === '>');
  return (start, capture, length) => {
    const stop = runEnd[start]!;
    if (stop === start) return false;
    if (!(text[stop] === '\n' || (text[stop] === '>' && text[stop + 1] === '\n'))) return false;
    return !equal(capture, start, length);
  };
}
