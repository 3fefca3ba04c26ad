/**
 * Runs a TypeScript worker (through tsx) that prints `ready` once it is at work, kills it with
 * SIGKILL `ms` later (unless it kills itself first, at a failpoint), and resolves with the lines
 * it printed. A last line without its newline was being written when the kill came: it was never
 * said, so it is left out. A worker that exits any other way rejects, with what it printed last.
 */
export declare function runUntilKilled(
  script: string,
  args: readonly string[],
  ms: number,
): Promise<string[]>;
