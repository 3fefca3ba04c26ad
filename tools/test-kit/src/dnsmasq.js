import { spawn } from 'node:child_process';
import { stopChild } from './stop-child.js';
import { commandAvailable } from './peer-command.js';
import { freePort, startOnFreePorts } from './free-port.js';
export const dnsmasqPeer = {
    name: 'dnsmasq',
    available: commandAvailable('dnsmasq') || commandAvailable('/usr/sbin/dnsmasq'),
    install: 'apt-get install dnsmasq-base',
};
/**
 * A real DNS server on loopback with a zone of our own: dnsmasq answers the given A and TXT records and
 * NXDOMAIN for anything else under the `local` zones (anything outside them is REFUSED: no
 * upstream). Resolves once dnsmasq says it has started, which it says after binding.
 */
export function startDnsmasq(records, localZones, txtRecords = {}) {
    return startOnFreePorts(async () => {
        const port = await freePort();
        const args = [
            '--no-daemon',
            '--conf-file=/dev/null',
            `--port=${port}`,
            '--listen-address=127.0.0.1',
            '--bind-interfaces',
            '--no-resolv',
            '--no-hosts',
            '--pid-file=',
            '--log-facility=-',
            ...(process.getuid?.() === 0 ? ['--user=root'] : []),
            ...localZones.map((zone) => `--local=/${zone}/`),
            ...Object.entries(records).map(([name, ip]) => `--host-record=${name},${ip}`),
            ...Object.entries(txtRecords).map(([name, text]) => `--txt-record=${name},${text}`),
        ];
        const child = spawn(commandAvailable('dnsmasq') ? 'dnsmasq' : '/usr/sbin/dnsmasq', args, {
            stdio: ['ignore', 'ignore', 'pipe'],
        });
        await new Promise((resolve, reject) => {
            let output = '';
            child.stderr.on('data', (chunk) => {
                output += chunk.toString();
                if (output.includes('started, version'))
                    resolve();
            });
            child.once('exit', (code) => reject(new Error(`dnsmasq exited (${code}): ${output}`)));
            child.once('error', reject);
        });
        return { address: `127.0.0.1:${port}`, stop: () => stopChild(child) };
    });
}
//# sourceMappingURL=dnsmasq.js.map