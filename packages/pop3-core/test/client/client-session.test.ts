/** The sans-I/O client: against scripted server bytes, and against our server session in memory. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pop3ClientError, Pop3ClientSession } from '../../src/client/pop3-client-session.js';
import type { Pop3Session } from '../../src/session/pop3-session.js';
import { engine } from '../session-harness.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

/** A client whose writes are recorded; the test plays the server. */
function scripted(options = {}) {
  const written: string[] = [];
  let closed = false;
  const client = new Pop3ClientSession(
    {
      write: (bytes) => void written.push(Buffer.from(bytes).toString()),
      startTls: async () => {
        written.push('<tls>');
      },
      close: () => void (closed = true),
    },
    options,
  );
  return {
    client,
    written,
    isClosed: () => closed,
    server: (text: string) => client.receive(Buffer.from(text, 'latin1')),
  };
}

describe('Pop3ClientSession against scripted answers', () => {
  it('reads the greeting and its APOP timestamp, and logs in with APOP', async () => {
    const { client, written, server } = scripted();
    server('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n');
    await client.greeting;
    expect(client.timestamp).toBe('<1896.697170952@dbc.mtview.ca.us>');
    const login = client.apop('mrose', 'tanstaaf');
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual(['APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n']);
    server('+OK maildrop has 1 message (369 octets)\r\n');
    await login;
  });

  it('pipelines USER and PASS when the server has PIPELINING', async () => {
    const { client, written, server } = scripted();
    server('+OK hi\r\n');
    const capa = client.capa();
    server('+OK\r\nUSER\r\nPIPELINING\r\nSASL PLAIN LOGIN\r\n.\r\n');
    expect((await capa)?.get('SASL')).toEqual(['PLAIN', 'LOGIN']);
    const login = client.login('alice', 'secret');
    await new Promise((r) => setImmediate(r));
    expect(written.slice(1)).toEqual(['USER alice\r\n', 'PASS secret\r\n']);
    server('+OK\r\n+OK logged in\r\n');
    await login;
  });

  it('parses STAT, LIST and UIDL, and unstuffs RETR', async () => {
    const { client, server } = scripted();
    server('+OK\r\n');
    const stat = client.stat();
    const list = client.list();
    const uidl = client.uidl();
    const retr = client.retrieve(1);
    server('+OK 2 320\r\n+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n');
    server('+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n');
    server('+OK 120 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n');
    expect(await stat).toEqual({ count: 2, size: 320 });
    expect(await list).toEqual([
      { number: 1, size: 120 },
      { number: 2, size: 200 },
    ]);
    expect(await uidl).toEqual([
      { number: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' },
      { number: 2, uid: 'QhdPYR:00WBw1Ph7x7' },
    ]);
    expect((await retr).toString()).toBe('Subject: x\r\n\r\n.dot\r\n');
  });

  it('turns -ERR into a negative error with the response code, and goes on', async () => {
    const { client, server } = scripted();
    server('+OK\r\n');
    const login = client.login('alice', 'x');
    server('+OK\r\n');
    await new Promise((r) => setImmediate(r));
    server('-ERR [IN-USE] locked\r\n');
    const error = (await login.catch((e: unknown) => e)) as Pop3ClientError;
    expect(error).toBeInstanceOf(Pop3ClientError);
    expect(error.code).toBe('negative');
    expect(error.status?.code).toBe('IN-USE');
    const noop = client.noop();
    server('+OK\r\n');
    await noop;
  });

  it('answers null for CAPA and UIDL on servers without them', async () => {
    const { client, server } = scripted();
    server('+OK\r\n');
    const capa = client.capa();
    const uidl = client.uidl();
    server('-ERR unknown command\r\n-ERR unknown command\r\n');
    expect(await capa).toBeNull();
    expect(await uidl).toBeNull();
  });

  it('reads a message over the size limit to its end, keeps none of it, and stays in step', async () => {
    const { client, server } = scripted({ maxMessageSize: 10 });
    server('+OK\r\n');
    const big = client.retrieve(1);
    const stat = client.stat();
    server(`+OK\r\n${'x'.repeat(100)}\r\n.\r\n+OK 1 102\r\n`);
    await expect(big).rejects.toMatchObject({ code: 'too-big' });
    expect(await stat).toEqual({ count: 1, size: 102 });
  });

  it('fails every waiting command when the connection closes, or the server speaks nonsense', async () => {
    const { client, server, isClosed } = scripted();
    server('+OK\r\n');
    const a = client.stat();
    const b = client.noop();
    client.closed();
    await expect(a).rejects.toMatchObject({ code: 'closed' });
    await expect(b).rejects.toMatchObject({ code: 'closed' });
    await expect(client.noop()).rejects.toMatchObject({ code: 'closed' });

    const other = scripted();
    other.server('220 smtp.example.com ESMTP\r\n');
    await expect(other.client.greeting).rejects.toMatchObject({ code: 'protocol' });
    expect(other.isClosed()).toBe(true);
    expect(isClosed()).toBe(true);
  });

  it('refuses a status line without end', async () => {
    const { client, server } = scripted({ maxLine: 100 });
    server('x'.repeat(1000));
    await expect(client.greeting).rejects.toMatchObject({ code: 'protocol' });
  });
});

describe('Pop3ClientSession against our server session, in memory', () => {
  /** Wires a client session to a server session, delivering bytes in the given pieces. */
  function wire(
    server: (transport: Parameters<typeof engineConnect>[1]) => Pop3Session,
    cut: number,
  ) {
    const ref: { session?: Pop3Session } = {};
    const client = new Pop3ClientSession({
      write: (bytes) => {
        for (let i = 0; i < bytes.length; i += cut)
          ref.session!.receive(bytes.subarray(i, i + cut));
      },
      startTls: async () => {},
      close: () => ref.session!.disconnected(),
    });
    const session = server({
      write: (bytes) => {
        const copy = Buffer.from(bytes);
        for (let i = 0; i < copy.length; i += cut) client.receive(copy.subarray(i, i + cut));
        return true;
      },
      drain: async () => {},
      startTls: async () => {},
      close: () => client.closed(),
      pause: () => {},
      resume: () => {},
    });
    ref.session = session;
    session.start();
    return client;
  }
  type EngineType = Awaited<ReturnType<typeof engine>>['engine'];
  const engineConnect = (e: EngineType, t: Parameters<EngineType['connect']>[1]) =>
    e.connect(
      {
        id: 'mem',
        remoteAddress: '127.0.0.1',
        remotePort: 1,
        localAddress: '127.0.0.1',
        localPort: 110,
        listener: 'pop3',
        secure: false,
        tlsAvailable: false,
      },
      t,
    );

  it('retrieves and deletes every message exactly, whatever the chunking', async () => {
    const setup = await engine();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc
            .array(fc.constantFrom('a', '.', '\r\n', '\n', 'Subject: s', '..', ' '), {
              maxLength: 30,
            })
            .map((t) => Buffer.from(`X: 1\r\n\r\n${t.join('')}`)),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 1, max: 64 }),
        async (messages, cut) => {
          for (const content of messages)
            await setup.store.deliver('alice@example.com', { content });
          const client = wire((t) => engineConnect(setup.engine, t), cut);
          await client.greeting;
          await client.capa();
          await client.login('alice', 'wonderland');
          const list = await client.list();
          expect(list).toHaveLength(messages.length);
          for (const [i, { number }] of list.entries()) {
            const got = await client.retrieve(number);
            let expected = messages[i]!.toString('latin1').replace(/\r?\n/g, '\r\n');
            if (!expected.endsWith('\r\n')) expected += '\r\n';
            expect(got.toString('latin1')).toBe(expected);
            await client.dele(number);
          }
          await client.quit();
          const inbox = await setup.store.access('alice@example.com').open('INBOX');
          expect(await inbox.messages()).toEqual([]);
          inbox.close();
        },
      ),
      { seed: 995, numRuns: Math.max(10, Math.floor(RUNS / 10)) },
    );
  }, 60_000);
});
