import type { Clock } from './clock.js';

/** A user's limits; 0 means unlimited, as Kerio's "Limit disk space" and "Limit item count". */
export interface QuotaLimits {
  /** Octets of stored messages. */
  readonly storage: number;
  readonly messages: number;
}

export interface QuotaUsage {
  readonly storage: number;
  readonly messages: number;
}

export const UNLIMITED: QuotaLimits = { storage: 0, messages: 0 };

/** Whether adding `added` to `usage` would pass a limit. */
export function wouldExceedQuota(
  usage: QuotaUsage,
  limits: QuotaLimits,
  added: QuotaUsage,
): boolean {
  return (
    (limits.storage > 0 && usage.storage + added.storage > limits.storage) ||
    (limits.messages > 0 && usage.messages + added.messages > limits.messages)
  );
}

/** The fraction of the fuller limit in use, 0 when unlimited. */
export function quotaFill(usage: QuotaUsage, limits: QuotaLimits): number {
  return Math.max(
    limits.storage > 0 ? usage.storage / limits.storage : 0,
    limits.messages > 0 ? usage.messages / limits.messages : 0,
  );
}

export interface QuotaWarning {
  readonly user: string;
  readonly usage: QuotaUsage;
  readonly limits: QuotaLimits;
}

export const DEFAULT_QUOTA_WARNING_THRESHOLD = 0.9;
const DAY = 24 * 60 * 60 * 1000;

/**
 * Kerio's quota warning (8.3): when a user's usage reaches the threshold (`QuotaWarningThreshold`,
 * 90 % by default), warn, at most once per 24 hours even if usage drops and rises again.
 */
export class QuotaWarnings {
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly onWarning: ((warning: QuotaWarning) => void) | undefined,
    private readonly threshold = DEFAULT_QUOTA_WARNING_THRESHOLD,
  ) {}

  /** Call after usage changed upward. */
  check(user: string, usage: QuotaUsage, limits: QuotaLimits): void {
    if (!this.onWarning || quotaFill(usage, limits) < this.threshold) return;
    const now = this.clock.now();
    const last = this.lastWarned.get(user);
    if (last !== undefined && now - last < DAY) return;
    this.lastWarned.set(user, now);
    this.onWarning({ user, usage, limits });
  }
}
