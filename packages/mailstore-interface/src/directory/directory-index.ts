import type { RecipientResolution } from './directory.js';
import type { AliasRecord, DirectoryData, GroupRecord, UserRecord } from './directory-data.js';

/** How far alias chains are followed before the rest is treated as a loop. */
const MAX_CHAIN = 32;

/** Kerio's alias wildcards (`*`, `?`) as an anchored, case-insensitive pattern. */
export function aliasPattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`, 'i');
}

export function isWildcard(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** Splits `local@domain`; the domain lower-cased. */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

/** Lookups over directory data, built once per version of the data. */
export class DirectoryIndex {
  private readonly domainNames = new Map<string, string>();
  readonly primary: string | null;
  private readonly usersById = new Map<string, UserRecord>();
  private readonly groupsById = new Map<string, GroupRecord>();
  private readonly exactAliases = new Map<string, AliasRecord[]>();
  private readonly wildcardAliases = new Map<string, { alias: AliasRecord; pattern: RegExp }[]>();
  private readonly groupsOfUser = new Map<string, string[]>();

  constructor(readonly data: DirectoryData) {
    for (const domain of data.domains) {
      this.domainNames.set(domain.name, domain.name);
      for (const alias of domain.aliases) this.domainNames.set(alias.toLowerCase(), domain.name);
    }
    this.primary = data.domains.find((d) => d.primary)?.name ?? data.domains[0]?.name ?? null;
    for (const user of data.users) this.usersById.set(`${user.name}@${user.domain}`, user);
    for (const group of data.groups) {
      const id = `${group.name}@${group.domain}`;
      this.groupsById.set(id, group);
      for (const member of group.members) {
        const list = this.groupsOfUser.get(member) ?? [];
        list.push(id);
        this.groupsOfUser.set(member, list);
      }
    }
    for (const alias of data.aliases) {
      if (isWildcard(alias.pattern)) {
        const list = this.wildcardAliases.get(alias.domain) ?? [];
        list.push({ alias, pattern: aliasPattern(alias.pattern) });
        this.wildcardAliases.set(alias.domain, list);
      } else {
        const key = `${alias.pattern.toLowerCase()}@${alias.domain}`;
        const list = this.exactAliases.get(key) ?? [];
        list.push(alias);
        this.exactAliases.set(key, list);
      }
    }
  }

  localDomain(domain: string): string | null {
    return this.domainNames.get(domain.toLowerCase().replace(/\.$/, '')) ?? null;
  }

  user(id: string): UserRecord | undefined {
    return this.usersById.get(id.toLowerCase());
  }

  groupsOf(user: string): string[] {
    return this.groupsOfUser.get(user.toLowerCase()) ?? [];
  }

  /** A login to a user id: `alice@example.com` as is, `alice` in the primary domain. */
  userIdForLogin(login: string): string | null {
    const lower = login.trim().toLowerCase();
    if (lower.includes('@')) return this.usersById.has(lower) ? lower : null;
    const id = this.primary ? `${lower}@${this.primary}` : null;
    return id && this.usersById.has(id) ? id : null;
  }

  /**
   * Resolves an address (Kerio 12.3): exact aliases first (an alias shadows a user of the same
   * name; `jwayne → jwayne` keeps the user's mailbox too), then the user (with forwarding) or
   * group, then wildcard aliases, then the catch-all `*`. Alias chains are followed; a chain that
   * comes back to an address already on it stops there, in that address's mailbox if it has one.
   */
  resolve(address: string): RecipientResolution {
    const mailboxes = new Set<string>();
    const publicFolders = new Map<string, { domain: string; folder: string }>();
    const forwards = new Set<string>();
    const loops = new Set<string>();
    let unknown = false;

    const deliver = (target: string, trail: readonly string[]): void => {
      if (target.startsWith('#public/')) {
        const domain = splitAddress(trail.at(-1) ?? '')?.domain ?? this.primary ?? '';
        publicFolders.set(`${domain}\0${target}`, {
          domain,
          folder: target.slice('#public/'.length),
        });
        return;
      }
      // A target without a domain (`sales → team`) is in the domain of the address it came from.
      const qualified = target.includes('@')
        ? target
        : `${target}@${splitAddress(trail.at(-1) ?? '')?.domain ?? this.primary}`;
      const parts = splitAddress(qualified);
      const domain = parts && this.localDomain(parts.domain);
      if (!parts || !domain) {
        forwards.add(qualified);
        return;
      }
      const id = `${parts.local.toLowerCase()}@${domain}`;
      if (trail.includes(id) || trail.length >= MAX_CHAIN) {
        // A loop (or a self-alias such as jwayne → jwayne): the mailbox of the address, if any.
        if (this.usersById.has(id)) mailboxes.add(id);
        else loops.add(id);
        return;
      }
      const next = [...trail, id];
      const exact = this.exactAliases.get(id);
      if (exact) {
        for (const alias of exact) deliver(alias.target, next);
        return;
      }
      const user = this.usersById.get(id);
      if (user) {
        const forwarding = user.forwarding.addresses;
        if (forwarding.length === 0 || user.forwarding.keepCopy) mailboxes.add(id);
        for (const forward of forwarding) deliver(forward, next);
        return;
      }
      const group = this.groupsById.get(id);
      if (group) {
        for (const member of group.members) deliver(member, next);
        return;
      }
      const wildcards = (this.wildcardAliases.get(domain) ?? []).filter(
        ({ alias, pattern }) => alias.pattern !== '*' && pattern.test(parts.local),
      );
      const matched =
        wildcards.length > 0
          ? wildcards
          : (this.wildcardAliases.get(domain) ?? []).filter(({ alias }) => alias.pattern === '*');
      if (matched.length > 0) {
        for (const { alias } of matched) deliver(alias.target, next);
        return;
      }
      // Nothing here; the address as a whole is unknown only if no other branch delivered.
      unknown = true;
    };

    const parts = splitAddress(address);
    const local = parts !== null && this.localDomain(parts.domain) !== null;
    deliver(address, []);
    return {
      local,
      mailboxes: [...mailboxes],
      publicFolders: [...publicFolders.values()],
      forwards: [...forwards],
      unknown: unknown && mailboxes.size === 0 && publicFolders.size === 0 && forwards.size === 0,
      loops: [...loops],
    };
  }
}
