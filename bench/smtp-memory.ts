/**
 * The example server's memory while SMTP clients send big messages slowly: N sessions at once
 * (default 8), each sending a message of S MB (default 60) in DATA (or BDAT) at a paced rate, so
 * that every message is in flight, unacknowledged, at the same time. The server runs as
 * `mailyard-server` does (examples/mail-server, in a process of its own, over a fresh data
 * directory); its RSS is read from /proc/<pid>/status (VmRSS, and VmHWM, the kernel's peak).
 *
 * Reported: the RSS before, the peak while every message is in flight (sampled at a point where
 * each session has sent all but its last 1 MB), and the peak once every message was acknowledged
 * and delivered into the store. Not a test: it prints figures for docs/smtp.md.
 *
 * The server keeps its default limits, among them the octets in flight per client (256 MiB;
 * every session here comes from 127.0.0.1, one client) unless `--per-client MB` (0: none) says
 * otherwise; sessions refused for it (452 4.3.1) are counted.
 *
 * Usage: npm run bench:smtp-memory [-- --sessions N --size MB --rate MB/s --per-client MB --bdat]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SESSIONS = option('sessions', 8);
const SIZE = option('size', 60) * 1024 * 1024;
/** Per session, in MB/s: slow enough that all of them are in flight together. */
const RATE = option('rate', 20) * 1024 * 1024;
const BDAT = process.argv.includes('--bdat');
const PER_CLIENT = option('per-client', -1);
/** What each session holds back until every session got that far: the in-flight sample point. */
const HELD_BACK = 1024 * 1024;
const CHUNK = 64 * 1024;

const serverDirectory = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'examples',
  'mail-server',
);
const root = mkdtempSync(join(tmpdir(), 'mailyard-smtp-memory-'));
const data = join(root, 'data');

interface Memory {
  readonly rss: number;
  readonly hwm: number;
}

