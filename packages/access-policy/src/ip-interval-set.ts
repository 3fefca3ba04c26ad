import type { IpAddress, IpFamily } from './ip-address.js';

/** An inclusive span of addresses of one family. */
export interface IpInterval {
  readonly family: IpFamily;
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * A set of addresses as sorted, merged, disjoint intervals per family, searched by bisection: a
 * group of a thousand networks costs about ten comparisons per lookup. IPv4 bounds are kept as
 * doubles (exact below 2^53) because bigint comparisons are several times slower.
 */
export class IpIntervalSet {
  readonly #v4Low: Float64Array;
  readonly #v4High: Float64Array;
  readonly #v6Low: bigint[];
  readonly #v6High: bigint[];

  constructor(intervals: Iterable<IpInterval>) {
    const v4 = merge([...intervals].filter((interval) => interval.family === 4));
    const v6 = merge([...intervals].filter((interval) => interval.family === 6));
    this.#v4Low = Float64Array.from(v4, (interval) => Number(interval.low));
    this.#v4High = Float64Array.from(v4, (interval) => Number(interval.high));
    this.#v6Low = v6.map((interval) => interval.low);
    this.#v6High = v6.map((interval) => interval.high);
  }

  /** How many disjoint intervals the set holds (after merging adjacent and overlapping ones). */
  get intervalCount(): number {
    return this.#v4Low.length + this.#v6Low.length;
  }

  contains(address: IpAddress): boolean {
    return address.family === 4
      ? bisect(this.#v4Low, this.#v4High, Number(address.value))
      : bisect(this.#v6Low, this.#v6High, address.value);
  }
}

function merge(intervals: IpInterval[]): IpInterval[] {
  intervals.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
  const merged: IpInterval[] = [];
  for (const interval of intervals) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.low <= last.high + 1n) {
      if (interval.high > last.high) merged[merged.length - 1] = { ...last, high: interval.high };
    } else {
      merged.push(interval);
    }
  }
  return merged;
}

function bisect<T extends number | bigint>(
  lows: ArrayLike<T>,
  highs: ArrayLike<T>,
  value: T,
): boolean {
  // The last interval whose low bound is <= value is the only one that can hold it.
  let lo = 0;
  let hi = lows.length - 1;
  let candidate = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((lows[mid] as T) <= value) {
      candidate = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return candidate !== -1 && value <= (highs[candidate] as T);
}
