import type { ChildProcess } from 'node:child_process';
/** Sends SIGTERM to a peer the test started, and resolves once it has exited. */
export declare function stopChild(child: ChildProcess): Promise<void>;
