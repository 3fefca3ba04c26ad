/**
 * @mailyard/imap-core over @mailyard/mailstore-fs against Dovecot (maildir), same machine, same
 * run, same client driver (a pipelining IMAP client over TCP on 127.0.0.1, no TLS), same
 * mailbox of generated messages loaded into both:
 *   - SELECT;
 *   - FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE);
 *   - FETCH 1:* BODY.PEEK[];
 *   - UID SEARCH TEXT <word> (a word in 1 message of 100);
 *   - STORE 1:* +FLAGS (\Seen);
 *   - APPENDs, one after the other, each waiting for its OK (both fsync every message).
 * Then, ours only: memory with many concurrent authenticated IDLE connections on one mailbox,
 * and how long an APPEND takes to reach every one of them as `* n EXISTS`.
 *
 * Our server runs in a child process, as Dovecot runs in its own: the client's work is not
 * counted against either. Dovecot's figures include its login and imap processes' IPC. Ours
 * runs with a libuv thread pool of 16 (UV_THREADPOOL_SIZE, which a deployment sets alike), the
 * counterpart of Dovecot's processes doing their file I/O in parallel.
 *
 * Usage: npm run bench:imap [-- --messages N --appends N --idle N --rounds N --warmup N]
 *        (defaults 10,000 messages, 1,000 appends, 10,000 IDLE connections, 3 rounds after 10
 *        warm-up rounds; both servers get the same)
 */
import type { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImapServer } from '@mailyard/imap-core';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { DovecotServer, dovecotServerAvailable } from '@mailyard/test-kit';
import { fillInbox, forkServer } from './our-server.js';
import { ImapBenchClient } from './imap-client.js';
import { formatRate } from './measure.js';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const USER = 'bench@example.com';
const PASSWORD = 'secret';
const WORD = 'zanzibar';

function message(n: number): Buffer {
  const words = ['alpha', 'budget', 'meeting', 'report', 'lunch', 'project', 'invoice', 'travel'];
  const subject = `${words[n % words.length]} ${n}`;
  const paragraph = randomBytes(1200).toString('base64').replace(/[+/=]/g, ' ');
  const body = `Hello,\r\n\r\n${paragraph.replace(/(.{72})/g, '$1\r\n')}\r\n${n % 100 === 7 ? `The ${WORD} file.\r\n` : ''}Regards\r\n`;
  return Buffer.from(
    `From: Sender ${n % 37} <sender${n % 37}@example.org>\r\nTo: ${USER}\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 1 Jan 2024 ${String(n % 24).padStart(2, '0')}:00:00 +0000\r\nMessage-ID: <${n}@bench>\r\n` +
      `Content-Type: text/plain; charset=us-ascii\r\n\r\n${body}`,
  );
}

interface Row {
  workload: string;
  ours: number;
  dovecot: number | null;
}

async function runWorkloads(
  port: number,
  rounds: number,
  warmup: number,
  appends: number,
): Promise<number[]> {
  const driver = await ImapBenchClient.connect(port, { user: USER, password: PASSWORD });
  const median = async (round: () => Promise<number>, prepare?: () => Promise<unknown>) => {
    const times: number[] = [];
    // Warm-up rounds first: a long-running server has its code compiled, a fresh one not yet.
    for (let i = 0; i < warmup + rounds; i++) {
      await prepare?.();
      const seconds = await round();
      if (i >= warmup) times.push(seconds);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  };
  const results = [
    await median(() => driver.command('SELECT INBOX')),
    await median(() => driver.command('FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)')),
    await median(() => driver.command('FETCH 1:* BODY.PEEK[]')),
    await median(() => driver.command(`UID SEARCH TEXT ${WORD}`)),
    await median(
      () => driver.command('STORE 1:* +FLAGS (\\Seen)'),
      () => driver.command('STORE 1:* -FLAGS.SILENT (\\Seen)'),
    ),
  ];
  await driver.command('CREATE Appended');
  const appended = Array.from({ length: appends }, (_, i) => message(100_000 + i));
  let appendSeconds = 0;
  for (const content of appended) {
    appendSeconds += await driver.command(
      Buffer.concat([
        Buffer.from(`APPEND Appended {${content.length}+}\r\n`),
        content,
        Buffer.from('\r\n'),
      ]),
    );
  }
  results.push(appendSeconds);
  driver.close();
  return results;
}

async function idleBench(
  port: number,
  count: number,
  child: ReturnType<typeof fork>,
): Promise<string[]> {
  const memory = () =>
    new Promise<{ memory: NodeJS.MemoryUsage; sessions: number }>((resolve) => {
      child.once('message', (m) => resolve(m as { memory: NodeJS.MemoryUsage; sessions: number }));
      child.send({ type: 'memory' });
    });
  const before = await memory();
  const sockets: Socket[] = [];
  const exists: Promise<number>[] = [];
  const connectOne = () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      let text = '';
      let idling = false;
      let notify: (t: number) => void = () => {};
      exists.push(new Promise<number>((r) => (notify = r)));
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (!idling && text.includes('+ idling\r\n')) {
          idling = true;
          text = '';
          resolve();
        } else if (idling && /\* \d+ EXISTS/.test(text)) {
          notify(Number(process.hrtime.bigint() / 1000n));
        }
        if (text.length > 65536) text = text.slice(-1024);
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('an IDLE connection was closed by the server')));
      socket.write(`a LOGIN ${USER} ${PASSWORD}\r\nb SELECT INBOX\r\nc IDLE\r\n`);
      sockets.push(socket);
    });
  const start = Date.now();
  for (let i = 0; i < count; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, count - i) }, connectOne));
  }
  const setup = (Date.now() - start) / 1000;
  const after = await memory();
  const perConnection = (key: keyof NodeJS.MemoryUsage) =>
    (after.memory[key] - before.memory[key]) / count / 1024;
  const writer = await ImapBenchClient.connect(port, { user: USER, password: PASSWORD });
  const content = message(999_999);
  const sent = Number(process.hrtime.bigint() / 1000n);
  const appendSeconds = await writer.command(
    Buffer.concat([
      Buffer.from(`APPEND INBOX {${content.length}+}\r\n`),
      content,
      Buffer.from('\r\n'),
    ]),
  );
  const arrivals = await Promise.all(exists);
  const last = Math.max(...arrivals) - sent;
  const sortedDelays = arrivals.map((t) => t - sent).sort((a, b) => a - b);
  writer.close();
  for (const socket of sockets) socket.destroy();
  return [
    `${count} IDLE connections (set up in ${setup.toFixed(1)} s, ${after.sessions} sessions):`,
    `  server memory per connection: rss ${perConnection('rss').toFixed(1)} KB, heap ${perConnection('heapUsed').toFixed(1)} KB, ` +
      `external ${perConnection('external').toFixed(1)} KB (target: under 30 KB)`,
    `  an APPEND (OK in ${(appendSeconds * 1000).toFixed(1)} ms) reached all of them as EXISTS in ${(last / 1000).toFixed(1)} ms` +
      ` (median ${(sortedDelays[Math.floor(sortedDelays.length / 2)]! / 1000).toFixed(1)} ms)`,
  ];
}

