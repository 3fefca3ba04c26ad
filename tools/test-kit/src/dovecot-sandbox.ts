import { execFileSync, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Peer, describeWithPeer } from './peer.js';

const IMAP_BINARY = '/usr/lib/dovecot/imap';

/** Whether Debian's dovecot-imapd is installed. */
export const dovecotAvailable = existsSync(IMAP_BINARY);

/** Dovecot's imap, the IMAP oracle. */
export const DOVECOT_IMAP: Peer = {
  name: `Dovecot's imap (${IMAP_BINARY})`,
  available: dovecotAvailable,
  install: 'apt-get install dovecot-imapd',
};

/**
 * `describe` for suites that need Dovecot: skipped, saying so, where it is not installed; in CI
 * (MAILYARD_REQUIRE_PEERS=1) a missing Dovecot fails instead.
 */
export function describeWithDovecot(name: string, body: () => void): void {
  describeWithPeer(DOVECOT_IMAP, name, body);
}

/**
 * A Dovecot of our own for one test or benchmark: its `imap` binary run as a pre-authenticated
 * session over pipes, on a maildir in a temporary home. No daemon, port or password.
 *
 * Dovecot wants real pipes on stdin (it refuses a socket, "must not be started from inetd", and
 * Node's pipes are socketpairs), cannot poll a plain file, and drops a session whose input ends
 * while it is still writing a large answer. So stdin is a FIFO that we hold open, for reading and
 * writing, until the process has exited: it never sees the end of its input.
 */
export class DovecotSandbox {
  readonly home = mkdtempSync(join(tmpdir(), 'mailyard-dovecot-'));

  /**
   * `fsync: false` is for oracles, whose maildir is thrown away: Dovecot then syncs nothing it
   * writes. With the default (Dovecot's own, `mail_fsync = optimized`) each APPEND waits for the
   * disk, which is what a benchmark against a durable store must pay, and what an oracle need
   * not wait for while other tests sync: the mime corpus oracle's 6,046 APPENDs took 34 s beside
   * two processes syncing in a loop, and 17 s without syncing (22 and 16 s on an idle disk).
   */
  constructor(options: { fsync?: boolean } = {}) {
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      join(this.home, 'dovecot.conf'),
      [
        `mail_location = maildir:${this.home}/Maildir`,
        `base_dir = ${this.home}/run`,
        `state_dir = ${this.home}/state`,
        `log_path = ${this.home}/log`,
        ...(options.fsync === false ? ['mail_fsync = never'] : []),
        // Our hierarchy delimiter, so that mailbox names compare as they are (maildir's is `.`).
        'namespace inbox {',
        '  inbox = yes',
        '  separator = /',
        '}',
        // Dovecot refuses mail access as root; as root, let it drop to nobody.
        ...(asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
        '',
      ].join('\n'),
    );
    mkdirSync(join(this.home, 'Maildir'));
    this.ownForDovecot();
  }

  /**
   * Runs one session: the commands, then `Z LOGOUT`. Resolves with what Dovecot wrote and the
   * wall time it took; rejects when the session did not end with the logout completed.
   */
  async run(commands: Buffer | string): Promise<{ output: Buffer; seconds: number }> {
    const fifo = join(this.home, 'session.in');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo, { flags: 'r+' });
    const start = process.hrtime.bigint();
    let code: number | null;
    try {
      code = await new Promise<number | null>((resolve, reject) => {
        const pipeline = `${IMAP_BINARY} -c dovecot.conf < session.in | cat > session.out`;
        const child = spawn('/bin/sh', ['-c', pipeline], {
          cwd: this.home,
          env: { HOME: this.home, USER: 'nobody', PATH: '/usr/bin:/bin' },
          stdio: 'ignore',
        });
        child.on('error', reject);
        child.on('close', resolve);
        writer.on('error', reject);
        writer.write(Buffer.concat([Buffer.from(commands), Buffer.from('Z LOGOUT\r\n')]));
      });
    } finally {
      writer.destroy();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const output = readFileSync(join(this.home, 'session.out'));
    if (!output.includes('\r\nZ OK')) {
      const log = existsSync(join(this.home, 'log'))
        ? readFileSync(join(this.home, 'log'), 'utf8')
        : '';
      throw new Error(`dovecot imap exited ${code}: ${output.toString().slice(-2000)}${log}`);
    }
    return { output, seconds };
  }

  /** Writes messages straight into a maildir folder's `cur/`, as a delivery agent would. */
  fillMaildir(folder: string, messages: readonly Uint8Array[]): void {
    const cur = join(this.home, 'Maildir', `.${folder}`, 'cur');
    mkdirSync(cur, { recursive: true });
    const base = Math.floor(Date.now() / 1000);
    messages.forEach((message, i) =>
      writeFileSync(
        join(cur, `${base}.M${i}P${process.pid}.sandbox,S=${message.length}:2,`),
        message,
      ),
    );
    this.ownForDovecot();
  }

  close(): void {
    rmSync(this.home, { recursive: true, force: true });
  }

  private ownForDovecot(): void {
    if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'nobody:nogroup', this.home]);
  }
}

/** IMAP APPEND commands (LITERAL+) for the messages, tagged A0, A1, ... */
export function appendCommands(messages: readonly Uint8Array[], mailbox = 'INBOX'): Buffer {
  const parts: Buffer[] = [];
  messages.forEach((message, i) => {
    parts.push(
      Buffer.from(`A${i} APPEND ${mailbox} {${message.length}+}\r\n`),
      Buffer.from(message),
      Buffer.from('\r\n'),
    );
  });
  return Buffer.concat(parts);
}
