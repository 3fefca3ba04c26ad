import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOVECOT, DovecotDaemon } from './dovecot-daemon.js';
import { freePort, startOnFreePorts } from './free-port.js';
import { describeWithPeer } from './peer.js';
const POP3_BINARIES = ['/usr/lib/dovecot/pop3', '/usr/lib/dovecot/pop3-login'];
/** Whether Debian's dovecot-pop3d (and the dovecot-core it needs) is installed. */
export const dovecotPop3Available = [DOVECOT, ...POP3_BINARIES].every((path) => existsSync(path));
/** Dovecot's pop3d, the POP3 peer. */
export const DOVECOT_POP3 = {
    name: "Dovecot's pop3d",
    available: dovecotPop3Available,
    install: 'apt-get install dovecot-pop3d',
};
/**
 * `describe` for suites that need Dovecot's pop3d: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing pop3d fails instead.
 */
export function describeWithDovecotPop3(name, body) {
    describeWithPeer(DOVECOT_POP3, name, body);
}
/**
 * A whole Dovecot of our own serving POP3 on loopback: master, pop3-login and pop3 processes,
 * a passwd-file, maildirs in a temporary directory. Unlike `DovecotSandbox` (a pre-authenticated
 * `imap` over pipes), a POP3 client must log in, so here Dovecot runs as the daemon it is.
 *
 * As root (CI), Dovecot's processes run as nobody; as another user (a developer machine), every
 * process runs as that user, which Dovecot allows when nothing asks it to change users.
 */
export class DovecotPop3Server {
    daemon;
    port;
    pop3sPort;
    constructor(daemon, port, 
    /** The implicit-TLS port, when a certificate was given. */
    pop3sPort) {
        this.daemon = daemon;
        this.port = port;
        this.pop3sPort = pop3sPort;
    }
    get home() {
        return this.daemon.home;
    }
    static async start(options) {
        return startOnFreePorts(() => DovecotPop3Server.tryStart(options));
    }
    static async tryStart(options) {
        const port = await freePort();
        const pop3sPort = options.tls ? await freePort() : null;
        const daemon = await DovecotDaemon.start({
            name: 'pop3',
            protocols: 'pop3',
            users: options.users,
            port,
            greeting: '+OK',
            configure: (home) => {
                const tls = options.tls
                    ? (() => {
                        writeFileSync(join(home, 'cert.pem'), options.tls.cert);
                        writeFileSync(join(home, 'key.pem'), options.tls.key);
                        return ['ssl = yes', `ssl_cert = <${home}/cert.pem`, `ssl_key = <${home}/key.pem`];
                    })()
                    : ['ssl = no'];
                return [
                    ...tls,
                    `auth_mechanisms = plain login${options.apop === false ? '' : ' apop'}`,
                    'service pop3-login {',
                    '  chroot =',
                    '  inet_listener pop3 {',
                    `    port = ${port}`,
                    '  }',
                    '  inet_listener pop3s {',
                    `    port = ${pop3sPort ?? 0}`,
                    ...(pop3sPort === null ? [] : ['    ssl = yes']),
                    '  }',
                    '}',
                ];
            },
        });
        return new DovecotPop3Server(daemon, port, pop3sPort);
    }
    /** The maildir of a user (created on first use). */
    maildir(user) {
        return join(this.home, 'users', user, 'Maildir');
    }
    /** Puts messages straight into a user's maildir, as a delivery agent would. */
    fillMaildir(user, messages) {
        const maildir = this.maildir(user);
        for (const dir of ['new', 'cur', 'tmp'])
            mkdirSync(join(maildir, dir), { recursive: true });
        const base = Math.floor(Date.now() / 1000);
        messages.forEach((message, i) => writeFileSync(join(maildir, 'new', `${base}.M${i}P${process.pid}R${Math.random().toString(36).slice(2)}.test,S=${message.length}`), message));
        if (process.getuid?.() === 0) {
            execFileSync('chown', ['-R', 'nobody:nogroup', join(this.home, 'users', user)]);
        }
    }
    /** How many messages a user's maildir holds now. */
    messageCount(user) {
        const maildir = this.maildir(user);
        return ['new', 'cur']
            .map((dir) => join(maildir, dir))
            .filter((dir) => existsSync(dir))
            .reduce((n, dir) => n + readdirSync(dir).length, 0);
    }
    /** Stops Dovecot and removes everything it had. */
    stop() {
        return this.daemon.stop();
    }
}
//# sourceMappingURL=dovecot-pop3.js.map