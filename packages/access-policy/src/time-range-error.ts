import type { TimeRangeItem } from './time-range.js';

/** A time-range item that cannot be compiled: names the item by position and says why. */
export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';

  constructor(
    /** Position of the offending item in the list. */
    readonly itemIndex: number,
    readonly item: TimeRangeItem,
    readonly reason: string,
  ) {
    super(`time range item ${String(itemIndex)} (${JSON.stringify(item)}): ${reason}`);
  }
}
