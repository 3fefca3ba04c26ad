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
export declare class RecordingLoginGuard {
  private readonly options;
  readonly calls: string[];
  readonly failures: Map<string, number>;
  constructor(options?: {
    readonly addressLimit?: number;
    /** Refusals by login name, as the engine passes it. */
    readonly refuse?: Readonly<Record<string, TestRefusal>>;
  });
  checkAddress(ip: string): TestRefusal | null;
  admit(ip: string, login: string): Promise<TestRefusal | null>;
  recordFailure(
    ip: string,
    login: string | null,
  ): Promise<{
    justLocked: boolean;
    accountJustLocked: boolean;
  }>;
  recordSuccess(ip: string, login: string): Promise<void>;
}
