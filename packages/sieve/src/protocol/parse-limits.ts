/** Limits on what the parser accepts; each is answered with an error, never a crash. */
export interface ParseLimits {
  /** Longest script accepted, in UTF-16 code units. Default 1 MiB (Pigeonhole's default too). */
  readonly maxScriptSize: number;
  /** Longest string, quoted or multi-line. Default 1 MiB. */
  readonly maxStringLength: number;
  /** Deepest nesting of blocks (`if` inside `if` ...). Default 32. */
  readonly maxBlockNesting: number;
  /** Deepest nesting of tests (`not`, `allof`, `anyof` inside each other). Default 32. */
  readonly maxTestNesting: number;
  /** Errors reported before the compiler gives up on the rest. Default 100. */
  readonly maxErrors: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = {
  maxScriptSize: 1024 * 1024,
  maxStringLength: 1024 * 1024,
  maxBlockNesting: 32,
  maxTestNesting: 32,
  maxErrors: 100,
};
