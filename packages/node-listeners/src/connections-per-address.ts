/**
 * Connections open at once per client address, for a per-address cap. Memory is one entry per
 * address that has a connection open now, so a flood of distinct addresses costs no more than
 * the connections themselves.
 */
export class ConnectionsPerAddress {
  private readonly counts = new Map<string, number>();

  /** `max` 0: no cap (still counted, so that `count` tells). */
  constructor(private readonly max: number) {}

  /**
   * Counts a new connection from `address` in, and returns what to call once when it ends;
   * null, counting nothing, when the address already has `max` open.
   */
  admit(address: string): (() => void) | null {
    const open = this.counts.get(address) ?? 0;
    if (this.max > 0 && open >= this.max) return null;
    this.counts.set(address, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.counts.get(address) ?? 1) - 1;
      if (left > 0) this.counts.set(address, left);
      else this.counts.delete(address);
    };
  }

  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }
}
