/**
 * The UIDs a client knows, in order, as runs of consecutive UIDs: message sequence number `n`
 * is the n-th UID. Mailboxes are mostly runs (UIDs are given in order and expunges are few), so
 * a session holds a few numbers however many messages its mailbox has; this is what lets ten
 * thousand sessions IDLE on one mailbox in little memory.
 */
export class MessageSequence {
  /** First UID of each run, ascending. */
  private starts: number[] = [];
  /** Length of each run. */
  private lengths: number[] = [];
  /** Messages before each run; rebuilt lazily after a removal. */
  private before: number[] = [];
  private size = 0;
  private indexed = true;

  constructor(uids: Iterable<number> = []) {
    for (const uid of uids) this.append(uid);
  }

  get count(): number {
    return this.size;
  }

  /** The largest UID, or 0 when empty. */
  get lastUid(): number {
    const i = this.starts.length - 1;
    return i < 0 ? 0 : this.starts[i]! + this.lengths[i]! - 1;
  }

  /** Appends a UID larger than every UID held. */
  append(uid: number): void {
    const i = this.starts.length - 1;
    if (i >= 0 && this.starts[i]! + this.lengths[i]! === uid) {
      this.lengths[i]!++;
    } else {
      if (uid <= this.lastUid) throw new Error(`UID ${uid} is not above ${this.lastUid}`);
      this.starts.push(uid);
      this.lengths.push(1);
      this.before.push(this.size);
    }
    this.size++;
  }

  /** The UID of message sequence number `seq` (1-based), or 0 when out of range. */
  uidAt(seq: number): number {
    if (seq < 1 || seq > this.size) return 0;
    this.index();
    const i = lastAtMost(this.before, seq - 1);
    return this.starts[i]! + (seq - 1 - this.before[i]!);
  }

  /** The sequence number of a UID, or 0 when the UID is not held. */
  seqOf(uid: number): number {
    const i = lastAtMost(this.starts, uid);
    if (i < 0 || uid >= this.starts[i]! + this.lengths[i]!) return 0;
    this.index();
    return this.before[i]! + (uid - this.starts[i]!) + 1;
  }

  has(uid: number): boolean {
    const i = lastAtMost(this.starts, uid);
    return i >= 0 && uid < this.starts[i]! + this.lengths[i]!;
  }

  /** Removes UIDs (any order; ones not held are ignored). */
  remove(uids: Iterable<number>): void {
    const removed = [...new Set(uids)].filter((uid) => this.has(uid)).sort((a, b) => a - b);
    if (removed.length === 0) return;
    const starts: number[] = [];
    const lengths: number[] = [];
    let r = 0;
    for (let i = 0; i < this.starts.length; i++) {
      let start = this.starts[i]!;
      const end = start + this.lengths[i]!;
      while (r < removed.length && removed[r]! < end) {
        const uid = removed[r++]!;
        if (uid > start) {
          starts.push(start);
          lengths.push(uid - start);
        }
        start = uid + 1;
      }
      if (start < end) {
        starts.push(start);
        lengths.push(end - start);
      }
    }
    this.starts = starts;
    this.lengths = lengths;
    this.size -= removed.length;
    this.indexed = false;
  }

  /** UIDs held within `[low, high]`, ascending. */
  *uidsBetween(low: number, high: number): Generator<number> {
    let i = Math.max(0, lastAtMost(this.starts, low));
    for (; i < this.starts.length && this.starts[i]! <= high; i++) {
      const start = Math.max(this.starts[i]!, low);
      const end = Math.min(this.starts[i]! + this.lengths[i]! - 1, high);
      for (let uid = start; uid <= end; uid++) yield uid;
    }
  }

  /** Every UID, ascending. */
  *[Symbol.iterator](): Generator<number> {
    for (let i = 0; i < this.starts.length; i++) {
      const end = this.starts[i]! + this.lengths[i]!;
      for (let uid = this.starts[i]!; uid < end; uid++) yield uid;
    }
  }

  private index(): void {
    if (this.indexed) return;
    this.before = [];
    let total = 0;
    for (const length of this.lengths) {
      this.before.push(total);
      total += length;
    }
    this.indexed = true;
  }
}

/** Index of the last element `<= value` in an ascending array, or -1. */
function lastAtMost(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}
