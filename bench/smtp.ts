/**
 * SMTP server throughput, same machine, same run, same load generator: Postfix's `smtp-source`
 * (20 concurrent sessions of 10 KB messages) against
 *   - @mailyard/smtp-core's server with an accept-and-discard message hook,
 *   - the `smtp-server` npm package with the equivalent handler (reverse DNS off),
 *   - Postfix's own `smtp-sink`,
 * each a process of its own, in two modes: one message per connection, and a thousand messages
 * per connection (`smtp-source -d`). Reported as messages per second, median of the rounds.
 *
 * Usage: npm run bench:smtp [-- --messages N --rounds N]
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { formatRate } from './measure.js';

const run = promisify(execFile);
const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const SESSIONS = 20;
const PER_CONNECTION = 1000;
const MESSAGES = option('messages', SESSIONS * PER_CONNECTION);
const ROUNDS = option('rounds', 3);
const SIZE = 10 * 1024;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a sink and resolves once it accepts connections. */
async function startSink(name: string, port: number): Promise<ChildProcess> {
  const child =
    name === 'smtp-sink'
      ? spawn(
          'smtp-sink',
          [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '1024'],
          { stdio: 'ignore' },
        )
      : spawn(process.execPath, ['--import', 'tsx', 'smtp-sinks.ts', name, String(port)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  if (name === 'smtp-sink') {
    await new Promise((resolve) => setTimeout(resolve, 500));
  } else {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => chunk.includes('listening') && resolve());
      child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    });
  }
  return child;
}

/** One smtp-source run; resolves with its wall time in seconds. */
async function load(port: number, messages: number, keepConnection: boolean): Promise<number> {
  const args = [
    '-s',
    String(SESSIONS),
    '-m',
    String(messages),
    '-l',
    String(SIZE),
    '-f',
    'bench@source.test',
    '-t',
    'sink@bench.test',
    '-M',
    'source.test',
  ];
  if (keepConnection) args.unshift('-d');
  const start = process.hrtime.bigint();
  await run('smtp-source', [...args, `127.0.0.1:${port}`], { timeout: 600_000 });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const SINKS = ['mailyard', 'smtp-server', 'smtp-sink'] as const;
const MODES = [
  {
    name: 'one message per connection',
    keep: false,
    messages: Math.max(SESSIONS, Math.floor(MESSAGES / 4)),
  },
  { name: `${PER_CONNECTION} messages per connection`, keep: true, messages: MESSAGES },
];

console.log(
  `node ${process.version}; smtp-source, ${SESSIONS} sessions, ${SIZE / 1024} KB messages, median of ${ROUNDS} rounds\n`,
);
for (const mode of MODES) {
  const rates = new Map<string, number>();
  for (const sink of SINKS) {
    const port = await freePort();
    const child = await startSink(sink, port);
    try {
      await load(port, SESSIONS * 5, mode.keep); // warm-up
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++)
        times.push(await load(port, mode.messages, mode.keep));
      times.sort((a, b) => a - b);
      rates.set(sink, mode.messages / times[Math.floor(times.length / 2)]!);
    } finally {
      child.kill();
    }
  }
  console.log(`${mode.name} (${mode.messages} messages)`);
  for (const sink of SINKS)
    console.log(`  ${sink.padEnd(12)} ${formatRate(rates.get(sink)!, 'msg/s')}`);
  const ours = rates.get('mailyard')!;
  console.log(
    `  ratio: mailyard / smtp-server ${(ours / rates.get('smtp-server')!).toFixed(2)}x, mailyard / smtp-sink ${(ours / rates.get('smtp-sink')!).toFixed(2)}x\n`,
  );
}
