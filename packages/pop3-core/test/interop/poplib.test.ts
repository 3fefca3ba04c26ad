/**
 * Python's poplib, a client nobody here wrote, against our server on loopback: USER/PASS,
 * APOP, STLS (after being refused a password in the clear), implicit TLS, TOP, UIDL, DELE and
 * QUIT, a big message, and the IN-USE lock.
 */
import { describeWithCommand } from '@mailyard/test-kit';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type ServerFixture, runPeer, sampleMessage, startServer } from './server-fixture.js';

let fixture: ServerFixture;

beforeAll(async () => {
  fixture = await startServer();
});
afterAll(async () => {
  await fixture?.close();
});

/** Runs a poplib script; `p` is connected per `connect`, the script prints JSON. */
async function poplib(connect: string, body: string): Promise<unknown> {
  const script = [
    'import json, poplib, ssl, sys',
    'port = int(sys.argv[1]); cafile = sys.argv[2]',
    'context = ssl.create_default_context(cafile=cafile)',
    connect,
    body,
  ].join('\n');
  const { code, stdout, stderr } = await runPeer('python3', [
    '-c',
    script,
    String(fixture.ports.open),
    fixture.caFile,
    String(fixture.ports.pop3),
    String(fixture.ports.pop3s),
  ]);
  if (code !== 0) throw new Error(`python3 exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

const OPEN = "p = poplib.POP3('127.0.0.1', port)";

describeWithCommand('python3', 'poplib', () => {
  beforeEach(async () => {
    // Each test starts from an empty INBOX.
    for (const user of ['alice@example.com', 'bob@example.com']) {
      const box = await fixture.store
        .access(user)
        .open('INBOX')
        .catch(() => null);
      if (!box) continue;
      const uids = (await box.messages()).map((m) => m.uid);
      if (uids.length) {
        await box.updateFlags(uids, { operation: 'add', flags: ['\\Deleted'] });
        await box.expunge(uids);
      }
      box.close();
    }
  });

  it('logs in with USER/PASS, lists, reads, and deletes at QUIT', async () => {
    const messages = [sampleMessage(1), sampleMessage(2), sampleMessage(3)];
    for (const m of messages) await fixture.deliver('alice@example.com', m);
    const result = (await poplib(
      OPEN,
      `
p.user('alice'); p.pass_('wonderland')
stat = p.stat()
listing = p.list()[1]
uidl = p.uidl()[1]
retr = p.retr(2)[1]
top = p.top(1, 0)[1]
p.dele(1); p.dele(3)
bye = p.quit()
print(json.dumps({'stat': list(stat), 'list': [l.decode() for l in listing],
  'uidl': [l.decode() for l in uidl], 'retr': [l.decode() for l in retr],
  'top': [l.decode() for l in top], 'bye': bye.decode()}))`,
    )) as Record<string, unknown>;
    const sizes = messages.map((m) => Buffer.byteLength(m));
    expect(result.stat).toEqual([3, sizes[0]! + sizes[1]! + sizes[2]!]);
    expect(result.list).toEqual(sizes.map((s, i) => `${i + 1} ${s}`));
    const uidls = (result.uidl as string[]).map((l) => l.split(' ')[1]);
    expect(new Set(uidls).size).toBe(3);
    // poplib unstuffs and splits lines: the message comes back as it was stored.
    expect((result.retr as string[]).join('\r\n') + '\r\n').toBe(messages[1]);
    expect(result.top).toEqual(messages[0]!.split('\r\n\r\n')[0]!.split('\r\n').concat(['']));
    expect(result.bye).toMatch(/^\+OK/);
    const left = await fixture.inbox('alice@example.com');
    expect(left.map((m) => m.content.toString())).toEqual([messages[1]]);
    expect(left[0]!.flags).toContain('\\Seen');
    // The UIDL of the message left is the one it had.
    const again = (await poplib(
      OPEN,
      "p.user('alice'); p.pass_('wonderland'); print(json.dumps(p.uidl(1).decode())); p.quit()",
    )) as string;
    expect(again.split(' ')[2]).toBe(uidls[1]);
  });

  it('logs in with APOP', async () => {
    await fixture.deliver('alice@example.com', sampleMessage(1));
    const result = await poplib(
      OPEN,
      "p.apop('alice', 'wonderland'); print(json.dumps(p.stat())); p.quit()",
    );
    expect(result).toEqual([1, expect.any(Number)]);
  });

  it('refuses a password before STLS with [AUTH], and takes it after', async () => {
    await fixture.deliver('alice@example.com', sampleMessage(7));
    const result = (await poplib(
      "p = poplib.POP3('127.0.0.1', int(sys.argv[3]))",
      `
refused = None
try:
    p.user('alice')
except poplib.error_proto as e:
    refused = e.args[0].decode()
capa = p.capa()
p.stls(context)
capa_after = p.capa()
p.user('alice'); p.pass_('wonderland')
msg = p.retr(1)[1]
p.quit()
print(json.dumps({'refused': refused, 'stls': 'STLS' in capa, 'user_before': 'USER' in capa,
  'user_after': 'USER' in capa_after, 'stls_after': 'STLS' in capa_after,
  'subject': [l.decode() for l in msg if l.startswith(b'Subject')]}))`,
    )) as Record<string, unknown>;
    expect(result.refused).toMatch(/^-ERR \[AUTH\]/);
    expect(result).toMatchObject({
      stls: true,
      user_before: false,
      user_after: true,
      stls_after: false,
      subject: ['Subject: message 7'],
    });
  });

  it('speaks implicit TLS (POP3_SSL)', async () => {
    await fixture.deliver('bob@example.com', sampleMessage(9));
    const result = await poplib(
      "p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[4]), context=context)",
      "p.user('bob'); p.pass_('builder'); print(json.dumps(p.stat()[0])); p.quit()",
    );
    expect(result).toBe(1);
    expect(fixture.logins).toContain('bob@example.com pop3s');
  });

  it('streams a 20 MB message intact', async () => {
    const line = `${'0123456789'.repeat(7)}\r\n`;
    const big = `Subject: big\r\n\r\n${line.repeat(Math.ceil((20 * 1024 * 1024) / line.length))}`;
    await fixture.deliver('alice@example.com', big);
    const result = (await poplib(
      OPEN,
      `
import hashlib
p.user('alice'); p.pass_('wonderland')
resp, lines, octets = p.retr(1)
body = b'\\r\\n'.join(lines) + b'\\r\\n'
p.quit()
print(json.dumps({'octets': octets, 'sha': hashlib.sha256(body).hexdigest(), 'size': len(body)}))`,
    )) as Record<string, unknown>;
    const { createHash } = await import('node:crypto');
    expect(result.size).toBe(Buffer.byteLength(big));
    expect(result.sha).toBe(createHash('sha256').update(big).digest('hex'));
  }, 60_000);

  it('answers [IN-USE] to a second session of the same user', async () => {
    const result = await poplib(
      OPEN,
      `
p.user('alice'); p.pass_('wonderland')
q = poplib.POP3('127.0.0.1', port)
q.user('alice')
try:
    q.pass_('wonderland'); second = 'logged in'
except poplib.error_proto as e:
    second = e.args[0].decode()
p.quit(); q.quit()
print(json.dumps(second))`,
    );
    expect(result).toBe('-ERR [IN-USE] Maildrop is locked by another session');
  });
});
