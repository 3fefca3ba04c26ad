/**
 * Many clients on one mailbox at once: @mailyard/imap-core over @mailyard/mailstore-fs against
 * Dovecot (maildir), same machine, same run, same clients.
 *
 * Each of N clients (default 10) runs the same loop on the shared INBOX for a fixed time:
 *   SELECT INBOX; FETCH of 5 neighbouring messages (UID FLAGS ENVELOPE, two header fields and
 *   the first 512 octets of the first part); STORE of \Flagged and a keyword on one message
 *   (set or cleared in turn); APPEND of a 2 KB message; STORE +FLAGS.SILENT (\Deleted) on one
 *   message; EXPUNGE.
 * The messages each client picks come from a generator with a fixed seed per client, so both
 * servers see the same choices as far as their answers let the loops agree. The run reports the
 * commands of each kind completed in the time, the ratio to Dovecot's (higher is better for us),
 * and every NO or BAD either server answered: under this load a correct server answers none.
 *
 * Two variants: `persistent` (one session per client for the whole run) and `relogin` (a new
 * connection, LOGIN and LOGOUT around every loop). Both servers check a real password hash on
 * every LOGIN: ours scrypt (its directory's), Dovecot SHA512-CRYPT (passwd-file, auth cache off
 * as by default).
 *
 * Our server runs in a child process with a libuv thread pool of 16, as bench:imap runs it, in
 * up to three setups (`--setups`, default all that can run here): `fs` one node over the
 * on-disk store; `pg1` one node over @mailyard/mailstore-postgres; `pg2` two nodes (two
 * processes) over the same PostgreSQL database, the clients shared between them in turn. The
 * PostgreSQL is a cluster of the test kit's, started for the run (Debian's `postgresql`).
 *
 * Each run also reports the CPU seconds every server process tree used per 1,000 commands (our
 * nodes, PostgreSQL's postmaster and backends, Dovecot's master and its children; from /proc):
 * on a machine shared with other work that is steadier than the rates. `--statements` runs
 * PostgreSQL with pg_stat_statements and prints, after each PostgreSQL setup, the statements
 * per 1,000 IMAP commands, the most costly first.
 *
 * Usage: npm run bench:imap-concurrent -w @mailyard/bench
 *          [-- --clients N --seconds S --messages N --variant persistent|relogin|both
 *              --setups fs,pg1,pg2 --statements]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImapServer } from '@mailyard/imap-core';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { MemoryDirectory, type MailStore } from '@mailyard/mailstore-interface';
import { PostgresMailStore } from '@mailyard/mailstore-postgres';
import {
  DovecotServer,
  POSTGRES,
  PostgresServer,
  dovecotServerAvailable,
} from '@mailyard/test-kit';
import { fillInbox, forkServer } from './our-server.js';
import { CpuMeter } from './process-cpu.js';
import { ImapBenchClient, type Reply } from './imap-client.js';

const numberOption = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const textOption = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1]! : fallback;
};

const USER = 'bench@example.com';
const PASSWORD = 'concurrent-secret';
const LOGIN = { user: USER, password: PASSWORD };
const KINDS = ['LOGIN', 'SELECT', 'FETCH', 'STORE', 'APPEND', 'EXPUNGE'] as const;
type Kind = (typeof KINDS)[number];
type Variant = 'persistent' | 'relogin';

/** What one server did in one variant: completions and refusals per kind of command. */
interface Tally {
  readonly completed: Record<Kind, number>;
  readonly refused: Record<Kind, number>;
  /** The first few refusals, as answered. */
  readonly samples: string[];
  /** CPU seconds each server process (tree) used during the run: node A, PostgreSQL... */
  cpu: ReadonlyMap<string, number>;
}

function newTally(): Tally {
  const zero = () => Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Record<Kind, number>;
  return { completed: zero(), refused: zero(), samples: [], cpu: new Map() };
}

function message(n: number): Buffer {
  const paragraph = randomBytes(1200).toString('base64').replace(/[+/=]/g, ' ');
  return Buffer.from(
    `From: Sender ${n % 37} <sender${n % 37}@example.org>\r\nTo: ${USER}\r\n` +
      `Subject: concurrent ${n}\r\nDate: Mon, 1 Jan 2024 ${String(n % 24).padStart(2, '0')}:00:00 +0000\r\n` +
      `Message-ID: <${n}@concurrent.bench>\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n` +
      `${paragraph.replace(/(.{72})/g, '$1\r\n')}\r\n`,
  );
}

