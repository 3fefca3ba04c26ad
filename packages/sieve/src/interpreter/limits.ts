/**
 * Budgets of one run. A script that exceeds one gets a runtime error (the message is then kept,
 * RFC 5228 section 2.10.6); nothing a script does runs unbounded.
 */
export interface RuntimeLimits {
  /**
   * CPU steps: each command and test counts one, each comparison of a value with a key one more,
   * each step of a `:matches` walk one (and one per 16 characters of a literal piece it compares),
   * and each `${...}` reference one plus one per 4 characters it brings. Default 10,000,000
   * (a hostile script stops within some 0.2 to 0.4 s).
   */
  readonly maxSteps: number;
  /** Actions in the result, implicit keep not counted. Default 32 (Pigeonhole's default). */
  readonly maxActions: number;
  /** `redirect` actions in the result. Default 4 (Pigeonhole's default). */
  readonly maxRedirects: number;
  /** Longest variable value, in characters; longer values are cut (RFC 5229 section 3). Default 4096. */
  readonly maxVariableSize: number;
  /** Distinct variables one run may set. Default 255. */
  readonly maxVariables: number;
  /**
   * Longest string a run builds by expanding `${...}` references (a key, a mailbox name, a
   * reason), in characters; past it the run fails. Default 1 MiB, the longest literal string.
   */
  readonly maxExpandedString: number;
  /**
   * vacation (RFC 5230 4.1, RFC 6131): the shortest period between two replies to one sender, in
   * seconds; a shorter `:days`/`:seconds` is raised to it. Default 86400 (one day, RFC 5230's
   * usual minimum and Pigeonhole's `sieve_vacation_min_period`).
   */
  readonly vacationMinPeriod: number;
  /**
   * vacation: the longest period, in seconds; a longer one is lowered to it; 0 for none. RFC 5230
   * 4.1 wants a maximum above 7 days. Default 0 (none, as Pigeonhole's `sieve_vacation_max_period`).
   */
  readonly vacationMaxPeriod: number;
  /** vacation: the period when the script gives none, in seconds. Default 604800 (7 days, RFC 5230 4.1). */
  readonly vacationDefaultPeriod: number;
  /**
   * body (RFC 5173): bytes of each part (or of the raw body) the body test reads; what lies
   * beyond is not compared. Default 1 MiB.
   */
  readonly maxBodyTestSize: number;
  /**
   * duplicate (RFC 7352): how long an id is remembered when the script gives no `:seconds`, in
   * seconds. Default 43200 (12 hours, Pigeonhole's `sieve_duplicate_default_period`).
   */
  readonly duplicateDefaultPeriod: number;
  /**
   * duplicate: the longest `:seconds`; a longer one is lowered to it. Default 172800 (2 days,
   * Pigeonhole's `sieve_duplicate_max_period`).
   */
  readonly duplicateMaxPeriod: number;
}

export const DEFAULT_RUNTIME_LIMITS: RuntimeLimits = {
  maxSteps: 10_000_000,
  maxActions: 32,
  maxRedirects: 4,
  maxVariableSize: 4096,
  maxVariables: 255,
  maxExpandedString: 1024 * 1024,
  vacationMinPeriod: 86_400,
  vacationMaxPeriod: 0,
  vacationDefaultPeriod: 604_800,
  maxBodyTestSize: 1_048_576,
  duplicateDefaultPeriod: 43_200,
  duplicateMaxPeriod: 172_800,
};
