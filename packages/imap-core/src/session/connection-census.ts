/** How many connections one address, and one user from one address, may have at once. */
export interface ConnectionCaps {
  /** Connections from one IP address, logged in or not; 0 = unlimited. */
  readonly maxConnectionsPerIp: number;
  /** Connections from one IP address that have not logged in (yet); 0 = unlimited. */
  readonly maxUnauthenticatedPerIp: number;
  /** Sessions of one user from one IP address (Dovecot's mail_max_userip_connections); 0 = unlimited. */
  readonly maxSessionsPerUserIp: number;
}

/** Why a connection or a login was refused. */
export type CensusRefusal =
  'connections-per-ip' | 'unauthenticated-per-ip' | 'sessions-per-user-ip';

/** One connection's place in the census, from its admission to its end. */
export interface CensusEntry {
  /** Counts the connection as `user`'s; null when granted, or why not (then nothing changed). */
  logIn(user: string): CensusRefusal | null;
  /** Back to not logged in (UNAUTHENTICATE). */
  logOut(): void;
  /** The connection ended; calling it again does nothing. */
  leave(): void;
}

/**
 * Who is connected to a server, by IP address and by user and address, for Kerio-style
 * connection limits: a new connection is admitted or refused at once (before the greeting), a
 * login is admitted or refused before the session changes state. Addresses for which `exempt`
 * says yes (Kerio's "Do not apply these limits to IP address group") skip the per-address caps;
 * the per-user cap applies to everyone. Memory follows the open connections, not the addresses
 * ever seen. Pure bookkeeping: no clock, no I/O.
 */
export class ConnectionCensus {
  private readonly perIp = new Map<string, number>();
  private readonly unauthenticatedPerIp = new Map<string, number>();
  private readonly perUserIp = new Map<string, number>();

  constructor(
    readonly caps: ConnectionCaps,
    private readonly exempt: (ip: string) => boolean = () => false,
  ) {}

  /** Open connections from an address. */
  connections(ip: string): number {
    return this.perIp.get(ip) ?? 0;
  }

  /** Open connections from an address that are not logged in. */
  unauthenticated(ip: string): number {
    return this.unauthenticatedPerIp.get(ip) ?? 0;
  }

  /** Sessions of a user from an address. */
  sessions(user: string, ip: string): number {
    return this.perUserIp.get(userIpKey(user, ip)) ?? 0;
  }

  /** Admits a new connection, or says which cap it ran into. */
  admit(ip: string): CensusEntry | CensusRefusal {
    const counted = !this.exempt(ip);
    if (counted) {
      const { maxConnectionsPerIp, maxUnauthenticatedPerIp } = this.caps;
      if (maxConnectionsPerIp > 0 && this.connections(ip) >= maxConnectionsPerIp)
        return 'connections-per-ip';
      if (maxUnauthenticatedPerIp > 0 && this.unauthenticated(ip) >= maxUnauthenticatedPerIp)
        return 'unauthenticated-per-ip';
      add(this.perIp, ip, 1);
      add(this.unauthenticatedPerIp, ip, 1);
    }
    let user: string | null = null;
    let left = false;
    return {
      logIn: (name) => {
        if (left || user !== null) return null;
        const key = userIpKey(name, ip);
        const max = this.caps.maxSessionsPerUserIp;
        if (max > 0 && (this.perUserIp.get(key) ?? 0) >= max) return 'sessions-per-user-ip';
        add(this.perUserIp, key, 1);
        if (counted) add(this.unauthenticatedPerIp, ip, -1);
        user = name;
        return null;
      },
      logOut: () => {
        if (left || user === null) return;
        add(this.perUserIp, userIpKey(user, ip), -1);
        if (counted) add(this.unauthenticatedPerIp, ip, 1);
        user = null;
      },
      leave: () => {
        if (left) return;
        left = true;
        if (user !== null) add(this.perUserIp, userIpKey(user, ip), -1);
        else if (counted) add(this.unauthenticatedPerIp, ip, -1);
        if (counted) add(this.perIp, ip, -1);
      },
    };
  }
}

function userIpKey(user: string, ip: string): string {
  return `${user}\0${ip}`;
}

/** Adds to a count, forgetting keys that reach zero. */
function add(counts: Map<string, number>, key: string, delta: number): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}