/** A small deterministic generator (mulberry32): the same choices in both runs. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** One client's loop until the deadline. */
async function runClient(
  port: number,
  variant: Variant,
  seed: number,
  deadline: number,
  tally: Tally,
): Promise<void> {
  const random = generator(seed);
  const note = (kind: Kind, reply: Reply, command: string) => {
    if (reply.status === 'OK') tally.completed[kind]++;
    else {
      tally.refused[kind]++;
      if (tally.samples.length < 10) {
        const tagged = reply.text.trimEnd().split('\r\n').pop();
        tally.samples.push(`${command.slice(0, 60)} -> ${tagged}`);
      }
    }
  };
  let client: ImapBenchClient | null = null;
  let appended = seed * 1_000_000;
  while (Date.now() < deadline) {
    if (!client) {
      client = await ImapBenchClient.connect(port, null);
      note('LOGIN', await client.exchange(`LOGIN ${USER} ${PASSWORD}`), 'LOGIN');
    }
    // The message count as this client was told it: other clients' appends and expunges reach
    // it as EXISTS and EXPUNGE with the answers, and its choices stay within what it was told.
    let exists = 0;
    const run = async (kind: Kind, command: string | Buffer) => {
      const reply = await client!.exchange(command);
      note(kind, reply, String(command));
      for (const line of reply.text.split('\r\n')) {
        const told = /^\* (\d+) (EXISTS|EXPUNGE)$/.exec(line);
        if (told) exists = told[2] === 'EXISTS' ? Number(told[1]) : exists - 1;
      }
      return reply;
    };
    await run('SELECT', 'SELECT INBOX');
    if (exists > 0) {
      const first = 1 + random(exists);
      const last = Math.min(exists, first + 4);
      await run(
        'FETCH',
        `FETCH ${first}:${last} (UID FLAGS ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)] BODY.PEEK[1]<0.512>)`,
      );
      const flagged = 1 + random(exists);
      const sign = random(2) === 0 ? '+' : '-';
      await run('STORE', `STORE ${flagged} ${sign}FLAGS (\\Flagged $Label${1 + random(5)})`);
    }
    const content = message(appended++);
    await run(
      'APPEND',
      Buffer.concat([
        Buffer.from(`APPEND INBOX {${content.length}+}\r\n`),
        content,
        Buffer.from('\r\n'),
      ]),
    );
    // The mailbox stays about its size: one message in, one out.
    if (exists > 0) await run('STORE', `STORE ${1 + random(exists)} +FLAGS.SILENT (\\Deleted)`);
    await run('EXPUNGE', 'EXPUNGE');
    if (variant === 'relogin') {
      await client.exchange('LOGOUT');
      client.close();
      client = null;
    }
  }
  client?.close();
}

async function runVariant(
  ports: readonly number[],
  variant: Variant,
  clients: number,
  seconds: number,
  processes: ReadonlyMap<string, number>,
): Promise<Tally> {
  const tally = newTally();
  const meter = new CpuMeter(processes);
  meter.start();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      runClient(ports[i % ports.length]!, variant, i + 1, deadline, tally),
    ),
  );
  tally.cpu = meter.stop();
  return tally;
}

