import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptedConnection,
  CommandLoop,
  type CommandInput,
  type ServedSession,
  type SessionServer,
  type SocketTransport,
  createSessionServer,
} from '../src/index.js';

/** Lines ending in LF, as the events of a command reader. */
class Lines implements CommandInput<string> {
  private pending = Buffer.alloc(0);
  get buffered(): number {
    return this.pending.length;
  }
  push(bytes: Uint8Array): void {
    this.pending = Buffer.concat([this.pending, bytes]);
  }
  next(): string | null {
    const end = this.pending.indexOf(10);
    if (end < 0) return null;
    const line = this.pending.subarray(0, end).toString().trimEnd();
    this.pending = this.pending.subarray(end + 1);
    return line;
  }
}

/**
 * A line protocol over the loop: `ECHO x` answers `x`, `WAIT` answers once the test releases
 * it, `BAD` fails (three in a row close the session), `BUG` throws, `QUIT` closes.
 */
class EchoSession implements ServedSession {
  private closed = false;
  private readonly lines = new Lines();
  readonly loop: CommandLoop<string>;
  release: (() => void) | null = null;
  handled: string[] = [];
  private began: () => void = () => undefined;
  /** Resolves once a WAIT is being handled. */
  readonly waitBegan = new Promise<void>((resolve) => (this.began = resolve));

  constructor(
    readonly connection: AcceptedConnection,
    private readonly transport: SocketTransport,
    pendingInput = 1024,
  ) {
    this.loop = new CommandLoop({
      transport,
      input: this.lines,
      pendingInput,
      handle: (line) => this.handle(line),
      handlerFailed: (error) => this.loop.send(Buffer.from(`ERR ${String(error)}\n`)),
      stopped: () => this.closed,
      shutDown: () => {
        this.loop.send(Buffer.from('BYE stopping\n'));
        this.close();
      },
    });
  }

  private async handle(line: string): Promise<void> {
    this.handled.push(line);
    if (line.startsWith('ECHO ')) return this.loop.send(Buffer.from(`${line.slice(5)}\n`));
    if (line === 'WAIT') {
      const released = new Promise<void>((resolve) => (this.release = resolve));
      this.began();
      await released;
      return this.loop.send(Buffer.from('waited\n'));
    }
    if (line === 'BUG') throw new Error('bug');
    if (line === 'QUIT') {
      this.loop.send(Buffer.from('BYE\n'));
      return this.close();
    }
    this.loop.send(Buffer.from('NO\n'));
    if (this.loop.commandFailed() >= 3) {
      this.loop.send(Buffer.from('BYE too many\n'));
      this.close();
    }
  }

  private close(): void {
    this.closed = true;
    this.loop.close();
  }

  start(): void {
    this.transport.write(Buffer.from('HELLO\n'));
    this.loop.start();
  }
  receive(bytes: Uint8Array): void {
    if (!this.closed) this.loop.receive(bytes);
  }
  timeout(): void {
    this.close();
  }
  shutdown(): void {
    if (!this.closed) this.loop.shutdown();
  }
  disconnected(): void {
    this.closed = true;
    this.loop.disconnected();
  }
}

const servers: SessionServer<EchoSession>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close(100);
});

async function start() {
  const server = createSessionServer({
    listeners: [{ name: 'echo', port: 0 }],
    idleTimeoutMs: 60_000,
    maxConnectionsPerIp: 0,
    tooManyConnections: Buffer.from('busy\n'),
    protocol: 'echo',
    connect: (connection, transport) => new EchoSession(connection, transport),
  });
  servers.push(server);
  const port = (await server.listen())[0]!.port;
  return { server, port };
}

/** A client that collects what it is sent, and can wait for a text to have come. */
function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  let text = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    for (const waiter of waiters.filter((w) => text.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const saw = (wanted: string) =>
    text.includes(wanted)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ text: wanted, resolve }));
  return { socket, said: () => text, saw, closed };
}

describe('CommandLoop', () => {
  it('answers pipelined commands in order, one at a time', async () => {
    const { server, port } = await start();
    const c = client(port);
    await c.saw('HELLO\n');
    c.socket.write('ECHO a\nWAIT\nECHO b\n');
    const session = [...server.sessions][0]!;
    await session.waitBegan;
    // WAIT holds the loop: ECHO b is not handled before it ends.
    expect(session.handled).toEqual(['ECHO a', 'WAIT']);
    expect(session.loop.busy).toBe(true);
    session.release!();
    await c.saw('b\n');
    expect(c.said()).toBe('HELLO\na\nwaited\nb\n');
    c.socket.destroy();
  });

  it('counts failed commands in a row: a success starts again, the limit closes', async () => {
    const { port } = await start();
    const c = client(port);
    await c.saw('HELLO\n');
    c.socket.write('BAD\nBAD\nECHO ok\nBAD\nBAD\nBAD\nECHO never\n');
    await c.closed;
    expect(c.said()).toBe('HELLO\nNO\nNO\nok\nNO\nNO\nNO\nBYE too many\n');
  });

  it('answers a handler that throws and goes on', async () => {
    const { port } = await start();
    const c = client(port);
    await c.saw('HELLO\n');
    c.socket.write('BUG\nQUIT\n');
    await c.closed;
    expect(c.said()).toBe('HELLO\nERR Error: bug\nBYE\n');
  });

  it('shuts down at a command boundary: the command in progress finishes first', async () => {
    const { server, port } = await start();
    const c = client(port);
    await c.saw('HELLO\n');
    c.socket.write('WAIT\n');
    const session = [...server.sessions][0]!;
    await session.waitBegan;
    const closing = server.close(5_000);
    servers.length = 0;
    session.release!();
    await closing;
    await c.closed;
    expect(c.said()).toBe('HELLO\nwaited\nBYE stopping\n');
  });
});

describe('CommandLoop backpressure', () => {
  /** A transport that records what the loop asks of it. */
  function recordingTransport() {
    const calls: string[] = [];
    const transport: SocketTransport = {
      write: (bytes) => {
        calls.push(`write ${Buffer.from(bytes).toString().trim()}`);
        return true;
      },
      drain: async () => undefined,
      startTls: async () => undefined,
      close: () => void calls.push('close'),
      pause: () => void calls.push('pause'),
      resume: () => void calls.push('resume'),
    };
    return { calls, transport };
  }

  it('stops reading past pendingInput and resumes once the input is handled', async () => {
    const { calls, transport } = recordingTransport();
    const connection: AcceptedConnection = {
      id: '1',
      remoteAddress: '127.0.0.1',
      remotePort: 1,
      localAddress: '127.0.0.1',
      localPort: 2,
      listener: 'echo',
      secure: false,
      tlsAvailable: false,
    };
    const session = new EchoSession(connection, transport, 8);
    session.start();
    session.receive(Buffer.from('ECHO one\nECHO two\n'));
    await session.loop.idle();
    // One pause when more than 8 octets waited, one write for the pipelined group, one resume.
    expect(calls).toEqual(['write HELLO', 'pause', 'write one\ntwo', 'resume']);
  });
});
