import { MemoryDirectory, MemoryMailStore, type MailStore } from '@mailyard/mailstore-interface';
import { deriveScramCredentials } from '@mailyard/sasl';
import { ImapSession, type ImapSessionOptions, type ImapTransport } from '../../src/index.js';

export const ALICE = 'alice@example.com';
export const BOB = 'bob@example.com';

export async function directory(): Promise<MemoryDirectory> {
  const d = new MemoryDirectory({ deriveScram: deriveScramCredentials });
  await d.addDomain('example.com');
  await d.addUser(ALICE, { password: 'wonderland' });
  await d.addUser(BOB, { password: 'builder' });
  return d;
}

export function message(subject: string, body = 'Hello\r\n', extra = ''): Buffer {
  return Buffer.from(
    `From: Alice <alice@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: ${subject}\r\n` +
      `Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\n${extra}\r\n${body}`,
  );
}

/**
 * A client talking to a session through an in-memory transport: commands in, the server's
 * output out, exactly as the bytes would travel.
 */
export class TestClient {
  readonly session: ImapSession;
  output = Buffer.alloc(0);
  closed = false;
  private consumed = 0;
  private waiters: (() => void)[] = [];
  tlsStarted = false;
  greeting = '';
  compressionStarted = false;

  constructor(
    readonly options: ImapSessionOptions,
    connection: Partial<{
      secure: boolean;
      tlsAvailable: boolean;
      compressionAvailable: boolean;
      remoteAddress: string;
      id: string;
    }> = {},
    transportOverrides: Partial<ImapTransport> = {},
  ) {
    const transport: ImapTransport = {
      write: (bytes) => {
        this.output = Buffer.concat([this.output, bytes]);
        this.notify();
      },
      close: () => {
        this.closed = true;
        this.notify();
      },
      startTls: async (written) => {
        await written;
        this.tlsStarted = true;
        return {};
      },
      startCompression: () => {
        this.compressionStarted = true;
      },
      ...transportOverrides,
    };
    this.session = new ImapSession(
      options,
      {
        remoteAddress: connection.remoteAddress ?? '192.0.2.1',
        secure: connection.secure ?? true,
        tlsAvailable: connection.tlsAvailable ?? false,
        compressionAvailable: connection.compressionAvailable ?? true,
        ...(connection.id !== undefined ? { id: connection.id } : {}),
      },
      transport,
    );
  }

  static async connect(
    options: Partial<ImapSessionOptions> & { store?: MailStore } = {},
    connection: ConstructorParameters<typeof TestClient>[1] = {},
  ): Promise<TestClient> {
    const client = new TestClient(
      {
        store: options.store ?? new MemoryMailStore(),
        directory: options.directory ?? (await directory()),
        hostname: 'imap.example.com',
        ...options,
      },
      connection,
    );
    await client.session.start();
    await client.until((text) => text.includes('\r\n'));
    client.greeting = client.take();
    return client;
  }

  /** Logs in as alice (or another user) and returns the client. */
  static async loggedIn(
    options: Partial<ImapSessionOptions> & { store?: MailStore } = {},
    user = ALICE,
    password = 'wonderland',
  ): Promise<TestClient> {
    const client = await TestClient.connect(options);
    const reply = await client.command(`L LOGIN ${user} ${password}`);
    if (!reply.includes('L OK')) throw new Error(`login failed: ${reply}`);
    return client;
  }

  /** Sends raw bytes. */
  write(data: string | Uint8Array): void {
    this.session.receive(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  /** Sends a command (CRLF added) and returns everything up to and including its tagged reply. */
  async command(line: string): Promise<string> {
    const tag = line.slice(0, line.indexOf(' '));
    this.write(`${line}\r\n`);
    return this.untilTagged(tag);
  }

  async untilTagged(tag: string): Promise<string> {
    const pattern = new RegExp(
      `(^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (OK|NO|BAD)[^\\r\\n]*\\r\\n`,
    );
    await this.until((text) => pattern.test(text));
    return this.take();
  }

  /** Waits until the unread output satisfies the predicate (or the connection closed). */
  async until(predicate: (text: string) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.unread())) {
      if (this.closed && !predicate(this.unread())) {
        if (Date.now() > deadline) throw new Error(`closed; output: ${this.unread()}`);
      }
      if (Date.now() > deadline)
        throw new Error(`timed out; output so far: ${JSON.stringify(this.unread())}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('the session did not close');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  unread(): string {
    return this.output.subarray(this.consumed).toString('utf8');
  }

  /** Returns the unread output and marks it read. */
  take(): string {
    const text = this.unread();
    this.consumed = this.output.length;
    return text;
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