function report(
  variant: Variant,
  setups: ReadonlyMap<Setup, Tally>,
  dovecot: Tally | null,
  seconds: number,
): void {
  console.log(`\n${variant}: commands completed in ${seconds} s (ratio: ours / Dovecot's)`);
  const total = (tally: Tally) => KINDS.reduce((sum, kind) => sum + tally.completed[kind], 0);
  for (const kind of [...KINDS, 'all'] as const) {
    const count = (tally: Tally) => (kind === 'all' ? total(tally) : tally.completed[kind]);
    const theirs = dovecot ? count(dovecot) : null;
    const cells = [...setups].map(([setup, tally]) => {
      const mine = count(tally);
      const ratio = theirs ? ` (${(mine / theirs).toFixed(2)}x)` : '';
      return `${setup} ${String(mine).padStart(7)}${ratio.padEnd(9)}`;
    });
    console.log(
      `  ${kind.padEnd(8)} ${cells.join('  ')}  dovecot ${theirs === null ? '      -' : String(theirs).padStart(7)}`,
    );
  }
  console.log(
    `  per second: ${[...setups].map(([setup, tally]) => `${setup} ${(total(tally) / seconds).toFixed(0)}`).join(', ')}${dovecot ? `, dovecot ${(total(dovecot) / seconds).toFixed(0)}` : ''}`,
  );
  for (const [name, tally] of [...setups, ['dovecot', dovecot] as const]) {
    if (!tally) continue;
    const refused = KINDS.filter((kind) => tally.refused[kind] > 0).map(
      (kind) => `${kind} ${tally.refused[kind]}`,
    );
    console.log(`  ${name} refused: ${refused.length === 0 ? 'none' : refused.join(', ')}`);
    for (const sample of tally.samples) console.log(`    ${sample}`);
  }
  // CPU per command: what the shared machine disturbs less than the rates above.
  console.log('  CPU seconds per 1,000 commands, by process:');
  for (const [name, tally] of [...setups, ['dovecot', dovecot] as const]) {
    if (!tally) continue;
    const thousands = total(tally) / 1000;
    const parts = [...tally.cpu].map(
      ([process, used]) => `${process} ${(used / thousands).toFixed(2)}`,
    );
    const sum = [...tally.cpu.values()].reduce((a, b) => a + b, 0);
    console.log(`    ${name.padEnd(8)} total ${(sum / thousands).toFixed(2)}: ${parts.join(', ')}`);
  }
}

async function main(): Promise<void> {
  const CLIENTS = numberOption('clients', 10);
  const SECONDS = numberOption('seconds', 15);
  const MESSAGES = numberOption('messages', 1000);
  const chosen = textOption('variant', 'both');
  const variants: Variant[] = chosen === 'both' ? ['persistent', 'relogin'] : [chosen as Variant];
  console.log(
    `node ${process.version}; ${CLIENTS} clients on one INBOX of ${MESSAGES} messages (~2 KB), ${SECONDS} s per variant and server\n`,
  );
  const messages = Array.from({ length: MESSAGES }, (_, i) => message(i));
  const wanted = textOption('setups', 'fs,pg1,pg2').split(',') as Setup[];
  const setups = wanted.filter((setup) => setup === 'fs' || POSTGRES.available);
  if (setups.length < wanted.length) {
    console.log(`PostgreSQL is not installed (${POSTGRES.install}): running ${setups.join(', ')}`);
  }
  const results = new Map<Variant, { ours: Map<Setup, Tally>; dovecot: Tally | null }>();

  for (const variant of variants) {
    const ours = new Map<Setup, Tally>();
    for (const setup of setups)
      ours.set(setup, await runSetup(setup, variant, messages, CLIENTS, SECONDS));

    // ---- Dovecot ----
    let dovecot: Tally | null = null;
    if (dovecotServerAvailable) {
      const server = new DovecotServer();
      try {
        server.fillMaildir(messages);
        const port = await server.start({ login: LOGIN });
        dovecot = await runVariant(
          [port],
          variant,
          CLIENTS,
          SECONDS,
          new Map([['dovecot', server.pid!]]),
        );
      } finally {
        await server.stop();
      }
    }
    results.set(variant, { ours, dovecot });
  }
  if (!dovecotServerAvailable) {
    console.log('Dovecot is not installed (Debian dovecot-imapd): reporting our figures only');
  }
  for (const [variant, { ours, dovecot }] of results) report(variant, ours, dovecot, SECONDS);
}

type Setup = 'fs' | 'pg1' | 'pg2';

/** `--statements`: PostgreSQL runs with pg_stat_statements, reported after each of its runs. */
const STATEMENTS = process.argv.includes('--statements');

/** The statements PostgreSQL ran for a setup, most time first, per 1,000 IMAP commands. */
async function reportStatements(
  url: string,
  setup: Setup,
  variant: Variant,
  tally: Tally,
): Promise<void> {
  // The store's own pool: the client it depends on, without one more dependency here.
  const reader = await PostgresMailStore.open({ url, changeFeed: false, maxConnections: 1 });
  const sql = reader.persistenceOverPostgres.sql;
  try {
    const rows = await sql<{ calls: string; total: number; query: string }[]>`
      SELECT calls, total_exec_time AS total, query FROM pg_stat_statements
      WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 12`;
    const thousands = KINDS.reduce((sum, kind) => sum + tally.completed[kind], 0) / 1000;
    const [all] = await sql<{ calls: string; total: number }[]>`
      SELECT sum(calls) AS calls, sum(total_exec_time) AS total FROM pg_stat_statements`;
    console.log(
      `\n${setup}, ${variant}: ${(Number(all!.calls) / thousands).toFixed(0)} statements and ${(all!.total / thousands).toFixed(0)} ms of execution per 1,000 IMAP commands; the top ones:`,
    );
    for (const row of rows) {
      const text = row.query.replace(/\s+/g, ' ').slice(0, 110);
      console.log(
        `  ${(Number(row.calls) / thousands).toFixed(0).padStart(6)} calls ${(row.total / thousands).toFixed(0).padStart(6)} ms  ${text}`,
      );
    }
  } finally {
    await reader.close();
  }
}

