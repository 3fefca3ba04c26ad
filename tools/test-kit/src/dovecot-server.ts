import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const DOVECOT_BINARY = '/usr/sbin/dovecot';

/** Whether Debian's dovecot-imapd can run as a daemon here. */
export const dovecotServerAvailable =
  existsSync(DOVECOT_BINARY) && existsSync('/usr/lib/dovecot/imap');

/**
 * A whole Dovecot of our own listening on a loopback port: its master, login and imap processes,
 * one user (`bench`, any password) on a maildir in a temporary home, no TLS. For comparisons
 * that need a real server over TCP, driven by the same client as ours (the benchmarks); the
 * {@link DovecotSandbox} is simpler where one pre-authenticated session will do.
 */
export class DovecotServer {
  readonly home = mkdtempSync(join(tmpdir(), 'mailyard-dovecot-server-'));
  /** The user's maildir. */
  readonly maildir = join(this.home, 'mail', 'Maildir');
  private process: ChildProcess | null = null;
  private portNumber = 0;

  get port(): number {
    return this.portNumber;
  }

  /** The master process's id while it runs: its children do the work (imap, auth). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /**
   * Writes the configuration, starts Dovecot in the foreground, waits until it accepts. With
   * `login`, only that user and password log in, checked against a SHA512-CRYPT hash (what a
   * real passdb costs per login; Dovecot's auth cache is off by default); without, any
   * user with any password.
   */
  async start(options: { login?: { user: string; password: string } } = {}): Promise<number> {
    this.portNumber = await freePort();
    const asRoot = process.getuid?.() === 0;
    const user = asRoot ? 'nobody' : (process.env.USER ?? 'nobody');
    const { login } = options;
    if (login) {
      const hash = execFileSync('openssl', ['passwd', '-6', login.password], { encoding: 'utf8' });
      writeFileSync(join(this.home, 'passwd'), `${login.user}:{SHA512-CRYPT}${hash.trim()}\n`);
    }
    mkdirSync(this.maildir, { recursive: true });
    // The mail processes run as another user, who must be able to reach the maildir.
    chmodSync(this.home, 0o755);
    writeFileSync(
      join(this.home, 'dovecot.conf'),
      [
        'protocols = imap',
        'listen = 127.0.0.1',
        `base_dir = ${this.home}/run`,
        `state_dir = ${this.home}/state`,
        `log_path = ${this.home}/log`,
        'ssl = no',
        'disable_plaintext_auth = no',
        'auth_mechanisms = plain login',
        ...(asRoot
          ? ['default_internal_user = dovecot', 'default_login_user = dovenull']
          : [`default_internal_user = ${user}`, `default_login_user = ${user}`]),
        'passdb {',
        ...(login
          ? ['  driver = passwd-file', `  args = ${this.home}/passwd`]
          : ['  driver = static', '  args = nopassword=y']),
        '}',
        // Benchmarks open many sessions for one user from one address (default limit 10).
        'protocol imap {',
        '  mail_max_userip_connections = 1000',
        '}',
        'userdb {',
        '  driver = static',
        `  args = uid=${user} gid=${asRoot ? 'nogroup' : user} home=${this.home}/mail`,
        '}',
        `mail_location = maildir:${this.maildir}`,
        'service imap-login {',
        '  inet_listener imap {',
        `    port = ${this.portNumber}`,
        '  }',
        '  inet_listener imaps {',
        '    port = 0',
        '  }',
        '  process_min_avail = 1',
        '}',
        'service imap {',
        '  process_limit = 1024',
        '}',
        '',
      ].join('\n'),
    );
    this.ownForDovecot();
    this.process = spawn(DOVECOT_BINARY, ['-F', '-c', join(this.home, 'dovecot.conf')], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.portNumber))) {
      if (Date.now() > deadline || this.process.exitCode !== null) {
        const log = existsSync(join(this.home, 'log'))
          ? readFileSync(join(this.home, 'log'), 'utf8')
          : '';
        throw new Error(`dovecot did not start on port ${this.portNumber}: ${log.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.portNumber;
  }

  /**
   * Writes messages straight into the user's INBOX (`cur/` of the maildir), as a delivery agent
   * would, and makes them Dovecot's. Before {@link start}.
   */
  fillMaildir(messages: readonly Uint8Array[]): void {
    const cur = join(this.maildir, 'cur');
    mkdirSync(cur, { recursive: true });
    const base = Math.floor(Date.now() / 1000);
    messages.forEach((content, i) =>
      writeFileSync(
        join(cur, `${base}.M${i}P${process.pid}.bench,S=${content.length}:2,`),
        content,
      ),
    );
    this.ownForDovecot();
  }

  /** Makes what was written into the home (maildir files) Dovecot's. */
  ownForDovecot(): void {
    if (process.getuid?.() === 0)
      execFileSync('chown', ['-R', 'nobody:nogroup', join(this.home, 'mail')]);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
