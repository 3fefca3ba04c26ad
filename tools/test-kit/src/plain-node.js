import { spawn } from 'node:child_process';
/**
 * Runs a script in a node process of its own, outside vitest, and resolves when it exits by
 * itself: what an application's process does when it ends is seen only there (vitest keeps the
 * event loop alive; a plain node ends when nothing holds it, exit code 13 if a top-level await
 * never settled). A TypeScript script runs through tsx, which adds no timer of its own.
 */
export function runPlainNode(script, options = {}) {
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [...loader, script, ...(options.args ?? [])], {
            cwd: options.cwd,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk) => (stderr += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
}
//# sourceMappingURL=plain-node.js.map