import { existsSync } from 'node:fs';
import { DOVECOT, DovecotDaemon } from './dovecot-daemon.js';
import { freePort, startOnFreePorts } from './free-port.js';
import { describeWithPeer } from './peer.js';
const MANAGESIEVE_BINARIES = ['/usr/lib/dovecot/managesieve', '/usr/lib/dovecot/managesieve-login'];
/** Whether Debian's dovecot-managesieved (and the dovecot-core it needs) is installed. */
export const dovecotManageSieveAvailable = [DOVECOT, ...MANAGESIEVE_BINARIES].every((path) => existsSync(path));
/** Dovecot's managesieved (Pigeonhole), the ManageSieve peer. */
export const DOVECOT_MANAGESIEVE = {
    name: "Dovecot's managesieved",
    available: dovecotManageSieveAvailable,
    install: 'apt-get install dovecot-managesieved',
};
/**
 * `describe` for suites that need Dovecot's managesieved: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing managesieved fails instead.
 */
export function describeWithDovecotManageSieve(name, body) {
    describeWithPeer(DOVECOT_MANAGESIEVE, name, body);
}
/**
 * A whole Dovecot of our own serving ManageSieve on loopback: master, managesieve-login and
 * managesieve processes, a passwd-file, each user's scripts in `~/sieve` with the active one
 * linked from `~/.dovecot.sieve`, all in a temporary directory. No TLS; plaintext logins allowed.
 */
export class DovecotManageSieveServer {
    daemon;
    port;
    constructor(daemon, port) {
        this.daemon = daemon;
        this.port = port;
    }
    get home() {
        return this.daemon.home;
    }
    static async start(options) {
        return startOnFreePorts(() => DovecotManageSieveServer.tryStart(options));
    }
    static async tryStart(options) {
        const port = await freePort();
        const setting = (name, value) => value === undefined ? [] : [`  ${name} = ${value}`];
        const daemon = await DovecotDaemon.start({
            name: 'managesieve',
            protocols: 'sieve',
            users: options.users,
            port,
            greeting: '"IMPLEMENTATION"',
            configure: () => [
                'ssl = no',
                'auth_mechanisms = plain login',
                'plugin {',
                '  sieve = file:~/sieve;active=~/.dovecot.sieve',
                ...setting('sieve_max_script_size', options.maxScriptSize),
                ...setting('sieve_quota_max_scripts', options.maxScripts),
                ...setting('sieve_quota_max_storage', options.maxStorage),
                '}',
                'service managesieve-login {',
                '  chroot =',
                '  inet_listener sieve {',
                `    port = ${port}`,
                '  }',
                '}',
            ],
        });
        return new DovecotManageSieveServer(daemon, port);
    }
    /** Stops Dovecot and removes everything it had. */
    stop() {
        return this.daemon.stop();
    }
}
//# sourceMappingURL=dovecot-managesieve.js.map