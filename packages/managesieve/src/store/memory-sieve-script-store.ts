import {
  type SieveQuota,
  type SievePutOutcome,
  type SieveScriptList,
  type SieveScriptStore,
  quotaOutcome,
  scriptSize,
} from './sieve-script-store.js';

interface UserScripts {
  readonly scripts: Map<string, string>;
  active: string | null;
}

/** Scripts in memory: for tests, and for applications that keep them elsewhere themselves. */
export class MemorySieveScriptStore implements SieveScriptStore {
  private readonly users = new Map<string, UserScripts>();

  async list(user: string): Promise<SieveScriptList> {
    return this.listNow(user);
  }

  /** Synchronous, so that `put` checks the quota and writes in one step. */
  private listNow(user: string): SieveScriptList {
    const entry = this.users.get(user);
    if (!entry) return { scripts: [], active: null };
    const scripts = [...entry.scripts]
      .map(([name, content]) => ({ name, size: scriptSize(content) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { scripts, active: entry.active };
  }

  async get(user: string, name: string): Promise<string | null> {
    return this.users.get(user)?.scripts.get(name) ?? null;
  }

  async getActive(user: string): Promise<{ name: string; content: string } | null> {
    const entry = this.users.get(user);
    const name = entry?.active ?? null;
    if (name === null) return null;
    const content = entry!.scripts.get(name);
    return content === undefined ? null : { name, content };
  }

  async put(
    user: string,
    name: string,
    content: string,
    quota: SieveQuota,
  ): Promise<SievePutOutcome> {
    const { scripts } = this.listNow(user);
    const outcome = quotaOutcome(scripts, name, scriptSize(content), quota);
    if (outcome !== 'stored') return outcome;
    this.userScripts(user).scripts.set(name, content);
    return outcome;
  }

  async delete(user: string, name: string): Promise<'deleted' | 'nonexistent' | 'active'> {
    const entry = this.users.get(user);
    if (!entry?.scripts.has(name)) return 'nonexistent';
    if (entry.active === name) return 'active';
    entry.scripts.delete(name);
    return 'deleted';
  }

  async rename(
    user: string,
    from: string,
    to: string,
  ): Promise<'renamed' | 'nonexistent' | 'exists'> {
    const entry = this.users.get(user);
    const content = entry?.scripts.get(from);
    if (!entry || content === undefined) return 'nonexistent';
    if (entry.scripts.has(to)) return 'exists';
    entry.scripts.delete(from);
    entry.scripts.set(to, content);
    if (entry.active === from) entry.active = to;
    return 'renamed';
  }

  async setActive(user: string, name: string | null): Promise<'done' | 'nonexistent'> {
    if (name === null) {
      const entry = this.users.get(user);
      if (entry) entry.active = null;
      return 'done';
    }
    const entry = this.users.get(user);
    if (!entry?.scripts.has(name)) return 'nonexistent';
    entry.active = name;
    return 'done';
  }

  private userScripts(user: string): UserScripts {
    let entry = this.users.get(user);
    if (!entry) {
      entry = { scripts: new Map(), active: null };
      this.users.set(user, entry);
    }
    return entry;
  }
}
