/**
 * The clock the counters read: UTC milliseconds. Structurally the same as the `Clock` of
 * `@mailyard/mailstore-interface`, so either can be passed, without this package depending on it.
 */
export interface PolicyClock {
  now(): number;
}

/** The default when no clock is injected. */
export const systemClock: PolicyClock = { now: () => Date.now() };
