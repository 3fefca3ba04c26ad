/**
 * A Dovecot IMAP session for benchmarks: Dovecot's `imap` binary run pre-authenticated over
 * pipes, on a maildir of its own, with its default (durable) fsync settings. Each call of
 * `run` is one session: a fresh process that reads its commands and exits at LOGOUT.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
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

const IMAP_BINARY = '/usr/lib/dovecot/imap';

export class DovecotSession {
  readonly home = mkdtempSync(join(tmpdir(), 'mailyard-bench-dovecot-'));

  static available(): boolean {
    return existsSync(IMAP_BINARY);
  }

  constructor() {
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      join(this.home, 'dovecot.conf'),
      [
        `mail_location = maildir:${this.home}/Maildir`,
        `base_dir = ${this.home}/run`,
        `state_dir = ${this.home}/state`,
        `log_path = ${this.home}/log`,
        ...(asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
        '',
      ].join('\n'),
    );
    mkdirSync(join(this.home, 'Maildir'));
    if (asRoot) execFileSync('chown', ['-R', 'nobody:nogroup', this.home]);
    else chownSync(this.home, process.getuid!(), process.getgid!());
  }

  /** Runs one session with these commands (LOGOUT added); resolves with its output and wall time. */
  async run(commands: Buffer): Promise<{ output: Buffer; seconds: number }> {
    const input = Buffer.concat([commands, Buffer.from('Z LOGOUT\r\n')]);
    // Dovecot wants a real pipe on stdin, and drops a session whose input ends while it still
    // writes: a FIFO we hold open for reading and writing until it exits (as the mime oracle).
    const fifo = join(this.home, 'session.in');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo, { flags: 'r+' });
    const start = process.hrtime.bigint();
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          '/bin/sh',
          ['-c', `${IMAP_BINARY} -c dovecot.conf < session.in | cat > session.out`],
          {
            cwd: this.home,
            env: { HOME: this.home, USER: 'nobody', PATH: '/usr/bin:/bin' },
            stdio: 'ignore',
          },
        );
        child.on('error', reject);
        child.on('exit', () => resolve());
        writer.on('error', reject);
        writer.write(input);
      });
    } finally {
      writer.destroy();
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const output = readFileSync(join(this.home, 'session.out'));
    if (!output.includes('Z OK'))
      throw new Error(`dovecot session failed: ${output.toString().slice(-500)}`);
    return { output, seconds };
  }

  /** Writes messages straight into a maildir folder's `cur/`, as a delivery agent would. */
  fillMaildir(folder: string, messages: readonly Buffer[]): void {
    const cur = join(this.home, 'Maildir', `.${folder}`, 'cur');
    mkdirSync(cur, { recursive: true });
    const base = Math.floor(Date.now() / 1000);
    messages.forEach((message, i) =>
      writeFileSync(
        join(cur, `${base}.M${i}P${process.pid}.bench,S=${message.length}:2,`),
        message,
      ),
    );
    if (process.getuid?.() === 0)
      execFileSync('chown', ['-R', 'nobody:nogroup', join(this.home, 'Maildir')]);
  }

  close(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** IMAP APPEND commands (LITERAL+) for the given messages. */
export function appendCommands(messages: readonly Buffer[], mailbox = 'INBOX'): Buffer {
  const parts: Buffer[] = [];
  messages.forEach((message, i) => {
    parts.push(
      Buffer.from(`A${i} APPEND ${mailbox} {${message.length}+}\r\n`),
      message,
      Buffer.from('\r\n'),
    );
  });
  return Buffer.concat(parts);
}
