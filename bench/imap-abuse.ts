/**
 * The IMAP engine under the loads of issue 11, against the example server (examples/mail-server,
 * run from its source in a child process, over FsMailStore in a temporary data directory), with
 * the server's memory read from /proc/<pid>/status: VmRSS while the load runs, VmHWM (the peak)
 * at the end. Not a comparison with a peer: the figures are the server's own, before and after
 * a change.
 *
 *   compress     one logged-in connection turns on COMPRESS=DEFLATE and sends `--megabytes`
 *                compressed megabytes that inflate to about a thousand times as many of
 *                `a NOOP` lines, never reading a reply (issue: 3 MB inflating to 2 GB took the
 *                server from 81 MB to 2.2 GB).
 *   multiappend  `--connections` connections (one user each) each start a MULTIAPPEND of
 *                `--literals` synchronizing literals of `--literal-mb` MB, sending each literal
 *                the server accepts and stopping at the first it refuses, and never finish the
 *                command (issue: 8 x 4 x 60 MB took the server from 166 MB to 2.5 GB).
 *   search       in process, no server: CPU time of one UID SEARCH of `--terms` keys
 *                `UID 1:4294967295` over `--messages` messages (issue: 0.35 s a command).
 *
 * Usage: npx tsx bench/imap-abuse.ts compress [--megabytes 3] [--seconds 10]
 *        npx tsx bench/imap-abuse.ts multiappend [--connections 8 --literals 4 --literal-mb 60]
 *        npx tsx bench/imap-abuse.ts search [--messages 10000 --terms 3600]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type TLSSocket, connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { constants, createDeflateRaw } from 'node:zlib';
import { ImapSession } from '@mailyard/imap-core';
import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SERVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'mail-server');
const PASSWORD = 'abuse-secret';
const MB = 1024 * 1024;

// ---- the server and its memory ----

interface Server {
  readonly child: ChildProcess;
  readonly imaps: number;
  stop(): Promise<void>;
}

async function startServer(users: readonly string[]): Promise<Server> {
  const data = join(mkdtempSync(join(tmpdir(), 'mailyard-abuse-')), 'data');
  const args = ['--import', 'tsx', 'src/main.ts', '--data', data, '--domain', 'example.test'];
  for (const user of users) args.push('--user', `${user}:${PASSWORD}`);
  for (const name of ['smtp', 'smtps', 'submission', 'imap', 'pop3', 'pop3s'])
    args.push(`--${name}=off`);
  args.push('--imaps=0');
  const child = spawn(process.execPath, args, {
    cwd: SERVER,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const imaps = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /imaps=(\d+)/.exec(out);
      if (ready) resolve(Number(ready[1]));
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before ready`)));
  });
  return {
    child,
    imaps,
    stop: async () => {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dirname(data), { recursive: true, force: true });
    },
  };
}

/** VmRSS and VmHWM of a process, in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Samples the server's memory every 100 ms for `seconds`, printing a line a second. */
async function watch(server: Server, seconds: number): Promise<void> {
  const pid = server.child.pid!;
  for (let i = 1; i <= seconds * 10; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (i % 10 === 0) {
      const { rss, peak } = memory(pid);
      console.log(`  t=${i / 10}s  VmRSS ${rss.toFixed(0)} MB  VmHWM ${peak.toFixed(0)} MB`);
    }
  }
}

// ---- a client by hand ----

class Client {
  private text = '';
  private wake: (() => void) | null = null;

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.text = (this.text + chunk.toString('latin1')).slice(-4096);
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<Client> {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((resolve, reject) =>
      socket.once('secureConnect', resolve).once('error', reject),
    );
    const client = new Client(socket);
    await client.until(/\r\n/);
    return client;
  }

