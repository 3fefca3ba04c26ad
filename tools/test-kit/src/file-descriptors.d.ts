/** A process's limit on open files (RLIMIT_NOFILE), as prlimit(1) reports and sets it. */
export interface FileLimit {
  readonly soft: number;
  readonly hard: number;
}
/** The open-files limit of a process (this one by default), read with prlimit(1). */
export declare function fileLimit(pid?: number): FileLimit;
/** Sets the soft open-files limit of a running process (prlimit(1), util-linux). */
export declare function setSoftFileLimit(pid: number, soft: number, hard?: number): void;
/** The descriptors a process has open now (Linux: /proc/<pid>/fd). */
export declare function openDescriptors(pid?: number | 'self'): number[];
/**
 * Makes this process run out of file descriptors, for real: its soft limit is lowered to a few
 * above the highest descriptor open now, and every free number below it is taken by /dev/null.
 * From then on every open(), socket() and accept() fails with EMFILE, as it does under an fd
 * exhaustion attack, until the returned function closes them and restores the limit. It takes
 * the whole process: vitest's default `forks` pool runs each test file in a process of its own,
 * and the tests of a file one after another.
 */
export declare function exhaustFileDescriptors(): () => void;
