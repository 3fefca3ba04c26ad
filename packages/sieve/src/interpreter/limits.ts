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
}

export const DEFAULT_RUNTIME_LIMITS: RuntimeLimits = {
  maxSteps: 10_000_000,
  maxActions: 32,
  maxRedirects: 4,
  maxVariableSize: 4096,
  maxVariables: 255,
  maxExpandedString: 1024 * 1024,
};
