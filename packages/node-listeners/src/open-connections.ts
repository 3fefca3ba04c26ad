import type { Socket } from 'node:net';

/**
 * The sockets a server accepted and that have not closed yet, for `close()`: it waits for them
 * to go, for a grace period at most, then destroys the rest.
 *
 * The wait is woken by the sockets' own 'close' events, not by polling, and its grace timer is
 * an ordinary (ref'ed) timer cleared as soon as the wait ends. A `close()` that an application
 * awaits at the end of its program must settle by itself: a wait on unref'ed timers ends the
 * process with exit code 13 (a top-level await that never settled) the moment the last socket
 * closes, before anyone noticed it did.
 */
export class OpenConnections implements Iterable<Socket> {
  private readonly sockets = new Set<Socket>();
  private whenEmpty: (() => void)[] = [];

  /** Counts a socket until it closes. */
  add(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (this.sockets.size > 0) return;
      const waiters = this.whenEmpty;
      this.whenEmpty = [];
      for (const wake of waiters) wake();
    });
  }

  get size(): number {
    return this.sockets.size;
  }

  [Symbol.iterator](): Iterator<Socket> {
    return this.sockets.values();
  }

  /** Resolves `true` once every socket has closed, or `false` when `graceMs` passes first. */
  allClosed(graceMs: number): Promise<boolean> {
    if (this.sockets.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.whenEmpty = this.whenEmpty.filter((waiter) => waiter !== wake);
        resolve(false);
      }, graceMs);
      this.whenEmpty.push(wake);
    });
  }

  /** Destroys every socket still open. */
  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