async function main(): Promise<void> {
  const MESSAGES = option('messages', 10_000);
  const APPENDS = option('appends', 1000);
  const IDLE = option('idle', 10_000);
  const ROUNDS = option('rounds', 3);
  const WARMUP = option('warmup', 10);
  console.log(
    `node ${process.version}; a mailbox of ${MESSAGES} messages (~2 KB); ${APPENDS} appends; ${ROUNDS} rounds after ${WARMUP} warm-up rounds, median reported\n`,
  );
  const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));

  // ---- ours ----
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-imap-'));
  const rows: Row[] = [
    'SELECT',
    'FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE)',
    'FETCH 1:* BODY.PEEK[]',
    `UID SEARCH TEXT ${WORD}`,
    'STORE 1:* +FLAGS (\\Seen)',
    `${APPENDS} APPENDs, one at a time`,
  ].map((workload) => ({ workload, ours: 0, dovecot: null }));
  let idleLines: string[] = [];
  try {
    await fillInbox(directory, USER, messages);
    const { child, port } = await forkServer(import.meta.filename, directory, ['--expose-gc']);
    const ours = await runWorkloads(port, ROUNDS, WARMUP, APPENDS);
    ours.forEach((seconds, i) => (rows[i]!.ours = seconds));
    if (IDLE > 0) idleLines = await idleBench(port, IDLE, child);
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  // ---- Dovecot ----
  if (dovecotServerAvailable) {
    const dovecot = new DovecotServer();
    try {
      dovecot.fillMaildir(messages);
      const port = await dovecot.start();
      const theirs = await runWorkloads(port, ROUNDS, WARMUP, APPENDS);
      theirs.forEach((seconds, i) => (rows[i]!.dovecot = seconds));
    } finally {
      await dovecot.stop();
    }
  } else {
    console.log('Dovecot is not installed (Debian dovecot-imapd): reporting our figures only\n');
  }

  for (const { workload, ours, dovecot } of rows) {
    const theirs = dovecot === null ? '         -' : formatRate(dovecot * 1000, 'ms');
    const ratio =
      dovecot === null ? '' : `  ratio ${(dovecot / ours).toFixed(2)}x (higher is better for us)`;
    console.log(
      `${workload.padEnd(44)} ours ${formatRate(ours * 1000, 'ms')}   dovecot ${theirs}${ratio}`,
    );
  }
  if (idleLines.length > 0) console.log(`\n${idleLines.join('\n')}`);
}

// ---- the child: our server ----

async function serve(): Promise<void> {
  const store = new FsMailStore({ directory: process.argv[3]! });
  // One account checked by comparison: the IDLE measurement logs in thousands of times, and a
  // real directory's scrypt (tens of milliseconds each, on purpose) would be all it measured.
  // Dovecot's side is configured alike (a static passdb).
  const directory = {
    verifyPassword: async (login: string, password: string) =>
      login.toLowerCase() === USER && password === PASSWORD ? { id: USER } : null,
  };
  const server = createImapServer({
    store,
    directory,
    hostname: 'localhost',
    allowPlaintextAuth: true,
    // Thousands of IDLE connections of one user from the loopback address: the per-address and
    // per-user connection caps are lifted for the measurement.
    connectionLimitsExempt: () => true,
    limits: { maxSessionsPerUserIp: 0 },
    listeners: [{ name: 'imap', port: 0, tls: 'none' }],
  });
  const [bound] = await server.listen();
  process.send!({ port: bound!.port });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ memory: process.memoryUsage(), sessions: server.sessions.size });
    } else if (message.type === 'stop') {
      await server.close(100);
      await store.close();
      process.exit(0);
    }
  });
  // The parent is gone (it failed, or was stopped): so is the point of serving.
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--serve') await serve();
else await main();
