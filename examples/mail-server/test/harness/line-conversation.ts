import { type Socket, connect } from 'node:net';

/**
 * A conversation by hand with a line-based server (SMTP, IMAP, POP3), for tests that must act
 * at exact points of a session: send, then wait for the reply that matches a pattern. Nothing
 * waits on a timer: every wait ends with the bytes it waits for, or with the connection.
 */
export class LineConversation {
  private received = '';
  private waiters: (() => void)[] = [];
  private ended = false;
  /** Resolves when the server closed the connection. */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      this.received += text;
      this.wake();
    });
    // A reset is how some refusals look; it is an end like any other here.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  /**
   * Connects and waits for the greeting: resolves with the conversation, or with null when the
   * server closed the connection without a word (how a server out of descriptors refuses one).
   */
  static async open(port: number, greeting: RegExp): Promise<LineConversation | null> {
    const socket = connect(port, '127.0.0.1');
    const conversation = new LineConversation(socket);
    try {
      await conversation.reply(greeting);
      return conversation;
    } catch {
      socket.destroy();
      return null;
    }
  }

  /**
   * Waits for a line matching `pattern` and returns everything received up to now; rejects,
   * with what was received, when the connection ends first.
   */
  async reply(pattern: RegExp): Promise<string> {
    while (!pattern.test(this.received)) {
      if (this.ended) {
        throw new Error(`connection closed; received ${JSON.stringify(this.received)}`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const text = this.received;
    this.received = '';
    return text;
  }

  /** Sends `text` and waits for the reply matching `pattern`. */
  async ask(text: string, pattern: RegExp): Promise<string> {
    this.socket.write(text);
    return this.reply(pattern);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
