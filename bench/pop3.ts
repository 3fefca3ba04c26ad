/**
 * RETR of every message of a 10,000-message INBOX: our POP3 server (createPop3Server over
 * FsMailStore) against Dovecot's pop3d (Debian dovecot-pop3d, maildir), same machine, same run,
 * same client. The messages are the SpamAssassin public corpus (CRLF, as a store receives mail),
 * repeated to the count asked for.
 *
 * The client is the small POP3 loop at the end of this file, run in a child process so that it
 * does not share our server's thread (Dovecot's server has processes of its own). It logs in,
 * then sends RETR 1..N, either in lock-step (one command, wait for its answer) or pipelined
 * (RFC 2449 PIPELINING, both servers offer it) with a window of commands in flight, and counts
 * the octets of every answer. Only the RETR loop is timed: not the login, not the connection.
 * Each figure is the median of several sessions after one warm-up session, which also lets both
 * servers build their indexes.
 *
 * Usage: npm run bench:pop3 -w @mailyard/bench [-- --messages N --rounds N --window N]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { createPop3Server } from '@mailyard/pop3-core';
import { DovecotPop3Server, dovecotPop3Available } from '@mailyard/test-kit';
import { loadSpamAssassinCorpus } from './corpus.js';
import { formatRate } from './measure.js';
import { fillInbox } from './our-server.js';

const USER = 'bench@example.com';
const PASSWORD = 'bench-password';

interface ClientResult {
  readonly messages: number;
  readonly octets: number;
  readonly seconds: number;
}

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

if (process.argv[2] === '--client') {
  const [port, count, window] = process.argv.slice(3).map(Number);
  const result = await retrieveAll(port!, count!, window!);
  process.send!(result);
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const count = option('messages', 10_000);
  const rounds = option('rounds', 3);
  const pipelineWindow = option('window', 16);
  const corpus = loadSpamAssassinCorpus();
  const messages = Array.from({ length: count }, (_, i) => corpus[i % corpus.length]!);
  const total = messages.reduce((sum, m) => sum + m.length, 0);
  console.log(
    `node ${process.version}; ${count} messages, ${(total / 1e6).toFixed(1)} MB ` +
      `(SpamAssassin corpus, CRLF); median of ${rounds} sessions after a warm-up\n`,
  );

  const modes = [
    { name: 'lock-step', window: 1 },
    { name: `pipelined (${pipelineWindow} in flight)`, window: pipelineWindow },
  ];
  const ours: ClientResult[] = [];
  const dovecot: (ClientResult | null)[] = [];

  // ---- ours ----
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-pop3-'));
  try {
    await fillInbox(directory, USER, messages);
    const store = new FsMailStore({ directory });
    const users = new MemoryDirectory();
    await users.addDomain('example.com');
    await users.addUser(USER, { password: PASSWORD });
    const server = createPop3Server({
      store,
      directory: users,
      hostname: 'localhost',
      allowPlaintextAuth: true,
      listeners: [{ name: 'pop3', port: 0, tls: 'none' }],
    });
    const [bound] = await server.listen();
    for (const mode of modes) ours.push(await median(bound!.port, count, mode.window, rounds));
    await server.close(1000);
    await store.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  // ---- Dovecot ----
  if (dovecotPop3Available) {
    const peer = await DovecotPop3Server.start({ users: [{ name: USER, password: PASSWORD }] });
    try {
      peer.fillMaildir(USER, messages);
      for (const mode of modes) dovecot.push(await median(peer.port, count, mode.window, rounds));
    } finally {
      await peer.stop();
    }
  } else {
    console.log('Dovecot pop3d is not installed (Debian dovecot-pop3d): our figures only\n');
  }

  for (const [i, mode] of modes.entries()) {
    const a = ours[i]!;
    const b = dovecot[i] ?? null;
    for (const [unit, value] of [
      ['msg/s', (r: ClientResult) => r.messages / r.seconds],
      ['MB/s', (r: ClientResult) => r.octets / 1e6 / r.seconds],
    ] as const) {
      const theirs = b ? formatRate(value(b), unit) : '        -';
      const ratio = b
        ? `  ratio ${(value(a) / value(b)).toFixed(2)}x (higher is better for us)`
        : '';
      console.log(
        `RETR all, ${mode.name.padEnd(24)} ours ${formatRate(value(a), unit)}   dovecot ${theirs}${ratio}`,
      );
    }
  }
}

/** One warm-up session, then the median of `rounds` sessions, each in a fresh client process. */
async function median(port: number, count: number, window: number, rounds: number) {
  await runClient(port, count, window);
  const results: ClientResult[] = [];
  for (let i = 0; i < rounds; i++) results.push(await runClient(port, count, window));
  results.sort((a, b) => a.seconds - b.seconds);
  return results[Math.floor(results.length / 2)]!;
}

function runClient(port: number, count: number, window: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, [
      '--client',
      String(port),
      String(count),
      String(window),
    ]);
    child.once('message', (result) => resolve(result as ClientResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench client exited ${code}`));
    });
  });
}

// ---- the client, the same for both servers ----

/**
 * Logs in, RETRs messages 1..count with `window` commands in flight, checks every answer is
 * `+OK` and ends with the `.` line, and times the RETR loop.
 */
async function retrieveAll(port: number, count: number, window: number): Promise<ClientResult> {
  const socket = connect(port, '127.0.0.1');
  let pending: Buffer = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const waiting = wake;
    wake = null;
    waiting?.();
  });
  const more = () => new Promise<void>((resolve) => (wake = resolve));

  /** The next status line, consumed. */
  const statusLine = async (): Promise<string> => {
    for (;;) {
      const end = pending.indexOf('\r\n');
      if (end >= 0) {
        const line = pending.subarray(0, end).toString('latin1');
        pending = pending.subarray(end + 2);
        if (!line.startsWith('+OK')) throw new Error(`server said: ${line}`);
        return line;
      }
      await more();
    }
  };

  await statusLine();
  socket.write(`USER ${USER}\r\n`);
  await statusLine();
  socket.write(`PASS ${PASSWORD}\r\n`);
  await statusLine();

  const start = process.hrtime.bigint();
  let sent = 0;
  let octets = 0;
  let done = 0;
  const send = () => {
    let commands = '';
    while (sent < count && sent - done < window) commands += `RETR ${++sent}\r\n`;
    if (commands) socket.write(commands);
  };
  send();
  while (done < count) {
    await statusLine();
    // The text ends with the `.` line; a message's own lines never are one (dot-stuffing).
    let searchFrom = 0;
    for (;;) {
      if (
        pending.length >= 3 &&
        pending[0] === 0x2e &&
        pending[1] === 0x0d &&
        pending[2] === 0x0a
      ) {
        pending = pending.subarray(3);
        break;
      }
      const found = pending.indexOf('\r\n.\r\n', searchFrom);
      if (found >= 0) {
        octets += found + 2;
        pending = pending.subarray(found + 5);
        break;
      }
      searchFrom = Math.max(0, pending.length - 4);
      await more();
    }
    done++;
    send();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  socket.write('QUIT\r\n');
  socket.end();
  return { messages: count, octets, seconds };
}
