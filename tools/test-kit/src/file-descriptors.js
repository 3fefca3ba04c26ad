import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
/** The open-files limit of a process (this one by default), read with prlimit(1). */
export function fileLimit(pid = process.pid) {
    const output = execFileSync('prlimit', ['--pid', String(pid), '--nofile', '--raw', '--noheadings', '--output=SOFT,HARD'], { encoding: 'utf8' });
    const [soft, hard] = output.trim().split(/\s+/).map(Number);
    return { soft: soft, hard: hard };
}
/** Sets the soft open-files limit of a running process (prlimit(1), util-linux). */
export function setSoftFileLimit(pid, soft, hard = fileLimit(pid).hard) {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${soft}:${hard}`]);
}
/** The descriptors a process has open now (Linux: /proc/<pid>/fd). */
export function openDescriptors(pid = 'self') {
    return readdirSync(`/proc/${pid}/fd`).map(Number);
}
/**
 * Descriptors the exhaustion holds above the highest one open when it starts. Restoring the
 * limit runs prlimit(1), and spawning it takes descriptors (pipes for its output and for the
 * spawn itself): closing what was held must free enough of them even when the process had no
 * free number below its highest descriptor (CI found such a machine).
 */
const RESERVE = 32;
/**
 * Makes this process run out of file descriptors, for real: its soft limit is lowered to a few
 * above the highest descriptor open now, and every free number below it is taken by /dev/null.
 * From then on every open(), socket() and accept() fails with EMFILE, as it does under an fd
 * exhaustion attack, until the returned function closes them and restores the limit. It takes
 * the whole process: vitest's default `forks` pool runs each test file in a process of its own,
 * and the tests of a file one after another.
 */
export function exhaustFileDescriptors() {
    const { soft, hard } = fileLimit();
    setSoftFileLimit(process.pid, Math.max(...openDescriptors()) + 1 + RESERVE, hard);
    const held = [];
    try {
        for (;;)
            held.push(openSync('/dev/null', 'r'));
    }
    catch (error) {
        if (error.code !== 'EMFILE') {
            release();
            throw error;
        }
    }
    function release() {
        for (const fd of held.splice(0))
            closeSync(fd);
        setSoftFileLimit(process.pid, soft, hard);
    }
    return release;
}
//# sourceMappingURL=file-descriptors.js.map