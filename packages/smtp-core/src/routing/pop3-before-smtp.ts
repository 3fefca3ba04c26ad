import { type Socket, connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { ClientTlsOptions } from '../client/node-smtp-connection.js';

export interface Pop3LoginOptions {
  readonly host: string;
  /** Default 110 (995 with implicit TLS). */
  readonly port?: number;
  readonly username: string;
  readonly password: string;
  /** POP3S (port 995) instead of the clear. */
  readonly implicitTls?: boolean;
  readonly tls?: ClientTlsOptions;
  /** Milliseconds for the whole exchange; default 60 s. */
  readonly timeout?: number;
}

/** A POP3 status line is short (RFC 1939 3: at most 512 octets); anything longer is not POP3. */
const MAX_LINE = 1024;

/**
 * POP3-before-SMTP (Kerio's relay option for servers that take mail from whoever logged in to
 * POP3 lately from the same address): the smallest exchange that counts as a login, RFC 1939's
 * greeting, USER, PASS and QUIT. Resolves once the server said +OK to PASS; rejects otherwise.
 */
export function pop3Login(options: Pop3LoginOptions): Promise<void> {
  const port = options.port ?? (options.implicitTls ? 995 : 110);
  return new Promise<void>((resolve, reject) => {
    const socket: Socket = options.implicitTls
      ? connectTls({
          host: options.host,
          port,
          rejectUnauthorized: options.tls?.verifyCertificate !== false,
          ...(options.tls?.servername ? { servername: options.tls.servername } : {}),
          ...(options.tls?.ca
            ? { ca: options.tls.ca as string | Buffer | (string | Buffer)[] }
            : {}),
        })
      : connectTcp({ host: options.host, port });
    const steps = [null, `USER ${options.username}`, `PASS ${options.password}`, 'QUIT'];
    let step = 0;
    let buffer = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`POP3 login to ${options.host}:${port} timed out`)),
      options.timeout ?? 60_000,
    );
    socket.setEncoding('latin1');
    socket.on('error', (error) =>
      finish(new Error(`POP3 login to ${options.host}:${port}: ${error.message}`)),
    );
    socket.on('close', () =>
      finish(
        step === 3
          ? undefined
          : new Error(`POP3 server ${options.host}:${port} closed the connection`),
      ),
    );
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_LINE && !buffer.includes('\n'))
        return finish(new Error('POP3 line too long'));
      for (let end = buffer.indexOf('\n'); end >= 0 && !done; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        // The login happened with +OK to PASS; QUIT's answer is a courtesy.
        if (step === 3) return finish();
        if (!line.startsWith('+OK')) {
          const what = step === 0 ? 'greeting' : step === 1 ? 'USER' : 'PASS';
          return finish(new Error(`POP3 ${what} refused: ${line.slice(0, 200)}`));
        }
        step++;
        socket.write(`${steps[step]}\r\n`);
      }
    });
  });
}
