import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasFlag } from '@mailyard/mailstore-interface';
import { describeWithCommand, selfSignedCertificate } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALICE } from '../session/harness.js';
import { type InteropServer, startInteropServer } from './interop-server.js';

const run = promisify(execFile);

const mail = (subject: string) =>
  Buffer.from(
    `From: bob@example.com\r\nTo: alice@example.com\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@x>\r\n\r\n${subject} body\r\n`,
  );

/** Files of a maildir folder, with the flags in their names (`:2,FS`). */
function maildir(folder: string): { name: string; flags: string }[] {
  const out: { name: string; flags: string }[] = [];
  for (const sub of ['cur', 'new']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(folder, sub));
    } catch {
      continue;
    }
    for (const name of names)
      out.push({ name: join(sub, name), flags: /:2,([A-Z]*)$/.exec(name)?.[1] ?? '' });
  }
  return out;
}

describeWithCommand('mbsync', 'mbsync (isync) syncing a mailbox with our server both ways', () => {
  let server: InteropServer;
  let config: string;
  let local: string;
  const sync = () =>
    run('mbsync', ['-c', config, '--all']).catch((error: { stderr?: string; stdout?: string }) => {
      throw new Error(`mbsync failed: ${error.stderr ?? ''}${error.stdout ?? ''}`);
    });

  beforeAll(async () => {
    server = await startInteropServer();
    local = join(server.directory, 'maildir');
    mkdirSync(local);
    const certificate = join(server.directory, 'cert.pem');
    writeFileSync(certificate, selfSignedCertificate().cert);
    config = join(server.directory, 'mbsyncrc');
    writeFileSync(
      config,
      [
        'IMAPAccount mailyard',
        'Host localhost',
        `Port ${server.tlsPort}`,
        'User alice@example.com',
        'Pass wonderland',
        'SSLType IMAPS',
        `CertificateFile ${certificate}`,
        'AuthMechs PLAIN',
        '',
        'IMAPStore remote',
        'Account mailyard',
        '',
        'MaildirStore local',
        `Path ${local}/`,
        `Inbox ${local}/INBOX`,
        'SubFolders Verbatim',
        '',
        'Channel sync',
        'Far :remote:',
        'Near :local:',
        'Patterns INBOX Work',
        'Create Both',
        'Expunge Both',
        'SyncState *',
        'Sync All',
        '',
      ].join('\n'),
    );
    const access = server.store.access(ALICE);
    await access.create('Work');
    await access.append('INBOX', [
      { content: mail('one') },
      { content: mail('two'), flags: ['\\Seen'] },
    ]);
    await access.append('Work', [{ content: mail('work item') }]);
  });
  afterAll(() => server.stop());

  it('pulls every message and flag, then pushes back new messages, flags and deletions', async () => {
    await sync();
    const inbox = maildir(join(local, 'INBOX'));
    expect(inbox).toHaveLength(2);
    expect(inbox.map((f) => f.flags).sort()).toEqual(['', 'S']);
    expect(maildir(join(local, 'Work'))).toHaveLength(1);

    // Locally: a new message, one message read, the read one deleted.
    writeFileSync(join(local, 'INBOX', 'new', '1700000000.local.test'), mail('written locally'));
    const unread = inbox.find((f) => f.flags === '')!;
    const read = inbox.find((f) => f.flags === 'S')!;
    renameSync(
      join(local, 'INBOX', unread.name),
      join(local, 'INBOX', 'cur', `${unread.name.split('/')[1]!.replace(/:2,.*$/, '')}:2,S`),
    );
    rmSync(join(local, 'INBOX', read.name));
    await sync();

    const opened = await server.store.access(ALICE).open('INBOX');
    const records = await opened.fetch((await opened.messages()).map((m) => m.uid));
    opened.close();
    expect(records.map((r) => r.summary.subject).sort()).toEqual(['one', 'written locally']);
    expect(hasFlag(records.find((r) => r.summary.subject === 'one')!.flags, '\\Seen')).toBe(true);

    // On the server: a flag; it reaches the maildir.
    const inboxAgain = await server.store.access(ALICE).open('INBOX');
    const one = records.find((r) => r.summary.subject === 'one')!;
    await inboxAgain.updateFlags([one.uid], { operation: 'add', flags: ['\\Flagged'] });
    inboxAgain.close();
    await sync();
    expect(
      maildir(join(local, 'INBOX'))
        .map((f) => f.flags)
        .sort(),
    ).toEqual(['', 'FS']);
  }, 60_000);
});
