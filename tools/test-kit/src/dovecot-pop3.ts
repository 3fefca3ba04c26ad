import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { type Peer, describeWithPeer } from './peer.js';
import { freePort, startOnFreePorts } from './free-port.js';
import { waitForGreeting } from './wait-for-greeting.js';

const DOVECOT = '/usr/sbin/dovecot';
const POP3_BINARIES = ['/usr/lib/dovecot/pop3', '/usr/lib/dovecot/pop3-login'];

/** Whether Debian's dovecot-pop3d (and the dovecot-core it needs) is installed. */
export const dovecotPop3Available = [DOVECOT, ...POP3_BINARIES].every((path) => existsSync(path));

/** Dovecot's pop3d, the POP3 peer. */
export const DOVECOT_POP3: Peer = {
  name: "Dovecot's pop3d",
  available: dovecotPop3Available,
  install: 'apt-get install dovecot-pop3d',
};

/**
 * `describe` for suites that need Dovecot's pop3d: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing pop3d fails instead.
 */
export function describeWithDovecotPop3(name: string, body: () => void): void {
  describeWithPeer(DOVECOT_POP3, name, body);
}

export interface DovecotPop3Options {
  /** Accounts, password in the clear (a passwd-file with `{PLAIN}`, so APOP works too). */
  readonly users: readonly { readonly name: string; readonly password: string }[];
  /** A certificate and key (PEM): then STLS is offered and a pop3s listener runs. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Offer APOP (a timestamp in the greeting). Default true. */
  readonly apop?: boolean;
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
  private constructor(
    readonly home: string,
    readonly port: number,
    /** The implicit-TLS port, when a certificate was given. */
    readonly pop3sPort: number | null,
    private readonly master: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(options: DovecotPop3Options): Promise<DovecotPop3Server> {
    return startOnFreePorts(() => DovecotPop3Server.tryStart(options));
  }

  private static async tryStart(options: DovecotPop3Options): Promise<DovecotPop3Server> {
    const home = mkdtempSync(join(tmpdir(), 'mailyard-dovecot-pop3-'));
    const asRoot = process.getuid?.() === 0;
    const account = asRoot ? { user: 'nobody', group: 'nogroup' } : currentAccount();
    const port = await freePort();
    const pop3sPort = options.tls ? await freePort() : null;
    for (const dir of ['run', 'state', 'users']) mkdirSync(join(home, dir));
    writeFileSync(
      join(home, 'passwd'),
      options.users.map((u) => `${u.name}:{PLAIN}${u.password}\n`).join(''),
    );
    const tls = options.tls
      ? (() => {
          writeFileSync(join(home, 'cert.pem'), options.tls.cert);
          writeFileSync(join(home, 'key.pem'), options.tls.key);
          return ['ssl = yes', `ssl_cert = <${home}/cert.pem`, `ssl_key = <${home}/key.pem`];
        })()
      : ['ssl = no'];
    const conf = [
      'protocols = pop3',
      'listen = 127.0.0.1',
      `base_dir = ${home}/run`,
      `state_dir = ${home}/state`,
      `log_path = ${home}/log`,
      ...tls,
      'disable_plaintext_auth = no',
      `auth_mechanisms = plain login${options.apop === false ? '' : ' apop'}`,
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
      '',
    ].join('\n');
    writeFileSync(join(home, 'dovecot.conf'), conf);
    if (asRoot) {
      // Dovecot's auth and mail processes run as nobody: they must reach the passwd-file and
      // the maildirs.
      chmodSync(home, 0o755);
      execFileSync('chown', ['-R', `${account.user}:${account.group}`, join(home, 'users')]);
    }
    const master = spawn(DOVECOT, ['-F', '-c', join(home, 'dovecot.conf')], {
      cwd: home,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    master.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<void>((resolve) => master.on('exit', () => resolve()));
    const server = new DovecotPop3Server(home, port, pop3sPort, master, exited);
    try {
      await waitForGreeting(port, exited, '+OK');
    } catch (error) {
      await server.stop();
      const log = existsSync(join(home, 'log')) ? readFileSync(join(home, 'log'), 'utf8') : '';
      throw new Error(`dovecot did not start: ${String(error)}\n${stderr}${log}`);
    }
    return server;
  }

  /** The maildir of a user (created on first use). */
  maildir(user: string): string {
    return join(this.home, 'users', user, 'Maildir');
  }

  /** Puts messages straight into a user's maildir, as a delivery agent would. */
  fillMaildir(user: string, messages: readonly Uint8Array[]): void {
    const maildir = this.maildir(user);
    for (const dir of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, dir), { recursive: true });
    const base = Math.floor(Date.now() / 1000);
    messages.forEach((message, i) =>
      writeFileSync(
        join(
          maildir,
          'new',
          `${base}.M${i}P${process.pid}R${Math.random().toString(36).slice(2)}.test,S=${message.length}`,
        ),
        message,
      ),
    );
    if (process.getuid?.() === 0) {
      execFileSync('chown', ['-R', 'nobody:nogroup', join(this.home, 'users', user)]);
    }
  }

  /** How many messages a user's maildir holds now. */
  messageCount(user: string): number {
    const maildir = this.maildir(user);
    return ['new', 'cur']
      .map((dir) => join(maildir, dir))
      .filter((dir) => existsSync(dir))
      .reduce((n, dir) => n + readdirSync(dir).length, 0);
  }

  /** Stops Dovecot and removes everything it had. */
  async stop(): Promise<void> {
    if (this.master.exitCode === null && this.master.signalCode === null) {
      this.master.kill('SIGTERM');
      const timer = setTimeout(() => this.master.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

function currentAccount(): { user: string; group: string } {
  const user = userInfo().username;
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { user, group };
}
