/** One end of a range: a number, or `*` (the largest number in use). */
export type SequenceNumber = number | '*';

export interface SequenceRange {
  readonly start: SequenceNumber;
  readonly end: SequenceNumber;
}

/**
 * A sequence set as the client wrote it (RFC 9051 `sequence-set`), or `$`, the result of the
 * last SEARCH ... RETURN (SAVE) (RFC 5182). It means message numbers or UIDs depending on the
 * command; the session resolves it against the mailbox.
 */
export type SequenceSet =
  | { readonly type: 'ranges'; readonly ranges: readonly SequenceRange[] }
  | { readonly type: 'saved' };

/**
 * Resolves ranges against the numbers in use: ascending, without duplicates, only numbers
 * `present` accepts. `*` stands for `largest`; in a range, the ends may come in either order
 * (RFC 9051: `2:4` and `4:2` are the same). `largest` is 0 in an empty mailbox, where `*` matches
 * nothing. Takes time proportional to the numbers matched, not to the width of the ranges.
 */
export function resolveRanges(
  ranges: readonly SequenceRange[],
  largest: number,
  candidates: (low: number, high: number) => Iterable<number>,
): number[] {
  const spans: [number, number][] = [];
  for (const range of ranges) {
    const a = range.start === '*' ? largest : range.start;
    const b = range.end === '*' ? largest : range.end;
    if (a === 0 || b === 0) continue;
    spans.push(a <= b ? [a, b] : [b, a]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1] + 1) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  const result: number[] = [];
  for (const [low, high] of merged) for (const n of candidates(low, high)) result.push(n);
  return result;
}

/** Whether ranges contain a number, `*` standing for `largest`. */
export function rangesContain(
  ranges: readonly SequenceRange[],
  value: number,
  largest: number,
): boolean {
  return ranges.some(({ start, end }) => {
    const a = start === '*' ? largest : start;
    const b = end === '*' ? largest : end;
    return value >= Math.min(a, b) && value <= Math.max(a, b);
  });
}

/**
 * Numbers as a sequence set, in the order given: `1:3,5,7:9`; runs become ranges only where they
 * run upwards in that order, so ascending input gives the shortest set and ESORT's `ALL` keeps
 * its sort order (RFC 5267 section 3.1). Empty for none.
 */
export function formatSequenceSet(numbers: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    const start = numbers[i]!;
    let end = start;
    while (i + 1 < numbers.length && numbers[i + 1] === end + 1) end = numbers[++i]!;
    out.push(start === end ? `${start}` : `${start}:${end}`);
    i++;
  }
  return out.join(',');
}
