import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock, systemClock } from '../clock.js';

export interface VerifiedLoginCacheOptions {
  /** Logins remembered at most; the least recently verified is forgotten first. Default 10,000. */
  readonly maxEntries?: number;
  /** How long a verified login is remembered. Default one hour (Dovecot's `auth_cache_ttl`). */
  readonly ttlMs?: number;
  readonly clock?: Clock;
}

interface Entry {
  readonly digest: Buffer;
  readonly expires: number;
}

/**
 * Logins whose password was verified lately, like Dovecot's auth cache: a repeated login with
 * the same password costs an HMAC instead of a password hash (scrypt takes tens of
 * milliseconds on purpose, and a client that logs in for every check of its mail pays it each
 * time). Only successes are kept, and only as an HMAC under a key made at start and never
 * stored, so the cache gives nothing away that the process's memory would not. Each entry is
 * bound to the stored password record it was verified against: when the password changes, the
 * record changes, and the entry no longer matches.
 */
export class VerifiedLoginCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(options: VerifiedLoginCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 60 * 60_000;
    this.clock = options.clock ?? systemClock;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new RangeError('maxEntries must be a positive integer');
    if (!(this.ttlMs > 0)) throw new RangeError('ttlMs must be positive');
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether `user` logged in with `password` lately, against the same stored `record`. */
  has(user: string, record: string, password: string): boolean {
    const entry = this.entries.get(user);
    if (!entry) return false;
    if (entry.expires <= this.clock.now()) {
      this.entries.delete(user);
      return false;
    }
    return timingSafeEqual(entry.digest, this.digest(user, record, password));
  }

  /** Remembers a login whose password was just verified against `record`. */
  remember(user: string, record: string, password: string): void {
    this.entries.delete(user);
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(user, {
      digest: this.digest(user, record, password),
      expires: this.clock.now() + this.ttlMs,
    });
  }

  /** Forgets one user's login (a password change, a disabled account), or every login. */
  forget(user?: string): void {
    if (user === undefined) this.entries.clear();
    else this.entries.delete(user);
  }

  private digest(user: string, record: string, password: string): Buffer {
    return createHmac('sha256', this.key)
      .update(user)
      .update('\0')
      .update(record)
      .update('\0')
      .update(password.normalize('NFKC'))
      .digest();
  }
}
