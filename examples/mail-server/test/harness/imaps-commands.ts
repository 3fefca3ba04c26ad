import { connect } from 'node:tls';

export interface TaggedAnswer {
  /** Everything the server sent for the command, its tagged line last. */
  readonly text: string;
  /** `performance.now()` when the tagged line arrived. */
  readonly at: number;
}

/**
 * Runs IMAP commands over IMAPS from a chosen local address (127.0.0.2 and up: all of 127/8 is
 * loopback on Linux, so one machine can play twenty clients), one at a time, and returns each
 * command's answer and when it arrived. Python's imaplib cannot pick its source address; the
 * commands here are plain enough to type by hand.
 */
export function imapsCommands(options: {
  readonly port: number;
  readonly localAddress?: string;
  readonly commands: readonly string[];
}): Promise<TaggedAnswer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: options.port,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      rejectUnauthorized: false,
    });
    const answers: TaggedAnswer[] = [];
    let buffer = '';
    let greeted = false;
    const next = () => {
      const command = options.commands[answers.length];
      if (command === undefined) {
        socket.end();
        resolve(answers);
        return;
      }
      socket.write(`t${answers.length} ${command}\r\n`);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!greeted) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) return;
        greeted = true;
        buffer = buffer.slice(end + 2);
        next();
      }
      for (;;) {
        const tag = `t${answers.length} `;
        const match = new RegExp(`(^|\\r\\n)${tag}[^\\r\\n]*\\r\\n`).exec(buffer);
        if (!match) return;
        const end = match.index + match[0].length;
        answers.push({ text: buffer.slice(0, end), at: performance.now() });
        buffer = buffer.slice(end);
        next();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (answers.length < options.commands.length) {
        reject(new Error(`connection closed after ${answers.length} answers: ${buffer}`));
      }
    });
  });
}
