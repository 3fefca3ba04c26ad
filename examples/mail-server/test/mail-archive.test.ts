import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZipArchive } from '@mailyard/kmsrecover-format';
import { silentLogger } from '@mailyard/mailstore-interface';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { MailArchive, archiveFolderName, directionOf } from '../src/mail-archive.js';
import { defaultConfig } from '../src/server-config.js';
import { command } from './harness/peers.js';
import {
  EPHEMERAL_PORTS,
  type ServerProcess,
  startServer,
  temporaryDataDirectory,
} from './harness/server-process.js';

async function* chunks(...parts: string[]) {
  for (const part of parts) yield Buffer.from(part);
}
async function drain(stream: AsyncIterable<Uint8Array>) {
  for await (const chunk of stream) void chunk;
}

describe('archive folder names (Admin Guide 15.1)', () => {
  it('names folders by month, by week counted from January 1, and by day, in local time', () => {
    expect(archiveFolderName('month', new Date(2005, 0, 12, 10).getTime())).toBe('2005-Jan');
    expect(archiveFolderName('day', new Date(2005, 0, 12, 10).getTime())).toBe('2005-Jan-12');
    expect(archiveFolderName('week', new Date(2005, 0, 1).getTime())).toBe('2005-W01');
    expect(archiveFolderName('week', new Date(2005, 0, 7, 23).getTime())).toBe('2005-W01');
    expect(archiveFolderName('week', new Date(2005, 0, 8).getTime())).toBe('2005-W02');
    expect(archiveFolderName('week', new Date(2005, 0, 15).getTime())).toBe('2005-W03');
    expect(archiveFolderName('week', new Date(2005, 11, 31).getTime())).toBe('2005-W53');
  });

  it('tells the direction of a message', () => {
    expect(directionOf(true, true)).toBe('local');
    expect(directionOf(false, true)).toBe('incoming');
    expect(directionOf(true, false)).toBe('outgoing');
    expect(directionOf(false, false)).toBe('relayed');
  });
});

describe('MailArchive', () => {
  const at = { now: () => new Date(2026, 2, 3, 12).getTime() };
  const archiveIn = (directory: string, clock = at) =>
    new MailArchive({
      config: { ...defaultConfig().archive, enabled: true, interval: 'day' },
      directory,
      clock,
      logger: silentLogger,
    });

  it('copies a message as it streams, opens a new folder after a restart, and drops an aborted copy', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailyard-archive-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    const first = archiveIn(directory);
    const copy = await first.begin();
    await drain(copy.wrap(chunks('Subject: one\r\n', '\r\nbody\r\n')));
    await copy.commit('Q1');
    const aborted = await first.begin();
    // The file is there once begun, so the abort cannot run ahead of its creation.
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toHaveLength(1);
    await drain(aborted.wrap(chunks('Subject: never\r\n')));
    await aborted.abort();
    expect(readdirSync(directory)).toEqual(['2026-Mar-03']);
    expect(readFileSync(join(directory, '2026-Mar-03', 'Q1.eml'), 'utf8')).toBe(
      'Subject: one\r\n\r\nbody\r\n',
    );
    // A restart: the first message opens a folder of its own.
    const again = archiveIn(directory);
    const next = await again.begin();
    await drain(next.wrap(chunks('Subject: two\r\n')));
    await next.commit('Q2');
    expect(readdirSync(directory).sort()).toEqual(['2026-Mar-03', '2026-Mar-03~2']);
    expect(readdirSync(join(directory, '2026-Mar-03~2'))).toEqual(['Q2.eml']);
  });

  it('compresses every folder but the current one into a ZIP', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailyard-archive-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    mkdirSync(join(directory, '2026-Mar-01'));
    writeFileSync(join(directory, '2026-Mar-01', 'Q0.eml'), 'Subject: old\r\n\r\nold\r\n');
    const archive = archiveIn(directory);
    const copy = await archive.begin();
    await drain(copy.wrap(chunks('Subject: new\r\n')));
    await copy.commit('Q1');
    expect(await archive.compressOldFolders()).toEqual(['2026-Mar-01']);
    expect(readdirSync(directory).sort()).toEqual(['2026-Mar-01.zip', '2026-Mar-03']);
    const zip = await ZipArchive.open(join(directory, '2026-Mar-01.zip'));
    expect((await zip.read(zip.get('Q0.eml')!)).toString()).toBe('Subject: old\r\n\r\nold\r\n');
    zip.close();
  });
});

const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop('SIGKILL')));
});

describeWithCommand('swaks', 'archiving in the server', () => {
  it('archives the mail of the directions chosen, and only those', async () => {
    const data = temporaryDataDirectory();
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(data, 'mailserver.cfg'),
      '<config><variable name="ArchiveEnabled">1</variable><variable name="ArchiveInterval">month</variable>' +
        '<variable name="ArchiveIncoming">1</variable><variable name="ArchiveLocal">0</variable></config>',
    );
    const server = await startServer(data, [
      ...EPHEMERAL_PORTS,
      '--user',
      'alice@example.test:alice-secret',
    ]);
    running.push(server);
    const send = (from: string, subject: string) =>
      command('swaks', [
        '--server',
        `127.0.0.1:${server.ports.smtp}`,
        '--from',
        from,
        '--to',
        'alice@example.test',
        '--header',
        `Subject: ${subject}`,
      ]);
    expect((await send('carol@elsewhere.test', 'incoming one')).code).toBe(0);
    // Local to local is not chosen: not archived. (Unauthenticated local senders may be refused
    // by the relay policy; either way nothing is archived.)
    await send('alice@example.test', 'local one');
    const archive = join(data, 'store', 'archive');
    const folders = readdirSync(archive).filter((name) => !name.startsWith('.'));
    expect(folders).toHaveLength(1);
    expect(folders[0]).toMatch(/^\d{4}-[A-Z][a-z]{2}$/);
    const files = readdirSync(join(archive, folders[0]!));
    expect(files).toHaveLength(1);
    expect(readFileSync(join(archive, folders[0]!, files[0]!), 'utf8')).toContain(
      'Subject: incoming one',
    );
  });
});
