/**
 * Sorted lists of places in a text (or of lengths), searched by bisection: how the hand matchers
 * visit the places of one line (its `@`s, its tags) without a search that runs on past the
 * line's end, which over many lines would be quadratic.
 */

/** The first index of `sorted` whose value is at least `value`. */
export function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first index of `sorted` whose value exceeds `value` (places and lengths are whole). */
export function upperBound(sorted: readonly number[], value: number): number {
  return lowerBound(sorted, value + 1);
}

/** Every place of `needle` in `text`, in order. */
export function placesOf(text: string, needle: string): number[] {
  const places: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) places.push(at);
  return places;
}

/** The places of `sorted` within [from, to]. */
export function* within(sorted: readonly number[], from: number, to: number): Generator<number> {
  for (let i = lowerBound(sorted, from); i < sorted.length && sorted[i]! <= to; i++)
    yield sorted[i]!;
}
