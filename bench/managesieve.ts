/**
 * A user's scripts managed over ManageSieve: PUTSCRIPT of N scripts, then GETSCRIPT of each,
 * then DELETESCRIPT of each, in lock-step (one command, then its answer). Our server
 * (createManageSieveServer over FsSieveScriptStore, every change flushed to disk) against
 * Dovecot's managesieved (Debian dovecot-managesieved, Pigeonhole's file storage), same machine,
 * same run, same client.
 *
 * Not alike: Dovecot compiles every script it stores (PUTSCRIPT), ours stores it unchecked
 * here (no `checkScript`: the Sieve compiler is another package's), so PUTSCRIPT compares our
 * durable write with Dovecot's compile and write. GETSCRIPT and DELETESCRIPT do the same work on
 * both sides.
 *
 * The client is the small loop at the end of this file, run in a child process so that it does
 * not share our server's thread. Each figure is the median of several sessions after a warm-up.
 *
 * Usage: npm run bench:managesieve -w @mailyard/bench [-- --scripts N --rounds N]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { FsSieveScriptStore, createManageSieveServer } from '@mailyard/managesieve';
import { DovecotManageSieveServer, dovecotManageSieveAvailable } from '@mailyard/test-kit';
import { formatRate } from './measure.js';

const USER = 'bench@example.com';
const PASSWORD = 'bench-password';
const SCRIPT =
  'require ["fileinto", "imap4flags"];\r\n' +
  'if header :contains "list-id" "<dev.example.org>" {\r\n' +
  '  fileinto "Lists/dev";\r\n' +
  '} elsif address :is "from" "boss@example.com" {\r\n' +
  '  addflag "\\\\Flagged";\r\n' +
  '}\r\n';
const PHASES = ['PUTSCRIPT', 'GETSCRIPT', 'DELETESCRIPT'] as const;

/** Seconds each phase took, for `count` scripts. */
type ClientResult = Record<(typeof PHASES)[number], number>;

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

if (process.argv[2] === '--client') {
  const [port, count] = process.argv.slice(3).map(Number);
  process.send!(await manageScripts(port!, count!));
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const count = option('scripts', 1_000);
  const rounds = option('rounds', 3);
  console.log(
    `node ${process.version}; ${count} scripts of ${SCRIPT.length} octets; ` +
      `median of ${rounds} sessions after a warm-up\n`,
  );

  const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-managesieve-'));
  let ours: ClientResult;
  try {
    const users = new MemoryDirectory();
    await users.addDomain('example.com');
    await users.addUser(USER, { password: PASSWORD });
    const server = createManageSieveServer({
      store: new FsSieveScriptStore({ directory }),
      directory: users,
      hostname: 'localhost',
      allowPlaintextAuth: true,
      // Dovecot's quotas are off unless configured; ours (100 scripts, 10 MiB) too, here.
      limits: { maxScripts: 0, maxStorage: 0 },
      listeners: [{ name: 'sieve', port: 0, tls: 'none' }],
    });
    const [bound] = await server.listen();
    ours = await median(bound!.port, count, rounds);
    await server.close(1000);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  let dovecot: ClientResult | null = null;
  if (dovecotManageSieveAvailable) {
    const peer = await DovecotManageSieveServer.start({
      users: [{ name: USER, password: PASSWORD }],
    });
    try {
      dovecot = await median(peer.port, count, rounds);
    } finally {
      await peer.stop();
    }
  } else {
    console.log('Dovecot managesieved is not installed (Debian dovecot-managesieved)\n');
  }

  for (const phase of PHASES) {
    const rate = (r: ClientResult) => count / r[phase];
    const theirs = dovecot ? formatRate(rate(dovecot), 'cmd/s') : '        -';
    const ratio = dovecot
      ? `  ratio ${(rate(ours) / rate(dovecot)).toFixed(2)}x (higher is better for us)`
      : '';
    console.log(
      `${phase.padEnd(13)} ours ${formatRate(rate(ours), 'cmd/s')}   dovecot ${theirs}${ratio}`,
    );
  }
}

/** One warm-up session, then the median of `rounds` sessions, phase by phase. */
async function median(port: number, count: number, rounds: number): Promise<ClientResult> {
  await runClient(port, count);
  const results: ClientResult[] = [];
  for (let i = 0; i < rounds; i++) results.push(await runClient(port, count));
  const middle = (phase: (typeof PHASES)[number]) =>
    results.map((r) => r[phase]).sort((a, b) => a - b)[Math.floor(results.length / 2)]!;
  return {
    PUTSCRIPT: middle('PUTSCRIPT'),
    GETSCRIPT: middle('GETSCRIPT'),
    DELETESCRIPT: middle('DELETESCRIPT'),
  };
}

function runClient(port: number, count: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, ['--client', String(port), String(count)]);
    child.once('message', (result) => resolve(result as ClientResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench client exited ${code}`));
    });
  });
}

// ---- the client, the same for both servers ----

/** Logs in with PLAIN, then times each phase; every answer must be `OK`. */
async function manageScripts(port: number, count: number): Promise<ClientResult> {
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

  /** Reads up to the status line (skipping data lines and literals); it must be `OK`. */
  const answer = async (): Promise<void> => {
    for (;;) {
      const end = pending.indexOf('\r\n');
      if (end < 0) {
        await more();
        continue;
      }
      const line = pending.subarray(0, end).toString('latin1');
      pending = pending.subarray(end + 2);
      const literal = /\{(\d+)\}$/.exec(line);
      if (literal) {
        const size = Number(literal[1]);
        while (pending.length < size) await more();
        pending = pending.subarray(size);
        continue;
      }
      if (line.startsWith('OK')) return;
      if (line.startsWith('NO') || line.startsWith('BYE')) throw new Error(`server said: ${line}`);
    }
  };
  const command = async (text: string) => {
    socket.write(text);
    await answer();
  };

  await answer(); // the greeting
  const plain = Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64');
  await command(`AUTHENTICATE "PLAIN" "${plain}"\r\n`);
  const script = `{${Buffer.byteLength(SCRIPT)}+}\r\n${SCRIPT}`;
  const timed = async (each: (i: number) => string): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await command(each(i));
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const result: ClientResult = {
    PUTSCRIPT: await timed((i) => `PUTSCRIPT "script-${i}" ${script}\r\n`),
    GETSCRIPT: await timed((i) => `GETSCRIPT "script-${i}"\r\n`),
    DELETESCRIPT: await timed((i) => `DELETESCRIPT "script-${i}"\r\n`),
  };
  await command('LOGOUT\r\n');
  socket.destroy();
  return result;
}