/** Our server(s) in one setup, over a fresh store filled alike, under one variant's load. */
async function runSetup(
  setup: Setup,
  variant: Variant,
  messages: readonly Buffer[],
  clients: number,
  seconds: number,
): Promise<Tally> {
  if (setup === 'fs') {
    const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-concurrent-'));
    try {
      await fillInbox(directory, USER, messages);
      const { child, port } = await forkServer(import.meta.filename, directory);
      const tally = await runVariant(
        [port],
        variant,
        clients,
        seconds,
        new Map([['node', child.pid!]]),
      );
      child.send({ type: 'stop' });
      await new Promise((resolve) => child.once('exit', resolve));
      return tally;
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }
  const database = await new PostgresServer(
    STATEMENTS ? { shared_preload_libraries: 'pg_stat_statements' } : {},
  ).start();
  try {
    const filler = await PostgresMailStore.open({ url: database.url(), changeFeed: false });
    for (let i = 0; i < messages.length; i += 1000) {
      await filler.access(USER).append(
        'INBOX',
        messages.slice(i, i + 1000).map((content) => ({ content })),
      );
    }
    if (STATEMENTS) {
      await filler.persistenceOverPostgres.sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
      await filler.persistenceOverPostgres.sql`SELECT pg_stat_statements_reset()`;
    }
    await filler.close();
    const nodes = await Promise.all(
      Array.from({ length: setup === 'pg2' ? 2 : 1 }, () =>
        forkServer(import.meta.filename, database.url()),
      ),
    );
    const processes = new Map(
      nodes.map(({ child }, i) => [nodes.length > 1 ? `node ${'AB'[i]}` : 'node', child.pid!]),
    );
    processes.set('postgres', database.pid!);
    const tally = await runVariant(
      nodes.map((node) => node.port),
      variant,
      clients,
      seconds,
      processes,
    );
    for (const { child } of nodes) {
      child.send({ type: 'stop' });
      await new Promise((resolve) => child.once('exit', resolve));
    }
    if (STATEMENTS) await reportStatements(database.url(), setup, variant, tally);
    return tally;
  } finally {
    await database.close();
  }
}

// ---- the child: our server ----

async function serve(): Promise<void> {
  const where = process.argv[3]!;
  const store: MailStore = where.startsWith('postgres://')
    ? await PostgresMailStore.open({ url: where })
    : new FsMailStore({ directory: where });
  // A real directory: every LOGIN checks the password's scrypt hash, as the example server does.
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addUser(USER, { password: PASSWORD });
  const server = createImapServer({
    store,
    directory,
    hostname: 'localhost',
    allowPlaintextAuth: true,
    listeners: [{ name: 'imap', port: 0, tls: 'none' }],
  });
  // What the change feed did: other nodes' changes applied from their notices, and the
  // catch-up reads of the index (the feed's, and a stale write's retry's outside a lease).
  let catchUpReads = 0;
  let feedReads = 0;
  if (store instanceof PostgresMailStore) {
    const persistence = store.persistenceOverPostgres;
    const changesSince = persistence.changesSince.bind(persistence);
    persistence.changesSince = (mailboxId, modSeq) => {
      catchUpReads++;
      // The stack, once per read (a few hundred a run), tells the feed's from a retry's.
      if (new Error().stack?.includes('ChangeFeed')) feedReads++;
      return changesSince(mailboxId, modSeq);
    };
  }
  const [bound] = await server.listen();
  process.send!({ port: bound!.port });
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stop') {
      if (store instanceof PostgresMailStore) {
        console.log(
          `  node ${process.pid}: ${store.noticesAppliedWithoutRead} changes applied from notices, ${catchUpReads} catch-up reads (${feedReads} of them the change feed's)`,
        );
      }
      await server.close(100);
      await store.close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--serve') await serve();
else await main();
