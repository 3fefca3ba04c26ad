import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InteropServer, startInteropServer } from './interop-server.js';

const run = promisify(execFile);

describeWithCommand('python3', "Python's imaplib against our server over the on-disk store", () => {
  let server: InteropServer;
  beforeAll(async () => {
    server = await startInteropServer();
  });
  afterAll(() => server.stop());

  it('runs a whole session: STARTTLS, LOGIN, LIST, CREATE, APPEND, SELECT, SEARCH, FETCH, STORE, COPY, EXPUNGE', async () => {
    const { stdout } = await run('python3', [
      `${import.meta.dirname}/imaplib-client.py`,
      String(server.port),
      String(server.tlsPort),
    ]);
    const out = JSON.parse(stdout);
    expect(out.before_tls).toEqual(expect.arrayContaining(['STARTTLS', 'LOGINDISABLED']));
    expect(out.login).toBe('OK');
    expect(out.capabilities).toEqual(
      expect.arrayContaining(['IMAP4rev1', 'IDLE', 'UIDPLUS', 'MOVE']),
    );
    expect(out.list).toContain('(\\HasNoChildren) "/" INBOX');
    expect(out.list).toContain('(\\HasNoChildren \\Sent) "/" "Sent Items"');
    expect(out.create).toBe('OK');
    expect(out.append[0]).toMatch(/^\[APPENDUID \d+ 1\] Append completed$/);
    expect(out.select).toEqual(['OK', ['1']]);
    expect(out.search).toEqual(['1']);
    expect(out.uid_search).toEqual(['1']);
    expect(out.fetch[0][0]).toMatch(
      /^1 \(FLAGS \(\\Flagged \\Seen \\Recent\) RFC822\.SIZE 89 BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{31\}$/,
    );
    expect(out.fetch[0][1]).toBe('Subject: Hello from imaplib\r\n\r\n');
    expect(out.fetch[1][1]).toBe('Some text.\r\n');
    expect(out.store[0]).toContain('\\Deleted');
    expect(out.copy).toBe('OK');
    expect(out.expunge).toEqual(['1']);
    expect(out.status).toEqual(['"Work Stuff" (MESSAGES 1 UNSEEN 0)']);
    expect(out.namespace).toEqual(['(("" "/")) (("~" "/")) (("#public/" "/"))']);
    expect(out.logout).toBe('BYE');
  });
});
