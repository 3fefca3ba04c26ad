/**
 * What a checker says of a script: fine, perhaps with warnings (`OK (WARNINGS)`), or not, with
 * every error found (RFC 5804 2.6: `NO` with a human-readable description of them).
 */
export type SieveCheckResult =
  | { readonly ok: true; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Compiles a script for PUTSCRIPT and CHECKSCRIPT. The engine knows no Sieve: an application
 * passes its compiler here (`@mailyard/sieve`'s, say), for the extensions it advertises in
 * the `SIEVE` capability. A checker that throws is the server's failure: `NO (TRYLATER)`.
 */
export type SieveScriptChecker = (
  script: string,
  user: string,
) => SieveCheckResult | Promise<SieveCheckResult>;
