/** The octets of literals a server holds in memory at once, per user and in all. */
export interface LiteralBudgetLimits {
  /** Octets of literals one user's sessions hold together; 0 = unlimited. */
  readonly perUser: number;
  /** Octets of literals all sessions hold together; 0 = unlimited. */
  readonly perServer: number;
}

/** Which limit a reservation ran into. */
export type LiteralBudgetRefusal = 'user' | 'server';

/**
 * What the literals being received cost in memory, shared by all the sessions of a server: a
 * session reserves a literal's octets before it lets the client send them (before the `+`, or
 * before it reads a LITERAL+ literal), and gives them back when the command is done, refused, or
 * the client went away. Eight clients each sending a 240 MB MULTIAPPEND then cost the budget,
 * not 2 GB. Pure bookkeeping: no clock, no I/O.
 */
export class LiteralBudget {
  private total = 0;
  private readonly byUser = new Map<string, number>();

  constructor(readonly limits: LiteralBudgetLimits) {}

  /** Octets reserved over all sessions. */
  get reserved(): number {
    return this.total;
  }

  /** Octets reserved by one user's sessions. */
  reservedBy(user: string): number {
    return this.byUser.get(user) ?? 0;
  }

  /**
   * Reserves `octets` for `user` (null before login: only the server's limit applies). Returns
   * null when granted, or the limit that refused it (nothing is reserved then).
   */
  reserve(user: string | null, octets: number): LiteralBudgetRefusal | null {
    const { perUser, perServer } = this.limits;
    if (user !== null && perUser > 0 && this.reservedBy(user) + octets > perUser) return 'user';
    if (perServer > 0 && this.total + octets > perServer) return 'server';
    this.total += octets;
    if (user !== null) this.byUser.set(user, this.reservedBy(user) + octets);
    return null;
  }

  /** Gives back what {@link reserve} granted. */
  release(user: string | null, octets: number): void {
    this.total -= octets;
    if (user === null) return;
    const left = this.reservedBy(user) - octets;
    if (left > 0) this.byUser.set(user, left);
    else this.byUser.delete(user);
  }
}
