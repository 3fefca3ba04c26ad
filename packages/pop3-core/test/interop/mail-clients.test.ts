/**
 * curl (pop3:// and pop3s://), fetchmail and mpop, Debian's POP3 clients, retrieve and delete
 * mail from our server on loopback.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type ServerFixture, runPeer, sampleMessage, startServer } from './server-fixture.js';

let fixture: ServerFixture;
let run = 0;

beforeAll(async () => {
  fixture = await startServer();
});
afterAll(async () => {
  await fixture?.close();
});
beforeEach(async () => {
  const box = await fixture.store.access('alice@example.com').open('INBOX');
  const uids = (await box.messages()).map((m) => m.uid);
  if (uids.length) {
    await box.updateFlags(uids, { operation: 'add', flags: ['\\Deleted'] });
    await box.expunge(uids);
  }
  box.close();
  run++;
});

const curl = (...args: string[]) =>
  runPeer('curl', ['-sS', '--max-time', '20', '-u', 'alice:wonderland', ...args]);

describeWithCommand('curl', 'curl', () => {
  it('lists and retrieves over pop3://, whatever login it picks', async () => {
    const messages = [sampleMessage(1), sampleMessage(2, 'extra\r\n')];
    for (const m of messages) await fixture.deliver('alice@example.com', m);
    const base = `pop3://127.0.0.1:${fixture.ports.open}`;
    const list = await curl(`${base}/`);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(messages.map((m, i) => `${i + 1} ${m.length}\r\n`).join(''));
    for (const options of [
      [],
      ['--login-options', 'AUTH=+APOP'],
      ['--login-options', 'AUTH=PLAIN'],
    ]) {
      const retrieved = await curl(...options, `${base}/2`);
      expect(retrieved.code).toBe(0);
      expect(retrieved.stdout).toBe(messages[1]);
    }
    const uidl = await curl('-X', 'UIDL', `${base}/`);
    expect(uidl.stdout.trim().split('\r\n')).toHaveLength(2);
  });

  it('deletes with -X DELE', async () => {
    for (const n of [1, 2]) await fixture.deliver('alice@example.com', sampleMessage(n));
    const deleted = await curl('-X', 'DELE', '-I', `pop3://127.0.0.1:${fixture.ports.open}/1`);
    expect(deleted.code).toBe(0);
    const left = await fixture.inbox('alice@example.com');
    expect(left.map((m) => m.content.toString())).toEqual([expect.stringContaining('message 2')]);
  });

  it('speaks pop3s:// and STLS with --ssl-reqd, trusting our certificate', async () => {
    await fixture.deliver('alice@example.com', sampleMessage(5));
    const implicit = await curl(
      '--cacert',
      fixture.caFile,
      `pop3s://localhost:${fixture.ports.pop3s}/1`,
      '--resolve',
      `localhost:${fixture.ports.pop3s}:127.0.0.1`,
    );
    expect(implicit.code, implicit.stderr).toBe(0);
    expect(implicit.stdout).toContain('Subject: message 5');
    const upgraded = await curl(
      '--ssl-reqd',
      '--cacert',
      fixture.caFile,
      '--resolve',
      `localhost:${fixture.ports.pop3}:127.0.0.1`,
      '--login-options',
      'AUTH=PLAIN',
      `pop3://localhost:${fixture.ports.pop3}/1`,
    );
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toContain('Subject: message 5');
  });

  it('is refused a plaintext login without TLS where plaintext is not allowed', async () => {
    await fixture.deliver('alice@example.com', sampleMessage(6));
    const refused = await curl(
      '--login-options',
      'AUTH=PLAIN',
      `pop3://127.0.0.1:${fixture.ports.pop3}/1`,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
  });
});

describeWithCommand('fetchmail', 'fetchmail', () => {
  it('retrieves every message over STLS and deletes them', async () => {
    const messages = [sampleMessage(1), sampleMessage(2), sampleMessage(3)];
    for (const m of messages) await fixture.deliver('alice@example.com', m);
    const home = join(fixture.work, `fetchmail-${run}`);
    const out = join(home, 'out');
    mkdirSync(out, { recursive: true });
    const rc = join(home, 'fetchmailrc');
    writeFileSync(
      rc,
      [
        'set no syslog',
        `poll 127.0.0.1 service ${fixture.ports.pop3} protocol pop3 uidl auth password`,
        '  user "alice" there with password "wonderland" is "root" here',
        `  mda "/bin/sh -c 'cat > ${out}/mail.$$'"`,
        `  fetchall nokeep sslcertck sslcommonname "localhost" sslcertfile "${fixture.caFile}"`,
        '',
      ].join('\n'),
    );
    chmodSync(rc, 0o600);
    const result = await runPeer(
      'fetchmail',
      ['-f', rc, '-i', join(home, 'ids'), '--nodetach', '-v'],
      { env: { ...process.env, HOME: home, FETCHMAILHOME: home } },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const fetched = readdirSync(out).map((f) => readFileSync(join(out, f), 'latin1'));
    expect(fetched).toHaveLength(3);
    // fetchmail prepends its Received line and delivers with LF line endings.
    for (const m of messages) {
      const subject = /Subject: [^\r]+/.exec(m)![0];
      const copy = fetched.find((f) => f.includes(subject))!;
      expect(copy).toContain('.a line that starts with a dot\n');
      expect(copy.endsWith(m.split('\r\n\r\n')[1]!.replace(/\r\n/g, '\n'))).toBe(true);
    }
    expect(result.stderr + result.stdout).toContain('STLS');
    expect(await fixture.inbox('alice@example.com')).toEqual([]);
  });
});

describeWithCommand('mpop', 'mpop', () => {
  it('retrieves into a maildir over STLS with pipelined USER/PASS, keeping nothing', async () => {
    const messages = [sampleMessage(1), sampleMessage(2)];
    for (const m of messages) await fixture.deliver('alice@example.com', m);
    const home = join(fixture.work, `mpop-${run}`);
    for (const d of ['new', 'cur', 'tmp']) mkdirSync(join(home, 'md', d), { recursive: true });
    const rc = join(home, 'mpoprc');
    writeFileSync(
      rc,
      [
        'defaults',
        'tls on',
        'tls_starttls on',
        `tls_trust_file ${fixture.caFile}`,
        'tls_host_override localhost',
        'account test',
        'host 127.0.0.1',
        `port ${fixture.ports.pop3}`,
        'user alice',
        'password wonderland',
        'auth user',
        `delivery maildir ${join(home, 'md')}`,
        'keep off',
        `uidls_file ${join(home, 'uidls')}`,
        '',
      ].join('\n'),
    );
    chmodSync(rc, 0o600);
    const result = await runPeer('mpop', ['-C', rc, '-q', 'test']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const delivered = readdirSync(join(home, 'md', 'new')).map((f) =>
      readFileSync(join(home, 'md', 'new', f), 'latin1'),
    );
    expect(delivered).toHaveLength(2);
    for (const m of messages) {
      expect(delivered.some((d) => d.includes(/Message-ID: [^\r]+/.exec(m)![0]))).toBe(true);
    }
    expect(await fixture.inbox('alice@example.com')).toEqual([]);
  });

  it('keeps the messages with keep on, and fetches each only once (UIDL)', async () => {
    await fixture.deliver('alice@example.com', sampleMessage(1));
    const home = join(fixture.work, `mpop-keep-${run}`);
    for (const d of ['new', 'cur', 'tmp']) mkdirSync(join(home, 'md', d), { recursive: true });
    const rc = join(home, 'mpoprc');
    writeFileSync(
      rc,
      [
        'account test',
        'host 127.0.0.1',
        `port ${fixture.ports.open}`,
        'tls off',
        'user alice',
        'password wonderland',
        'auth user',
        `delivery maildir ${join(home, 'md')}`,
        'keep on',
        'only_new on',
        `uidls_file ${join(home, 'uidls')}`,
        '',
      ].join('\n'),
    );
    chmodSync(rc, 0o600);
    expect((await runPeer('mpop', ['-C', rc, '-q', 'test'])).code).toBe(0);
    await fixture.deliver('alice@example.com', sampleMessage(2));
    expect((await runPeer('mpop', ['-C', rc, '-q', 'test'])).code).toBe(0);
    expect(readdirSync(join(home, 'md', 'new'))).toHaveLength(2);
    expect(await fixture.inbox('alice@example.com')).toHaveLength(2);
  });
});
