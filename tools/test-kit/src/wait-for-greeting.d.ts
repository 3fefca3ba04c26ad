/**
 * Resolves once a server on the port answers with a greeting that starts with `prefix`; rejects
 * when the server's process exits first, or after 15 s.
 */
export declare function waitForGreeting(
  port: number,
  exited: Promise<void>,
  prefix: string,
): Promise<void>;
