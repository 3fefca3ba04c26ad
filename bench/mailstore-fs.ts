/**
 * FsMailStore against Dovecot (maildir, default fsync settings), same machine, same run:
 *   - durable appends of 10 KB messages, one at a time;
 *   - opening a 100,000-message mailbox and reading every message's flags;
 *   - setting a flag on all 100,000 messages.
 *
 * Dovecot is driven through its IMAP process over pipes (APPEND, SELECT + FETCH FLAGS,
 * STORE +FLAGS.SILENT), so its figures include IMAP parsing that ours, called as a library, do
 * not pay; read the ratios with that in mind. Both fsync every acknowledged append.
 *
 * Usage: npm run bench:store [-- --appends N --messages N]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { DovecotSandbox, appendCommands, dovecotAvailable } from '@mailyard/test-kit';
import { formatRate } from './measure.js';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const APPENDS = option('appends', 2000);
const MESSAGES = option('messages', 100_000);
const USER = 'bench@example.com';

function message(n: number, size: number): Buffer {
  const header = `From: bench@example.com\r\nTo: user@example.com\r\nSubject: bench ${n}\r\nMessage-ID: <${n}@bench>\r\n\r\n`;
  const body = randomBytes(Math.ceil(size * 0.75))
    .toString('base64')
    .slice(0, Math.max(0, size - header.length));
  return Buffer.from(header + body.replace(/(.{76})/g, '$1\r\n'));
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const rows: { workload: string; ours: number; dovecot: number | null; unit: string }[] = [];

console.log(
  `node ${process.version}; ${APPENDS} appends of 10 KB; a mailbox of ${MESSAGES} messages of 1 KB\n`,
);

// ---- ours ----
const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-fs-'));
try {
  const store = new FsMailStore({ directory });
  const access = store.access(USER);
  const appendMessages = Array.from({ length: APPENDS }, (_, i) => message(i, 10_240));
  let start = process.hrtime.bigint();
  for (const content of appendMessages) await access.append('INBOX', [{ content }]);
  const appendRate = APPENDS / seconds(start);

  await access.create('Big');
  for (let done = 0; done < MESSAGES; done += 1000) {
    const batch = Array.from({ length: Math.min(1000, MESSAGES - done) }, (_, i) => ({
      content: message(done + i, 1024),
    }));
    await access.append('Big', batch);
  }
  await store.close();

  start = process.hrtime.bigint();
  const reopened = new FsMailStore({ directory });
  const big = await reopened.access(USER).open('Big');
  const states = await big.messages();
  const openSeconds = seconds(start);
  if (states.length !== MESSAGES)
    throw new Error(`expected ${MESSAGES} messages, found ${states.length}`);

  start = process.hrtime.bigint();
  await big.updateFlags(
    states.map((s) => s.uid),
    { operation: 'add', flags: ['\\Seen'] },
  );
  const flagSeconds = seconds(start);
  await reopened.close();
  rows.push({
    workload: 'append 10 KB (durable, one at a time)',
    ours: appendRate,
    dovecot: null,
    unit: 'msg/s',
  });
  rows.push({
    workload: `open ${MESSAGES} + read all flags`,
    ours: openSeconds * 1000,
    dovecot: null,
    unit: 'ms',
  });
  rows.push({
    workload: `flag ${MESSAGES} messages`,
    ours: flagSeconds * 1000,
    dovecot: null,
    unit: 'ms',
  });
} finally {
  rmSync(directory, { recursive: true, force: true });
}

// ---- Dovecot ----
if (dovecotAvailable) {
  const dovecot = new DovecotSandbox();
  try {
    const appendMessages = Array.from({ length: APPENDS }, (_, i) => message(i, 10_240));
    const appended = await dovecot.run(appendCommands(appendMessages));
    rows[0]!.dovecot = APPENDS / appended.seconds;

    // The big mailbox is written as maildir files directly (APPENDing 100,000 messages one by
    // one takes Dovecot far longer than the measurement itself); Dovecot indexes it on first use.
    await dovecot.run(Buffer.from('C CREATE Big\r\n'));
    dovecot.fillMaildir(
      'Big',
      Array.from({ length: MESSAGES }, (_, i) => message(i, 1024)),
    );
    // One session to let Dovecot build its index, as ours was built while appending.
    await dovecot.run(Buffer.from('S SELECT Big\r\n'));
    const opened = await dovecot.run(Buffer.from('S SELECT Big\r\nF FETCH 1:* (FLAGS)\r\n'));
    rows[1]!.dovecot = opened.seconds * 1000;
    const flagged = await dovecot.run(
      Buffer.from('S SELECT Big\r\nT STORE 1:* +FLAGS.SILENT (\\Seen)\r\n'),
    );
    rows[2]!.dovecot = flagged.seconds * 1000;
  } finally {
    dovecot.close();
  }
} else {
  console.log('Dovecot is not installed (Debian dovecot-imapd): reporting our figures only\n');
}

for (const { workload, ours, dovecot, unit } of rows) {
  const better =
    unit === 'msg/s' ? (dovecot ? ours / dovecot : null) : dovecot ? dovecot / ours : null;
  const theirs = dovecot === null ? '        -' : formatRate(dovecot, unit);
  const ratio = better === null ? '' : `  ratio ${better.toFixed(2)}x (higher is better for us)`;
  console.log(`${workload.padEnd(40)} ours ${formatRate(ours, unit)}   dovecot ${theirs}${ratio}`);
}
