/**
 * Octets of message text received and not yet acknowledged (DATA or BDAT under way, or waiting
 * for the application to store it), per client and for the whole server. What the engine itself
 * holds of a message is small and bounded (its stream's window); these octets are what the
 * application holds for it meanwhile: a spool file, a store's staging area, or memory. The
 * budget keeps many slow senders, or one client with many connections, from taking all of it.
 * Pure: no I/O, no clock. One is shared by every session of a server.
 */
export class InFlightBudget {
  private readonly perClient = new Map<string, number>();
  private used = 0;

  /** 0: no limit. */
  constructor(readonly limits: { readonly perServer: number; readonly perClient: number }) {}

  /** Octets in flight, for the whole server. */
  get total(): number {
    return this.used;
  }

  /** Octets in flight for a client (its user name, or its address when it did not log in). */
  inUse(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  /** Octets a client could still send now without passing a limit (Infinity: no limit). */
  available(client: string): number {
    const { perServer, perClient } = this.limits;
    return Math.min(
      perServer > 0 ? perServer - this.used : Infinity,
      perClient > 0 ? perClient - this.inUse(client) : Infinity,
    );
  }

  /** Takes `octets` for a client; false, taking nothing, when a limit would be passed. */
  reserve(client: string, octets: number): boolean {
    if (octets > this.available(client)) return false;
    this.used += octets;
    this.perClient.set(client, this.inUse(client) + octets);
    return true;
  }

  /** Gives back what `reserve` took (the message was stored, refused or abandoned). */
  release(client: string, octets: number): void {
    if (octets <= 0) return;
    this.used = Math.max(0, this.used - octets);
    const left = this.inUse(client) - octets;
    if (left > 0) this.perClient.set(client, left);
    else this.perClient.delete(client);
  }
}
