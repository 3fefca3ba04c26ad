import { BoundedKeyMap } from './bounded-key-map.js';
import { countOption, DEFAULT_MAX_TRACKED, durationOption } from './limit-option.js';
import { systemClock } from './policy-clock.js';
import type { PolicyClock } from './policy-clock.js';

export interface AccountThrottleOptions {
  /** Attempts on an account that run without waiting; 0 turns the throttle off. Default 5. */
  freeAttempts?: number;
  /** The wait after the last free attempt; it doubles with each attempt after. Default 1 s. */
  baseDelayMs?: number;
  /** The longest wait between two attempts. Default 5 minutes. */
  maxDelayMs?: number;
  /** An attempt that would wait longer than this is refused at once. Default 30 s. */
  maxWaitMs?: number;
  /** After this long without an attempt, an account's count starts again. Default 1 hour. */
  forgetAfterMs?: number;
  clock?: PolicyClock;
  /** Distinct accounts remembered; beyond it the least recently tried is forgotten. Default 100,000. */
  maxTracked?: number;
}

/** Admitted after `waitMs` (0: at once), or refused: the line is longer than `maxWaitMs`. */
export type ThrottleVerdict =
  | { readonly admitted: true; readonly waitMs: number }
  | { readonly admitted: false; readonly retryAfterMs: number };

export const DEFAULT_FREE_ATTEMPTS = 5;
export const DEFAULT_BASE_DELAY_MS = 1_000;
export const DEFAULT_MAX_DELAY_MS = 5 * 60_000;
export const DEFAULT_MAX_WAIT_MS = 30_000;
export const DEFAULT_FORGET_AFTER_MS = 60 * 60_000;

interface AccountLine {
  /** Attempts admitted since the account was last reset or forgotten. */
  attempts: number;
  /** The earliest time the next attempt may start. */
  nextAt: number;
}

/**
 * Slows down password guessing at one account, however many addresses the guesses come from.
 * Attempts on an account form one line: the first `freeAttempts` start at once, then each starts
 * at least a delay after the one before it, the delay doubling with every attempt up to
 * `maxDelayMs`. An attempt is given its place in the line when it arrives (so 20 connections
 * arriving together are spaced out, not checked together), and one whose place is more than
 * `maxWaitMs` away is refused without a place: it checks nothing and costs nothing.
 *
 * Every admitted attempt counts, whatever its outcome, because the throttle cannot tell an
 * attacker's abandoned attempt from a failed one; a good password from a new place ends the
 * line with `reset`. The caller decides which attempts go through the line at all
 * (`LoginGuard` lets addresses the account logged in from recently skip it, so that the owner
 * is never delayed). Pure: it says how long to wait; the caller waits.
 */
export class AccountThrottle {
  readonly #freeAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxWaitMs: number;
  readonly #forgetAfterMs: number;
  readonly #clock: PolicyClock;
  readonly #lines: BoundedKeyMap<AccountLine>;

  constructor(options: AccountThrottleOptions = {}) {
    this.#freeAttempts = countOption(
      'freeAttempts',
      options.freeAttempts ?? DEFAULT_FREE_ATTEMPTS,
      0,
    );
    this.#baseDelayMs = durationOption('baseDelayMs', options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS);
    this.#maxDelayMs = durationOption('maxDelayMs', options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
    if (this.#maxDelayMs < this.#baseDelayMs) {
      throw new RangeError(
        `maxDelayMs (${this.#maxDelayMs}) must not be less than baseDelayMs (${this.#baseDelayMs})`,
      );
    }
    this.#maxWaitMs = durationOption('maxWaitMs', options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    this.#forgetAfterMs = durationOption(
      'forgetAfterMs',
      options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS,
    );
    this.#clock = options.clock ?? systemClock;
    const maxTracked = countOption('maxTracked', options.maxTracked ?? DEFAULT_MAX_TRACKED, 1);
    this.#lines = new BoundedKeyMap(maxTracked, (line, now) => this.#isForgotten(line, now));
  }

  /** Whether the throttle does anything (`freeAttempts` above 0). */
  get enabled(): boolean {
    return this.#freeAttempts > 0;
  }

  /** How many accounts are tracked now (bounded by `maxTracked`). */
  get size(): number {
    return this.#lines.size;
  }

  /** Attempts counted against the account now. */
  attempts(account: string): number {
    return this.#lines.get(account, this.#clock.now())?.attempts ?? 0;
  }

  /** The wait the gap after the `attempts`-th attempt imposes on the next one. */
  delayAfter(attempts: number): number {
    if (attempts < this.#freeAttempts) return 0;
    // 2^31 base delays is past any cap; stopping the exponent there keeps the number finite.
    const doublings = Math.min(attempts - this.#freeAttempts, 31);
    return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** doublings);
  }

  /** Gives an attempt on the account its place in the line, or refuses it. */
  reserve(account: string): ThrottleVerdict {
    if (!this.enabled) return { admitted: true, waitMs: 0 };
    const now = this.#clock.now();
    const line = this.#lines.get(account, now) ?? { attempts: 0, nextAt: now };
    const start = Math.max(now, line.nextAt);
    const waitMs = start - now;
    if (waitMs > this.#maxWaitMs) {
      // No place, no count, no write: a refused attempt must not push the line further out.
      return { admitted: false, retryAfterMs: waitMs - this.#maxWaitMs };
    }
    line.attempts += 1;
    line.nextAt = start + this.delayAfter(line.attempts);
    this.#lines.set(account, line, now);
    return { admitted: true, waitMs };
  }

  /** The account's password was given right from a new place: its line starts again. */
  reset(account: string): void {
    this.#lines.delete(account);
  }

  /** Forgets every account's line. */
  resetAll(): void {
    this.#lines.clear();
  }

  #isForgotten(line: AccountLine, now: number): boolean {
    return now >= line.nextAt + this.#forgetAfterMs;
  }
}
