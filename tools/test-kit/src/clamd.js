import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './stop-child.js';
import { commandAvailable } from './peer-command.js';
import { freePort } from './free-port.js';
const CLAMD_COMMAND = ['clamd', '/usr/sbin/clamd'].find((name) => commandAvailable(name));
export const clamdPeer = {
    name: "ClamAV's clamd",
    available: CLAMD_COMMAND !== undefined,
    install: 'apt-get install clamav-daemon',
};
/**
 * A real clamd on a free loopback port that loads only signatures of the test's own (there is
 * no internet for signature updates, and none is needed): `signatures` maps a name to the text
 * a message must contain (clamd reports `<name>.UNOFFICIAL`). `settings` are more clamd.conf
 * lines (`StreamMaxLength 64K`). Resolves once clamd said its database is loaded; the caller
 * waits for it to answer PING (clamd binds its socket just after).
 */
export async function startClamd(signatures, settings = []) {
    const directory = await mkdtemp(join(tmpdir(), 'mailyard-clamd-'));
    await writeFile(join(directory, 'mailyard.ndb'), Object.entries(signatures)
        .map(([name, text]) => `${name}:0:*:${Buffer.from(text).toString('hex')}\n`)
        .join(''));
    const port = await freePort();
    await writeFile(join(directory, 'clamd.conf'), [
        `DatabaseDirectory ${directory}`,
        `TCPSocket ${port}`,
        'TCPAddr 127.0.0.1',
        'Foreground yes',
        ...settings,
        ...(process.getuid?.() === 0 ? ['User root'] : []),
    ].join('\n'));
    const child = spawn(CLAMD_COMMAND ?? 'clamd', ['-c', join(directory, 'clamd.conf')], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise((resolve, reject) => {
        let output = '';
        const read = (chunk) => {
            output += chunk.toString();
            if (output.includes('Self checking every'))
                resolve();
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.once('exit', (code) => reject(new Error(`clamd exited (${code}): ${output}`)));
        child.once('error', reject);
    });
    return {
        port,
        stop: async () => {
            await stopChild(child);
            await rm(directory, { recursive: true, force: true });
        },
    };
}
//# sourceMappingURL=clamd.js.map