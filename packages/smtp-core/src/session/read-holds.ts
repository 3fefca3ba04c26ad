import type { SessionTransport } from './session-transport.js';

/**
 * Why the session is not reading from the client: its input is piling up, the application is
 * behind with the message, or the client is not reading the replies.
 */
export type Hold = 'input' | 'message' | 'output';

/**
 * Reading from the client stops while any reason holds and resumes once none does: the reasons
 * come and go independently (a slow store and a client not reading its replies), and the
 * transport must not resume because one of them went away while another still stands.
 */
export class ReadHolds {
  private readonly reasons = new Set<Hold>();

  constructor(
    private readonly transport: Pick<SessionTransport, 'pause' | 'resume'>,
    /** A closed connection is never resumed. */
    private readonly closed: () => boolean,
  ) {}

  has(reason: Hold): boolean {
    return this.reasons.has(reason);
  }

  hold(reason: Hold): void {
    if (this.reasons.size === 0) this.transport.pause();
    this.reasons.add(reason);
  }

  release(reason: Hold): void {
    if (!this.reasons.delete(reason) || this.reasons.size > 0 || this.closed()) return;
    this.transport.resume();
  }
}
