import { spawn } from 'node:child_process';
/**
 * Runs a TypeScript worker (through tsx) that prints `ready` once it is at work, kills it with
 * SIGKILL `ms` later (unless it kills itself first, at a failpoint), and resolves with the lines
 * it printed. A last line without its newline was being written when the kill came: it was never
 * said, so it is left out. A worker that exits any other way rejects, with what it printed last.
 */
export function runUntilKilled(script, args, ms) {
    return new Promise((resolve, reject) => {
        const worker = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
            stdio: ['ignore', 'pipe', 'inherit'],
        });
        let output = '';
        worker.stdout.on('data', (chunk) => {
            const before = output;
            output += chunk.toString();
            if (!before.includes('ready\n') && output.includes('ready\n'))
                setTimeout(() => worker.kill('SIGKILL'), ms);
        });
        worker.on('error', reject);
        worker.on('exit', (code, signal) => {
            if (signal !== 'SIGKILL')
                return reject(new Error(`worker exited on its own (${code}): ${output.slice(-500)}`));
            resolve(output.split('\n').slice(0, -1));
        });
    });
}
//# sourceMappingURL=crash-worker.js.map