/**
 * The times of the most recent events of one key, at most `capacity` of them, oldest first: a
 * sliding log whose memory is bounded by the limit it enforces, not by the traffic it sees.
 */
export class TimestampRing {
  readonly #times: number[] = [];
  #start = 0;
  #length = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.#length;
  }

  /** The oldest time kept, or undefined when empty. */
  get oldest(): number | undefined {
    return this.#length === 0 ? undefined : this.#times[this.#start];
  }

  /**
   * Adds a time, dropping the oldest when full. Until the array has grown to capacity the kept
   * times are `#times[#start..]`, so appending is writing after the newest.
   */
  push(time: number): void {
    if (this.#length < this.capacity) {
      if (this.#times.length < this.capacity) {
        this.#times.push(time);
      } else {
        this.#times[(this.#start + this.#length) % this.capacity] = time;
      }
      this.#length++;
      return;
    }
    this.#times[this.#start] = time;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /** Forgets times at or before the cutoff. Times are pushed in clock order, so they sit in front. */
  dropThrough(cutoff: number): void {
    while (this.#length > 0 && (this.#times[this.#start] as number) <= cutoff) {
      this.#start = (this.#start + 1) % this.capacity;
      this.#length--;
    }
  }

  clear(): void {
    this.#times.length = 0;
    this.#start = 0;
    this.#length = 0;
  }
}
