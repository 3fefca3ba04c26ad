/**
 * Octets of messages held in memory at once, for work that needs a whole message in memory (the
 * store's `deliver` takes the message as one buffer). Whoever would pass the capacity waits its
 * turn, first come first served; one bigger than the whole capacity goes when it is alone, so
 * nothing waits for ever. Memory is then the capacity, or one message, whichever is more.
 */
export class MemoryGate {
  private used = 0;
  private readonly waiting: { readonly octets: number; readonly grant: () => void }[] = [];

  /** 0: no capacity limit (nothing ever waits). */
  constructor(readonly capacity: number) {}

  /** Resolves, once `octets` fit, with what to call when they are no longer held. */
  acquire(octets: number): Promise<() => void> {
    if (this.waiting.length === 0 && this.fits(octets)) return Promise.resolve(this.take(octets));
    return new Promise((resolve) =>
      this.waiting.push({ octets, grant: () => resolve(this.take(octets)) }),
    );
  }

  private fits(octets: number): boolean {
    return this.capacity === 0 || this.used === 0 || this.used + octets <= this.capacity;
  }

  private take(octets: number): () => void {
    this.used += octets;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= octets;
      while (this.waiting.length > 0 && this.fits(this.waiting[0]!.octets))
        this.waiting.shift()!.grant();
    };
  }
}
