/** A maildrop held by one session; `release()` lets the next session in. Idempotent. */
export interface MaildropLease {
  release(): void;
}

/**
 * Who has which maildrop (RFC 1939 8: a POP3 server locks the maildrop for one session; Kerio:
 * "only one client can be connected to the account"). The default is per process; an
 * application running several POP3 engines, or servers sharing a store, passes one of its own.
 */
export interface MaildropRegistry {
  /** The lease on the user's maildrop, or null when another session holds it. */
  acquire(user: string): MaildropLease | null;
  /** When the user last logged in (UTC milliseconds), for LOGIN-DELAY; null if never seen. */
  lastLogin(user: string): number | null;
  /** Records a login, for LOGIN-DELAY. */
  recordLogin(user: string, at: number): void;
}

/** The in-process registry: a set of held user ids and each user's last login. */
export class InProcessMaildropRegistry implements MaildropRegistry {
  private readonly held = new Set<string>();
  private readonly logins = new Map<string, number>();

  /** Users whose maildrop is held now. */
  get size(): number {
    return this.held.size;
  }

  acquire(user: string): MaildropLease | null {
    if (this.held.has(user)) return null;
    this.held.add(user);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(user);
      },
    };
  }

  lastLogin(user: string): number | null {
    return this.logins.get(user) ?? null;
  }

  recordLogin(user: string, at: number): void {
    // Users are the directory's, so the map is bounded by the number of accounts.
    this.logins.set(user, at);
  }
}
