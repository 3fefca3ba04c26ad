/** The largest UID (RFC 9051 `uniqueid` is a 32-bit number). */
const MAX_UID = 0xffffffff;

/**
 * A set of UIDs as sorted, disjoint, non-adjacent ranges: what a SEARCH key's sequence set
 * stands for once resolved against the mailbox. Its size is the number of ranges the client
 * wrote, never the number of messages (`UID 1:4294967295` is one range), membership is a binary
 * search, and sets combine (AND, OR, NOT) in time linear in their ranges, so a search with
 * thousands of set keys costs about what one costs.
 */
export class UidSet {
  private constructor(
    /** First UID of each range, ascending. */
    private readonly starts: readonly number[],
    /** Last UID of each range (inclusive). */
    private readonly ends: readonly number[],
  ) {}

  /** From ranges in any order, overlapping or not. */
  static fromRanges(ranges: Iterable<readonly [number, number]>): UidSet {
    const sorted = [...ranges]
      .map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]))
      .sort((x, y) => x[0] - y[0]);
    return UidSet.coalesced(sorted);
  }

  /** From single UIDs in any order. */
  static fromUids(uids: Iterable<number>): UidSet {
    return UidSet.fromRanges([...uids].map((uid) => [uid, uid] as const));
  }

  /** How many ranges the set is made of. */
  get rangeCount(): number {
    return this.starts.length;
  }

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  has(uid: number): boolean {
    let low = 0;
    let high = this.starts.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (uid < this.starts[mid]!) high = mid - 1;
      else if (uid > this.ends[mid]!) low = mid + 1;
      else return true;
    }
    return false;
  }

  /** UIDs in both. */
  intersect(other: UidSet): UidSet {
    const starts: number[] = [];
    const ends: number[] = [];
    let i = 0;
    let j = 0;
    while (i < this.starts.length && j < other.starts.length) {
      const start = Math.max(this.starts[i]!, other.starts[j]!);
      const end = Math.min(this.ends[i]!, other.ends[j]!);
      if (start <= end) {
        starts.push(start);
        ends.push(end);
      }
      if (this.ends[i]! < other.ends[j]!) i++;
      else j++;
    }
    return new UidSet(starts, ends);
  }

  /** UIDs in either. */
  union(other: UidSet): UidSet {
    // A merge of the two sorted lists of ranges, coalesced.
    const ranges: (readonly [number, number])[] = [];
    let i = 0;
    let j = 0;
    while (i < this.starts.length || j < other.starts.length) {
      if (
        j >= other.starts.length ||
        (i < this.starts.length && this.starts[i]! <= other.starts[j]!)
      ) {
        ranges.push([this.starts[i]!, this.ends[i]!]);
        i++;
      } else {
        ranges.push([other.starts[j]!, other.ends[j]!]);
        j++;
      }
    }
    return UidSet.coalesced(ranges);
  }

  /** UIDs from 1 to the largest possible UID that are not in the set. */
  complement(): UidSet {
    const starts: number[] = [];
    const ends: number[] = [];
    let next = 1;
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts[i]! > next) {
        starts.push(next);
        ends.push(this.starts[i]! - 1);
      }
      next = this.ends[i]! + 1;
    }
    if (next <= MAX_UID) {
      starts.push(next);
      ends.push(MAX_UID);
    }
    return new UidSet(starts, ends);
  }

  /** Ranges sorted by their start, merged where they overlap or touch. */
  private static coalesced(sorted: readonly (readonly [number, number])[]): UidSet {
    const starts: number[] = [];
    const ends: number[] = [];
    for (const [start, end] of sorted) {
      const last = ends.length - 1;
      if (last >= 0 && start <= ends[last]! + 1) {
        ends[last] = Math.max(ends[last]!, end);
      } else {
        starts.push(start);
        ends.push(end);
      }
    }
    return new UidSet(starts, ends);
  }
}
