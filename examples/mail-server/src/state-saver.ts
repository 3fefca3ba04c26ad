/**
 * Writes a piece of state after each change, one write at a time: changes made while a write
 * runs are covered by one more write after it, never by a write per change.
 */
export class StateSaver {
  private running: Promise<void> = Promise.resolve();
  private pending = false;

  constructor(
    private readonly write: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  save(): Promise<void> {
    if (this.pending) return this.running;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      await this.write().catch(this.failed);
    });
    return this.running;
  }

  idle(): Promise<void> {
    return this.running;
  }
}
