import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { waitForGreeting } from './wait-for-greeting.js';
export const DOVECOT = '/usr/sbin/dovecot';
/**
 * A whole Dovecot of our own on loopback, as the daemon it is: master, login and protocol
 * processes, a passwd-file, each user's home under `<home>/users/<user>`, everything in a
 * temporary directory. As root (CI), Dovecot's processes run as nobody; as another user (a
 * developer machine), every process runs as that user, which Dovecot allows when nothing asks
 * it to change users.
 */
export class DovecotDaemon {
    home;
    master;
    exited;
    constructor(home, master, exited) {
        this.home = home;
        this.master = master;
        this.exited = exited;
    }
    static async start(options) {
        const home = mkdtempSync(join(tmpdir(), `mailyard-dovecot-${options.name}-`));
        const asRoot = process.getuid?.() === 0;
        const account = asRoot ? { user: 'nobody', group: 'nogroup' } : currentAccount();
        for (const dir of ['run', 'state', 'users'])
            mkdirSync(join(home, dir));
        writeFileSync(join(home, 'passwd'), options.users.map((u) => `${u.name}:{PLAIN}${u.password}\n`).join(''));
        const conf = [
            `protocols = ${options.protocols}`,
            'listen = 127.0.0.1',
            `base_dir = ${home}/run`,
            `state_dir = ${home}/state`,
            `log_path = ${home}/log`,
            'disable_plaintext_auth = no',
            `default_internal_user = ${account.user}`,
            `default_internal_group = ${account.group}`,
            `default_login_user = ${account.user}`,
            `mail_uid = ${account.user}`,
            `mail_gid = ${account.group}`,
            'first_valid_uid = 0',
            'first_valid_gid = 0',
            'mail_location = maildir:~/Maildir',
            'passdb {',
            '  driver = passwd-file',
            `  args = scheme=PLAIN username_format=%u ${home}/passwd`,
            '}',
            'userdb {',
            '  driver = static',
            `  args = uid=${account.user} gid=${account.group} home=${home}/users/%u`,
            '}',
            'service anvil {',
            '  chroot =',
            '}',
            'service stats {',
            '  unix_listener stats-reader {',
            '    mode = 0666',
            '  }',
            '  unix_listener stats-writer {',
            '    mode = 0666',
            '  }',
            '}',
            ...options.configure(home, account),
            '',
        ].join('\n');
        writeFileSync(join(home, 'dovecot.conf'), conf);
        if (asRoot) {
            // Dovecot's auth and mail processes run as nobody: they must reach the passwd-file and
            // the users' homes.
            chmodSync(home, 0o755);
            execFileSync('chown', ['-R', `${account.user}:${account.group}`, join(home, 'users')]);
        }
        const master = spawn(DOVECOT, ['-F', '-c', join(home, 'dovecot.conf')], {
            cwd: home,
            stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        master.stderr?.on('data', (chunk) => (stderr += chunk.toString()));
        const exited = new Promise((resolve) => master.on('exit', () => resolve()));
        const daemon = new DovecotDaemon(home, master, exited);
        try {
            await waitForGreeting(options.port, exited, options.greeting);
        }
        catch (error) {
            const log = existsSync(join(home, 'log')) ? readFileSync(join(home, 'log'), 'utf8') : '';
            await daemon.stop();
            throw new Error(`dovecot did not start: ${String(error)}\n${stderr}${log}`);
        }
        return daemon;
    }
    /** Stops Dovecot and removes everything it had. */
    async stop() {
        if (this.master.exitCode === null && this.master.signalCode === null) {
            this.master.kill('SIGTERM');
            const timer = setTimeout(() => this.master.kill('SIGKILL'), 5000);
            await this.exited;
            clearTimeout(timer);
        }
        rmSync(this.home, { recursive: true, force: true });
    }
}
function currentAccount() {
    const user = userInfo().username;
    const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
    return { user, group };
}
//# sourceMappingURL=dovecot-daemon.js.map