export interface NodeRun {
  /** The exit code; null when a signal ended the process. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
/**
 * Runs a script in a node process of its own, outside vitest, and resolves when it exits by
 * itself: what an application's process does when it ends is seen only there (vitest keeps the
 * event loop alive; a plain node ends when nothing holds it, exit code 13 if a top-level await
 * never settled). A TypeScript script runs through tsx, which adds no timer of its own.
 */
export declare function runPlainNode(
  script: string,
  options?: {
    readonly cwd?: string;
    readonly args?: readonly string[];
  },
): Promise<NodeRun>;
