import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InteropServer, startInteropServer } from './interop-server.js';

const run = promisify(execFile);

describeWithCommand('curl', 'curl (imap:// and imaps://) against our server', () => {
  let server: InteropServer;
  const curl = async (url: string, ...args: string[]) =>
    (
      await run('curl', [
        '--silent',
        '--show-error',
        '--insecure',
        '-u',
        'alice:wonderland',
        ...args,
        url,
      ])
    ).stdout;

  beforeAll(async () => {
    server = await startInteropServer();
  });
  afterAll(() => server.stop());

  it('appends with -T, fetches by UID and section, searches, lists, and runs a custom command', async () => {
    const base = `imaps://127.0.0.1:${server.tlsPort}`;
    const file = join(server.directory, 'upload.eml');
    writeFileSync(file, 'From: carol@example.com\r\nSubject: Via curl\r\n\r\nUploaded body\r\n');
    await curl(`${base}/INBOX`, '-T', file);
    expect(await curl(`${base}/INBOX;UID=1`)).toBe(
      'From: carol@example.com\r\nSubject: Via curl\r\n\r\nUploaded body\r\n',
    );
    expect(await curl(`${base}/INBOX;UID=1/;SECTION=TEXT`)).toBe('Uploaded body\r\n');
    expect(await curl(`${base}/INBOX?SUBJECT%20curl`)).toBe('* SEARCH 1\r\n');
    const list = await curl(`${base}/`);
    expect(list).toContain('* LIST (\\HasNoChildren) "/" INBOX\r\n');
    expect(list).toContain('* LIST (\\HasNoChildren \\Drafts) "/" Drafts\r\n');
    expect(await curl(`${base}/`, '-X', 'STATUS INBOX (MESSAGES UIDNEXT)')).toBe(
      '* STATUS INBOX (MESSAGES 1 UIDNEXT 2)\r\n',
    );
  });

  it('requires STARTTLS on the plain port (--ssl-reqd) and logs in after it', async () => {
    expect(await curl(`imap://127.0.0.1:${server.port}/`, '--ssl-reqd', '-X', 'NAMESPACE')).toBe(
      '* NAMESPACE (("" "/")) (("~" "/")) (("#public/" "/"))\r\n',
    );
    await expect(curl(`imap://127.0.0.1:${server.port}/`, '-X', 'NAMESPACE')).rejects.toThrow();
  });
});
