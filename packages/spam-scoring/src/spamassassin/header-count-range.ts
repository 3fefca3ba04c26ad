import type { SaMessageView } from './message-view.js';

/**
 * HeaderEval's `check_header_count_range(header, min, max)` (HEADER_COUNT_CTYPE,
 * HEADER_COUNT_SUBJECT): how many different values (decoded, as `get_header` gives them) the
 * header has, between `min` and `max`. Two identical Subject lines count once.
 */
export function checkHeaderCountRange(
  args: readonly string[],
): ((view: SaMessageView) => number) | null {
  const [name, minText, maxText] = args;
  const min = Number(minText);
  const max = Number(maxText);
  if (!name || minText === undefined || maxText === undefined) return null;
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return (view) => {
    const values = view.header(name, null);
    // Each occurrence ends in a newline: the last split piece is the empty rest.
    const count = values === null ? 0 : new Set(values.split('\n').slice(0, -1)).size;
    return count >= min && count <= max ? 1 : 0;
  };
}