function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Starts the example server; resolves with its pid and SMTP port once it said `ready`. */
function startServer(): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  // Every variable not given keeps its default; no message size limit, no per-IP hourly limit.
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(data, 'mailserver.cfg'),
    `<?xml version="1.0" encoding="utf-8"?>\n<config>\n` +
      `<variable name="Hostname">localhost</variable>\n` +
      `<variable name="MaxMessageSize">0</variable>\n` +
      `<variable name="MaxMessagesPerHour">0</variable>\n` +
      (PER_CLIENT >= 0
        ? `<variable name="MaxInFlightPerClient">${PER_CLIENT * 1024 * 1024}</variable>\n`
        : '') +
      `</config>\n`,
  );
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/main.ts',
      '--data',
      data,
      ...['smtp', 'smtps', 'submission', 'imap', 'imaps', 'pop3', 'pop3s'].map((name) =>
        name === 'smtp' ? `--smtp=0` : `--${name}=off`,
      ),
      '--domain',
      'example.test',
      '--user',
      'alice@example.test:bench-password',
    ],
    {
      cwd: serverDirectory,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready .*smtp=(\d+)/m.exec(stdout);
      if (ready)
        resolve({
          pid: child.pid!,
          port: Number(ready[1]),
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}): ${stderr}`)));
  });
}

/** A line-reading SMTP client over a socket. */
class Client {
  private text = '';
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('latin1');
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Waits for a final reply line; returns it. */
  async reply(): Promise<string> {
    for (;;) {
      const match = /^(\d{3}) [^\r\n]*\r\n/m.exec(this.text);
      if (match) {
        this.text = this.text.slice(match.index + match[0].length);
        return match[0].trimEnd();
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async command(line: string, expected: string): Promise<void> {
    this.socket.write(`${line}\r\n`);
    const reply = await this.reply();
    if (!reply.startsWith(expected)) throw new Error(`${line}: ${reply}`);
  }

  /** Writes, waiting for the socket to drain when it is full (the server's backpressure). */
  async write(bytes: Buffer): Promise<void> {
    if (!this.socket.write(bytes))
      await new Promise((resolve) => this.socket.once('drain', resolve));
  }
}

const line = Buffer.from(`${'x'.repeat(76)}\r\n`);
const block = Buffer.concat(Array.from({ length: CHUNK / line.length }, () => line));

/**
 * One session: the envelope, then the message at the paced rate, stopping `HELD_BACK` short.
 * Resolves with the reply to the message (250, or the refusal).
 */
async function session(
  port: number,
  index: number,
  atSamplePoint: () => void,
  go: Promise<void>,
): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const client = new Client(socket);
  if (!(await client.reply()).startsWith('220')) throw new Error('no greeting');
  await client.command('EHLO bench.test', '250');
  await client.command(`MAIL FROM:<sender${index}@bench.test>`, '250');
  await client.command('RCPT TO:<alice@example.test>', '250');
  const header = Buffer.from(`Subject: in flight ${index}\r\n\r\n`);
  const body = SIZE - header.length;
  const blocks = Math.floor(body / block.length);
  const heldBlocks = Math.ceil(HELD_BACK / block.length);
  if (BDAT) {
    // Chunks of 1 MB, each announced; the last one LAST.
    socket.write(`BDAT ${header.length}\r\n`);
    await client.write(header);
    await client.reply();
  } else {
    await client.command('DATA', '354');
    await client.write(header);
  }
  const started = Date.now();
  let sent = 0;
  let sampled = false;
  let refusal: string | null = null;
  const perChunk = BDAT ? 16 : 1; // BDAT: 16 blocks (1 MB) per chunk
  for (let i = 0; i < blocks; i += perChunk) {
    if (!sampled && i >= blocks - heldBlocks - ((blocks - heldBlocks) % perChunk)) {
      sampled = true;
      atSamplePoint();
      await go;
    }
    const count = Math.min(perChunk, blocks - i);
    const bytes = count === 1 ? block : Buffer.concat(Array.from({ length: count }, () => block));
    if (BDAT) socket.write(`BDAT ${bytes.length}\r\n`);
    await client.write(bytes);
    if (BDAT) {
      const reply = await client.reply();
      // A refused chunk ends the transaction: the rest would be refused as well.
      if (!reply.startsWith('250')) {
        refusal = reply;
        break;
      }
    }
    sent += bytes.length;
    // Pace: never ahead of RATE.
    const due = started + (sent / RATE) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  if (!sampled) atSamplePoint(); // refused before the sample point: in flight no more
  let reply: string;
  if (refusal) {
    reply = refusal;
  } else {
    if (BDAT) socket.write('BDAT 0 LAST\r\n');
    else await client.write(Buffer.from('.\r\n'));
    reply = await client.reply();
  }
  socket.destroy();
  return reply;
}

async function main(): Promise<void> {
  const server = await startServer();
  try {
    const before = memoryOf(server.pid);
    let arrived = 0;
    let release!: () => void;
    const go = new Promise<void>((resolve) => (release = resolve));
    let allArrived!: () => void;
    const sampled = new Promise<void>((resolve) => (allArrived = resolve));
    const sessions = Array.from({ length: SESSIONS }, (_, i) =>
      session(
        server.port,
        i,
        () => {
          if (++arrived === SESSIONS) allArrived();
        },
        go,
      ),
    );
    await sampled;
    const inFlight = memoryOf(server.pid);
    release();
    const replies = await Promise.all(sessions);
    const refused = replies.filter((reply) => !reply.startsWith('250'));
    // Delivered: the queue holds nothing more.
    const queue = join(data, 'store', 'queue');
    while (readdirSync(queue).some((name) => name.endsWith('.env')))
      await new Promise((resolve) => setTimeout(resolve, 100));
    const after = memoryOf(server.pid);
    const total = SESSIONS * SIZE;
    console.log(
      `${SESSIONS} sessions x ${mb(SIZE)} (${BDAT ? 'BDAT' : 'DATA'}, ${mb(RATE)}/s each), ` +
        `${mb(total)} sent; in flight per client: ${PER_CLIENT < 0 ? 'default (256 MB)' : PER_CLIENT === 0 ? 'no limit' : `${PER_CLIENT} MB`}`,
    );
    console.log(
      `  refused: ${refused.length}${refused.length > 0 ? ` (${[...new Set(refused)].join('; ')})` : ''}`,
    );
    console.log(`  RSS before:                      ${mb(before.rss)}`);
    console.log(
      `  RSS with every message in flight: ${mb(inFlight.rss)} (peak so far ${mb(inFlight.hwm)})`,
    );
    console.log(`  peak RSS (VmHWM) after delivery:  ${mb(after.hwm)}`);
  } finally {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
