/** Why the guard refuses, in the engines' `LoginGuard` words (kept structural: no imports). */
export interface TestRefusal {
  readonly reason: 'address-locked' | 'account-locked' | 'throttled';
  readonly retryAfterMs: number;
}

/**
 * A login guard for the engines' own tests, in the shape of `@mailyard/sasl`'s `LoginGuard`:
 * it locks an address after `addressLimit` failures, refuses the logins it is told to, and
 * writes down every call, so that a test sees what the engine asked and reported, and in which
 * order. (The real guard, `@mailyard/access-policy`'s, has tests of its own, and the example
 * server runs it end to end.)
 */
export class RecordingLoginGuard {
  readonly calls: string[] = [];
  readonly failures = new Map<string, number>();

  constructor(
    private readonly options: {
      readonly addressLimit?: number;
      /** Refusals by login name, as the engine passes it. */
      readonly refuse?: Readonly<Record<string, TestRefusal>>;
    } = {},
  ) {}

  checkAddress(ip: string): TestRefusal | null {
    const limit = this.options.addressLimit;
    if (limit === undefined || (this.failures.get(ip) ?? 0) < limit) return null;
    return { reason: 'address-locked', retryAfterMs: 60_000 };
  }

  async admit(ip: string, login: string): Promise<TestRefusal | null> {
    this.calls.push(`admit ${ip} ${login}`);
    return this.checkAddress(ip) ?? this.options.refuse?.[login] ?? null;
  }

  async recordFailure(
    ip: string,
    login: string | null,
  ): Promise<{ justLocked: boolean; accountJustLocked: boolean }> {
    this.calls.push(`failure ${ip} ${login ?? '-'}`);
    const count = (this.failures.get(ip) ?? 0) + 1;
    this.failures.set(ip, count);
    return { justLocked: count === this.options.addressLimit, accountJustLocked: false };
  }

  async recordSuccess(ip: string, login: string): Promise<void> {
    this.calls.push(`success ${ip} ${login}`);
    this.failures.delete(ip);
  }
}
