import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithPeer } from './peer.js';
import { freePort, startOnFreePorts } from './free-port.js';
const POSTFIX = '/usr/sbin/postfix';
const SMTPD = '/usr/lib/postfix/sbin/smtpd';
const run = promisify(execFile);
/**
 * Whether a Postfix instance of our own can run here: Debian's postfix is installed and we are
 * root (Postfix's master must start as root; it then runs its daemons as `postfix`).
 */
export const postfixAvailable = existsSync(POSTFIX) && existsSync(SMTPD) && process.getuid?.() === 0 && hasPostfixUser();
/** Postfix's smtpd, run by a Postfix master of our own (which must start as root). */
export const POSTFIX_SMTPD = {
    name: "Postfix's smtpd (run as root)",
    available: postfixAvailable,
    install: 'apt-get install postfix; run the tests as root',
};
/**
 * `describe` for suites that need a real Postfix smtpd: skipped, saying so, where it cannot run;
 * in CI (MAILYARD_REQUIRE_PEERS=1) a missing Postfix fails instead.
 */
export function describeWithPostfix(name, body) {
    describeWithPeer(POSTFIX_SMTPD, name, body);
}
/**
 * A whole Postfix of our own on loopback, as a test peer: `postfix -c DIR start` with its own
 * configuration, queue and data directories in a temporary home, one smtpd per listener on
 * 127.0.0.1, nothing trusted (loopback clients are strangers, so relaying is refused), every
 * local part of `domains` accepted, and accepted mail discarded. Nothing outside the home is
 * written, so several instances can run at once beside the system's own Postfix.
 */
