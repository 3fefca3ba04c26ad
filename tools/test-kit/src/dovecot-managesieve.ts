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
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { type Peer, describeWithPeer } from './peer.js';
import { freePort, startOnFreePorts } from './free-port.js';
import { waitForGreeting } from './wait-for-greeting.js';

const DOVECOT = '/usr/sbin/dovecot';
const MANAGESIEVE_BINARIES = ['/usr/lib/dovecot/managesieve', '/usr/lib/dovecot/managesieve-login'];

/** Whether Debian's dovecot-managesieved (and the dovecot-core it needs) is installed. */
export const dovecotManageSieveAvailable = [DOVECOT, ...MANAGESIEVE_BINARIES].every((path) =>
  existsSync(path),
);

/** Dovecot's managesieved (Pigeonhole), the ManageSieve peer. */
export const DOVECOT_MANAGESIEVE: Peer = {
  name: "Dovecot's managesieved",
  available: dovecotManageSieveAvailable,
  install: 'apt-get install dovecot-managesieved',
};

/**
 * `describe` for suites that need Dovecot's managesieved: skipped, saying so, where it is not
 * installed; in CI (MAILYARD_REQUIRE_PEERS=1) a missing managesieved fails instead.
 */
export function describeWithDovecotManageSieve(name: string, body: () => void): void {
  describeWithPeer(DOVECOT_MANAGESIEVE, name, body);
}

export interface DovecotManageSieveOptions {
  /** Accounts, password in the clear (a passwd-file with `{PLAIN}`). */
  readonly users: readonly { readonly name: string; readonly password: string }[];
  /** Pigeonhole's `sieve_max_script_size` in octets; default its own (unlimited). */
  readonly maxScriptSize?: number;
  /** Pigeonhole's `sieve_quota_max_scripts`; default its own (unlimited). */
  readonly maxScripts?: number;
  /** Pigeonhole's `sieve_quota_max_storage` in octets; default its own (unlimited). */
  readonly maxStorage?: number;
}

/**
 * A whole Dovecot of our own serving ManageSieve on loopback: master, managesieve-login and
 * managesieve processes, a passwd-file, each user's scripts in `~/sieve` with the active one
 * linked from `~/.dovecot.sieve`, all in a temporary directory. No TLS; plaintext logins allowed.
 *
 * As root (CI), Dovecot's processes run as nobody; as another user, every process runs as that
 * user, which Dovecot allows when nothing asks it to change users.
 */
export class DovecotManageSieveServer {
  private constructor(
    readonly home: string,
    readonly port: number,
    private readonly master: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(options: DovecotManageSieveOptions): Promise<DovecotManageSieveServer> {
    return startOnFreePorts(() => DovecotManageSieveServer.tryStart(options));
  }

  private static async tryStart(
    options: DovecotManageSieveOptions,
  ): Promise<DovecotManageSieveServer> {
    const home = mkdtempSync(join(tmpdir(), 'mailyard-dovecot-managesieve-'));
    const asRoot = process.getuid?.() === 0;
    const account = asRoot ? { user: 'nobody', group: 'nogroup' } : currentAccount();
    const port = await freePort();
    for (const dir of ['run', 'state', 'users']) mkdirSync(join(home, dir));
    writeFileSync(
      join(home, 'passwd'),
      options.users.map((u) => `${u.name}:{PLAIN}${u.password}\n`).join(''),
    );
    const quota = [
      ...(options.maxScriptSize === undefined
        ? []
        : [`  sieve_max_script_size = ${options.maxScriptSize}`]),
      ...(options.maxScripts === undefined
        ? []
        : [`  sieve_quota_max_scripts = ${options.maxScripts}`]),
      ...(options.maxStorage === undefined
        ? []
        : [`  sieve_quota_max_storage = ${options.maxStorage}`]),
    ];
    const conf = [
      'protocols = sieve',
      'listen = 127.0.0.1',
      `base_dir = ${home}/run`,
      `state_dir = ${home}/state`,
      `log_path = ${home}/log`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
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
      'plugin {',
      '  sieve = file:~/sieve;active=~/.dovecot.sieve',
      ...quota,
      '}',
      'service managesieve-login {',
      '  chroot =',
      '  inet_listener sieve {',
      `    port = ${port}`,
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
    const server = new DovecotManageSieveServer(home, port, master, exited);
    try {
      await waitForGreeting(port, exited, '"IMPLEMENTATION"');
    } catch (error) {
      await server.stop();
      const log = existsSync(join(home, 'log')) ? readFileSync(join(home, 'log'), 'utf8') : '';
      throw new Error(`dovecot did not start: ${String(error)}\n${stderr}${log}`);
    }
    return server;
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