  async until(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.text)) {
      if (this.socket.destroyed) throw new Error(`closed; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const text = this.text;
    this.text = '';
    return text;
  }

  write(bytes: string | Uint8Array): Promise<void> {
    return new Promise((resolve) =>
      this.socket.write(bytes) ? resolve() : this.socket.once('drain', resolve),
    );
  }
}

// ---- the loads ----

async function compressBomb(): Promise<void> {
  const megabytes = option('megabytes', 3);
  const seconds = option('seconds', 10);
  const user = 'bomb@example.test';
  const server = await startServer([user]);
  try {
    const client = await Client.open(server.imaps);
    await client.write(`a LOGIN ${user} ${PASSWORD}\r\n`);
    await client.until(/a OK[^\r]*\r\n/);
    await client.write('b COMPRESS DEFLATE\r\n');
    await client.until(/b OK[^\r]*\r\n/);
    // One megabyte of NOOP lines compressed after a full flush: the same octets every time, so
    // the stream is that block repeated (the client's deflate state is reset at each).
    const lines = Buffer.from('a NOOP\r\n'.repeat(MB / 8));
    const deflate = createDeflateRaw({ level: 9 });
    const chunks: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    const block = async () => {
      chunks.length = 0;
      deflate.write(lines);
      await new Promise<void>((resolve) => deflate.flush(constants.Z_FULL_FLUSH, () => resolve()));
      return Buffer.concat(chunks);
    };
    const first = await block();
    const again = await block();
    if (!first.equals(again)) throw new Error('a fully flushed block is not position-independent');
    const copies = Math.ceil((megabytes * MB) / first.length);
    console.log(
      `compress: ${copies} x ${first.length} octets = ${((copies * first.length) / MB).toFixed(1)} MB ` +
        `of deflate, ${(copies * lines.length) / MB} MB of NOOP lines once inflated`,
    );
    const before = memory(server.child.pid!);
    console.log(`  before: VmRSS ${before.rss.toFixed(0)} MB`);
    // The client reads nothing from here on: the server's replies back up.
    client.socket.pause();
    void (async () => {
      for (let i = 0; i < copies; i++) await client.write(first);
    })();
    await watch(server, seconds);
    const after = memory(server.child.pid!);
    console.log(
      `compress: peak VmHWM ${after.peak.toFixed(0)} MB, VmRSS ${after.rss.toFixed(0)} MB`,
    );
    client.socket.destroy();
  } finally {
    await server.stop();
  }
}

async function multiAppend(): Promise<void> {
  const connections = option('connections', 8);
  const literals = option('literals', 4);
  const size = option('literal-mb', 60) * MB;
  const users = Array.from({ length: connections }, (_, i) => `user${i}@example.test`);
  const server = await startServer(users);
  try {
    const before = memory(server.child.pid!);
    console.log(
      `multiappend: ${connections} connections x ${literals} literals x ${size / MB} MB; before: VmRSS ${before.rss.toFixed(0)} MB`,
    );
    const payload = Buffer.alloc(size, 0x61);
    payload.write('Subject: big\r\n\r\n');
    const outcomes = await Promise.all(
      users.map(async (user) => {
        const client = await Client.open(server.imaps);
        await client.write(`a LOGIN ${user} ${PASSWORD}\r\n`);
        await client.until(/a OK[^\r]*\r\n/);
        let sent = 0;
        for (let i = 0; i < literals; i++) {
          await client.write(`${i === 0 ? 'b APPEND INBOX' : ''} {${size}}\r\n`);
          const answer = await client.until(/(\+ [^\r]*|b (NO|BAD)[^\r]*)\r\n/);
          if (!answer.startsWith('+')) return { client, sent, refused: answer.trim() };
          await client.write(payload);
          sent++;
        }
        // The command is never finished: the server holds what it accepted.
        return { client, sent, refused: null };
      }),
    );
    for (const { sent, refused } of outcomes)
      console.log(`  literals sent ${sent}${refused ? `, then: ${refused}` : ''}`);
    await watch(server, option('seconds', 3));
    const after = memory(server.child.pid!);
    console.log(
      `multiappend: peak VmHWM ${after.peak.toFixed(0)} MB, VmRSS ${after.rss.toFixed(0)} MB`,
    );
    for (const { client } of outcomes) client.socket.destroy();
  } finally {
    await server.stop();
  }
}

async function searchSets(): Promise<void> {
  const messages = option('messages', 10_000);
  const terms = option('terms', 3_600);
  const store = new MemoryMailStore();
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser('alice@example.com', { password: PASSWORD });
  for (let i = 0; i < messages; i++)
    await store.deliver('alice@example.com', {
      content: Buffer.from(`Subject: m${i}\r\n\r\nx\r\n`),
    });
  let output = '';
  let wake: (() => void) | null = null;
  const session = new ImapSession(
    { store, directory, hostname: 'h', allowPlaintextAuth: true },
    { remoteAddress: '127.0.0.1', secure: true, tlsAvailable: false, compressionAvailable: false },
    {
      write: (bytes) => {
        output += Buffer.from(bytes).toString('latin1');
        wake?.();
      },
      close: () => undefined,
    },
  );
  const run = async (line: string) => {
    const tag = line.slice(0, line.indexOf(' '));
    output = '';
    session.receive(Buffer.from(`${line}\r\n`));
    while (!new RegExp(`(^|\\n)${tag} (OK|NO|BAD)`).test(output))
      await new Promise<void>((resolve) => (wake = resolve));
  };
  await session.start();
  await run(`a LOGIN alice@example.com ${PASSWORD}`);
  await run('b SELECT INBOX');
  const command = `c UID SEARCH ${Array.from({ length: terms }, () => 'UID 1:4294967295').join(' ')}`;
  const seconds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const before = process.cpuUsage();
    await run(command);
    const used = process.cpuUsage(before);
    seconds.push((used.user + used.system) / 1e6);
  }
  seconds.sort((a, b) => a - b);
  console.log(
    `search: ${terms} x UID 1:4294967295 over ${messages} messages: ${seconds[1]!.toFixed(3)} s of CPU (median of 3)`,
  );
}

const scenario = process.argv[2];
if (scenario === 'compress') await compressBomb();
else if (scenario === 'multiappend') await multiAppend();
else if (scenario === 'search') await searchSets();
else {
  console.error('usage: imap-abuse.ts compress|multiappend|search [options]');
  process.exit(2);
}
process.exit(0);