export class PostfixSmtpd {
    home;
    ports;
    constructor(home, ports) {
        this.home = home;
        this.ports = ports;
    }
    static async start(options = {}) {
        return startOnFreePorts(() => PostfixSmtpd.tryStart(options));
    }
    /** The port of a listener (`default` unless named). */
    port(listener = 'default') {
        const port = this.ports.get(listener);
        if (port === undefined)
            throw new Error(`no Postfix listener named ${listener}`);
        return port;
    }
    /** Postfix's own log of this instance (connections, rejections, warnings). */
    log() {
        const file = join(this.home, 'maillog');
        return existsSync(file) ? readFileSync(file, 'utf8') : '';
    }
    /** `postfix -c DIR stop`, then removes everything the instance had. */
    async stop() {
        const config = join(this.home, 'conf');
        try {
            await run(POSTFIX, ['-c', config, 'stop']);
        }
        catch {
            await run(POSTFIX, ['-c', config, 'abort']).catch(() => undefined);
        }
        // `stop` returns once the master was told; wait until it is gone before removing its files.
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && (await running(config)))
            await sleep(100);
        rmSync(this.home, { recursive: true, force: true });
    }
    static async tryStart(options) {
        const home = mkdtempSync(join(tmpdir(), 'mailyard-postfix-'));
        // Postfix's daemons run as `postfix` and must reach the queue below the home.
        chmodSync(home, 0o755);
        const config = join(home, 'conf');
        const data = join(home, 'data');
        for (const dir of [config, join(home, 'queue'), data])
            mkdirSync(dir);
        // The master keeps its lock and the daemons their caches there, as `postfix`.
        const postfix = postfixIds();
        if (postfix)
            chownSync(data, postfix.uid, postfix.gid);
        const names = ['default', ...Object.keys(options.listeners ?? {})];
        const ports = new Map();
        for (const name of names)
            ports.set(name, await freePort());
        const hostname = options.hostname ?? 'mx.example.com';
        const settings = {
            compatibility_level: '3.6',
            queue_directory: join(home, 'queue'),
            data_directory: data,
            inet_interfaces: 'loopback-only',
            inet_protocols: 'ipv4',
            myhostname: hostname,
            mydomain: hostname.replace(/^[^.]*\./, ''),
            myorigin: '$mydomain',
            mydestination: (options.domains ?? ['example.com']).join(', '),
            // A TEST-NET host that never connects: no client is trusted, so relaying is refused.
            mynetworks: '192.0.2.1/32',
            smtpd_relay_restrictions: 'reject_unauth_destination',
            // No user list: every local part of the domains is taken, as a catch-all would.
            local_recipient_maps: '',
            // Accepted mail goes nowhere; Postfix still queues it first, as it would for real.
            default_transport: 'discard',
            local_transport: 'discard',
            relay_transport: 'discard',
            alias_maps: '',
            smtpd_banner: '$myhostname ESMTP',
            // No DNS for the client's name; no pauses or disconnects for a script's deliberate errors.
            smtpd_peername_lookup: 'no',
            smtpd_error_sleep_time: '0',
            smtpd_soft_error_limit: '1000',
            smtpd_hard_error_limit: '1000',
            smtpd_junk_command_limit: '1000',
            maillog_file: join(home, 'maillog'),
            maillog_file_prefixes: home,
            ...options.settings,
        };
        writeFileSync(join(config, 'main.cf'), Object.entries(settings)
            .map(([key, value]) => `${key} = ${value}\n`)
            .join(''));
        const smtpd = names.map((name) => {
            const overrides = name === 'default' ? {} : (options.listeners?.[name] ?? {});
            const args = Object.entries(overrides).map(([key, value]) => ` -o ${key}=${value}`);
            return `127.0.0.1:${ports.get(name)} inet n - n - - smtpd${args.join('')}`;
        });
        writeFileSync(join(config, 'master.cf'), [...smtpd, ...SERVICES, ''].join('\n'));
        const instance = new PostfixSmtpd(home, ports);
        try {
            await run(POSTFIX, ['-c', config, 'start']);
            for (const port of ports.values())
                await waitForGreeting(port);
        }
        catch (error) {
            const log = instance.log();
            await instance.stop();
            throw new Error(`postfix did not start: ${String(error)}\n${log}`);
        }
        return instance;
    }
}
/** The daemons an smtpd needs behind it (master.cf lines: chroot off, as Debian's are not). */
const SERVICES = [
    'postlog   unix-dgram n - n - 1 postlogd',
    'cleanup   unix n - n - 0 cleanup',
    'qmgr      unix n - n 300 1 qmgr',
    'rewrite   unix - - n - - trivial-rewrite',
    'bounce    unix - - n - 0 bounce',
    'defer     unix - - n - 0 bounce',
    'trace     unix - - n - 0 bounce',
    'verify    unix - - n - 1 verify',
    'flush     unix n - n 1000? 0 flush',
    'proxymap  unix - - n - - proxymap',
    'anvil     unix - - n - 1 anvil',
    'scache    unix - - n - 1 scache',
    'error     unix - - n - - error',
    'retry     unix - - n - - error',
    'discard   unix - - n - - discard',
];
function hasPostfixUser() {
    try {
        return postfixIds() !== null;
    }
    catch {
        return false;
    }
}
/** The uid and gid of the `postfix` account, from /etc/passwd. */
function postfixIds() {
    const line = readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((entry) => entry.startsWith('postfix:'));
    const fields = line?.split(':');
    if (!fields || fields.length < 4)
        return null;
    return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
async function running(config) {
    try {
        await run(POSTFIX, ['-c', config, 'status']);
        return true;
    }
    catch {
        return false;
    }
}
/** Resolves once the port answers with an SMTP greeting. */
async function waitForGreeting(port) {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        const greeted = await new Promise((resolve) => {
            const socket = connect(port, '127.0.0.1');
            socket.setTimeout(2000, () => socket.destroy());
            socket.once('data', (chunk) => {
                socket.end('QUIT\r\n');
                resolve(chunk.toString().startsWith('220'));
            });
            socket.once('error', () => resolve(false));
            socket.once('close', () => resolve(false));
        });
        if (greeted)
            return;
        await sleep(100);
    }
    throw new Error(`no greeting on port ${port} within 15 s`);
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
//# sourceMappingURL=postfix-smtpd.js.map