/**
 * Dovecot as an oracle: where the RFCs leave room, @mailyard/mime does what Dovecot does, and these
 * tests ask a real Dovecot (Debian's dovecot-imapd) rather than a recorded copy of its answers.
 *
 * Dovecot's `imap` binary runs as a pre-authenticated session on stdin/stdout, so no daemon, port
 * or password is needed: we APPEND the messages (LITERAL+), FETCH what we want, and parse the reply.
 */
import { DovecotSandbox, appendCommands } from '@mailyard/test-kit';

export { describeWithDovecot, dovecotAvailable } from '@mailyard/test-kit';

/** A value in an IMAP response, as the RFC's grammar shapes it. Strings are decoded as UTF-8. */
export type ImapValue = string | number | null | ImapValue[];

/**
 * Appends each message to a fresh INBOX and fetches `items` (e.g. `(ENVELOPE BODYSTRUCTURE)`) for
 * all of them. Returns, per message in order, a map from FETCH item name to its value.
 */
export async function fetchFromDovecot(
  messages: readonly Uint8Array[],
  items: string,
): Promise<Map<string, ImapValue>[]> {
  const output = await runSession(messages, `F FETCH 1:* ${items}`);
  const replies = parseFetchReplies(output);
  if (replies.length !== messages.length) {
    throw new Error(
      `Dovecot answered ${replies.length} of ${messages.length}:\n${output.toString()}`,
    );
  }
  return replies;
}

/**
 * Appends each message to a fresh INBOX and sorts them all (RFC 5256): `criteria` is the sort
 * program, e.g. `(SUBJECT)`. Returns the sequence numbers (1-based) in Dovecot's order.
 */
export async function sortWithDovecot(
  messages: readonly Uint8Array[],
  criteria: string,
): Promise<number[]> {
  const output = await runSession(messages, `O SORT ${criteria} UTF-8 ALL`);
  const line = /^\* SORT((?: \d+)*)\r$/m.exec(output.toString('latin1'));
  if (!line) throw new Error(`Dovecot did not sort:\n${output.toString()}`);
  return line[1]!.trim().split(' ').filter(Boolean).map(Number);
}

/** APPENDs the messages to a fresh INBOX, selects it, sends `command`, and returns the output. */
async function runSession(messages: readonly Uint8Array[], command: string): Promise<Buffer> {
  const dovecot = new DovecotSandbox({ fsync: false });
  try {
    const commands = Buffer.concat([
      appendCommands(messages),
      Buffer.from(`S SELECT INBOX\r\n${command}\r\n`),
    ]);
    return (await dovecot.run(commands)).output;
  } finally {
    dovecot.close();
  }
}

/** Reads every `* n FETCH (...)` reply into a map of item name to value, ordered by n. */
export function parseFetchReplies(output: Buffer): Map<string, ImapValue>[] {
  const reader = new ResponseReader(output);
  const replies: Map<string, ImapValue>[] = [];
  while (!reader.atEnd()) {
    const line = reader.peekLine();
    const match = /^\* (\d+) FETCH \(/.exec(line);
    if (!match) {
      reader.skipLine();
      continue;
    }
    reader.skip(match[0].length - 1);
    const list = reader.readValue();
    if (!Array.isArray(list)) throw new Error('FETCH data is not a list');
    const items = new Map<string, ImapValue>();
    for (let i = 0; i + 1 < list.length; i += 2) items.set(String(list[i]), list[i + 1]!);
    replies[Number(match[1]) - 1] = items;
    reader.skipLine();
  }
  return replies;
}

class ResponseReader {
  private pos = 0;
  constructor(private readonly data: Buffer) {}

  atEnd(): boolean {
    return this.pos >= this.data.length;
  }

  peekLine(): string {
    const end = this.data.indexOf('\r\n', this.pos);
    return this.data.toString('latin1', this.pos, end < 0 ? this.data.length : end);
  }

  skipLine(): void {
    const end = this.data.indexOf('\r\n', this.pos);
    this.pos = end < 0 ? this.data.length : end + 2;
  }

  skip(n: number): void {
    this.pos += n;
  }

  readValue(): ImapValue {
    while (this.data[this.pos] === 0x20) this.pos++;
    const c = this.data[this.pos];
    if (c === 0x28 /* ( */) {
      this.pos++;
      const list: ImapValue[] = [];
      for (;;) {
        while (this.data[this.pos] === 0x20) this.pos++;
        if (this.data[this.pos] === 0x29 /* ) */) {
          this.pos++;
          return list;
        }
        if (this.atEnd()) throw new Error('unterminated list');
        list.push(this.readValue());
      }
    }
    if (c === 0x22 /* " */) return this.readQuoted();
    if (c === 0x7b /* { */) return this.readLiteral();
    return this.readAtom();
  }

  private readQuoted(): string {
    const bytes: number[] = [];
    this.pos++;
    for (;;) {
      const c = this.data[this.pos++];
      if (c === undefined) throw new Error('unterminated quoted string');
      if (c === 0x22) return Buffer.from(bytes).toString('utf8');
      bytes.push(c === 0x5c ? this.data[this.pos++]! : c);
    }
  }

  private readLiteral(): string {
    const close = this.data.indexOf('}', this.pos);
    const length = Number(this.data.toString('latin1', this.pos + 1, close));
    const start = close + 3; // past "}\r\n"
    this.pos = start + length;
    return this.data.toString('utf8', start, start + length);
  }

  private readAtom(): ImapValue {
    const start = this.pos;
    let depth = 0;
    for (;;) {
      const c = this.data[this.pos];
      if (c === undefined || c === 0x0d) break;
      if (c === 0x5b /* [ */) depth++;
      else if (c === 0x5d /* ] */) depth--;
      else if (depth === 0 && (c === 0x20 || c === 0x28 || c === 0x29)) break;
      this.pos++;
    }
    const atom = this.data.toString('latin1', start, this.pos);
    if (atom === 'NIL') return null;
    return /^\d+$/.test(atom) ? Number(atom) : atom;
  }
}
