import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { stopChild } from './stop-child.js';
import { commandAvailable } from './peer-command.js';
import { freePort, startOnFreePorts } from './free-port.js';

export const dnsmasqPeer = {
  name: 'dnsmasq',
  available: commandAvailable('dnsmasq') || commandAvailable('/usr/sbin/dnsmasq'),
  install: 'apt-get install dnsmasq-base',
};

export interface DnsServer {
  readonly address: string;
  stop(): Promise<void>;
}

export interface DnsmasqOptions {
  /**
   * Names (and what is under them) that dnsmasq forwards to an upstream that never answers: a
   * real DNS timeout for a client that asks, as when an authoritative server is down.
   */
  readonly unanswered?: readonly string[];
}

/**
 * A real DNS server on loopback with a zone of our own: dnsmasq answers the given A and TXT records and
 * NXDOMAIN for anything else under the `local` zones (anything outside them is REFUSED: no
 * upstream), and lets queries for `unanswered` names time out. Resolves once dnsmasq says it has
 * started, which it says after binding.
 */
export function startDnsmasq(
  records: Readonly<Record<string, string>>,
  localZones: readonly string[],
  txtRecords: Readonly<Record<string, string>> = {},
  options: DnsmasqOptions = {},
): Promise<DnsServer> {
  return startOnFreePorts(async () => {
    const port = await freePort();
    // The upstream that never answers: a UDP socket that reads queries and drops them.
    const silent = options.unanswered?.length ? createSocket('udp4') : null;
    if (silent) await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const silentPort = silent ? (silent.address() as { port: number }).port : 0;
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
      ...(options.unanswered ?? []).map((name) => `--server=/${name}/127.0.0.1#${silentPort}`),
    ];
    const child = spawn(commandAvailable('dnsmasq') ? 'dnsmasq' : '/usr/sbin/dnsmasq', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.once('exit', () => silent?.close());
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('started, version')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`dnsmasq exited (${code}): ${output}`)));
      child.once('error', reject);
    });
    return { address: `127.0.0.1:${port}`, stop: () => stopChild(child) };
  });
}
