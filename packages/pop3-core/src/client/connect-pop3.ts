import { type Socket, connect as connectTcp } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as connectTls } from 'node:tls';
import {
  type Pop3ClientOptions,
  Pop3ClientError,
  Pop3ClientSession,
} from './pop3-client-session.js';

export interface ConnectPop3Options extends Pop3ClientOptions {
  readonly host: string;
  /** Default 995 for implicit TLS, else 110. */
  readonly port?: number;
  /**
   * `implicit`: TLS from the start (Kerio's "Special port", 995); `starttls`: plain, then STLS
   * (Kerio's "STLS command"), failing if the server does not offer it; `none`: no TLS.
   */
  readonly tls?: 'implicit' | 'starttls' | 'none';
  /** Node TLS options: `ca`, `rejectUnauthorized`, `servername` (default `host`)... */
  readonly tlsOptions?: ConnectionOptions;
  /** Milliseconds without traffic before the connection is dropped. Default 60 s. */
  readonly timeoutMs?: number;
}

/** A client session over a Node socket, greeted, and (for `starttls`) already upgraded. */
export interface Pop3Client extends Pop3ClientSession {
  /** Cuts the connection (after QUIT it is closed already). */
  destroy(): void;
}

/**
 * Connects to a POP3 server and waits for its greeting. With `tls: 'starttls'`, asks CAPA and
 * upgrades with STLS before returning, so that no credential is ever sent in the clear.
 */
export async function connectPop3(options: ConnectPop3Options): Promise<Pop3Client> {
  const mode = options.tls ?? 'none';
  const port = options.port ?? (mode === 'implicit' ? 995 : 110);
  // `host` is what the certificate is checked against, also when TLS starts over the plain
  // socket after STLS; SNI only carries names, never addresses (RFC 6066 3).
  const tlsOptions: ConnectionOptions = {
    host: options.host,
    ...(isIpAddress(options.host) ? {} : { servername: options.host }),
    ...options.tlsOptions,
  };
  let socket: Socket;
  // The transport's callbacks and the socket's listeners refer to each other; the session is
  // made first, and the listeners only run once the socket is attached below.
  const holder: { session?: Pop3ClientSession } = {};
  const onData = (chunk: Buffer) => holder.session!.receive(chunk);
  const onClose = () => holder.session!.closed();
  const attach = (s: Socket) => {
    socket = s;
    s.setTimeout(options.timeoutMs ?? 60_000, () => s.destroy(new Error('POP3 server timed out')));
    s.on('data', onData);
    s.on('close', onClose);
    s.on('error', (error) => holder.session!.closed(error));
  };
  const raw =
    mode === 'implicit'
      ? connectTls({ ...tlsOptions, port })
      : connectTcp({ host: options.host, port });
  const session = new Pop3ClientSession(
    {
      write: (bytes) => void socket.write(bytes),
      close: () => {
        socket.end();
        setTimeout(() => socket.destroy(), 5_000).unref();
      },
      startTls: () =>
        new Promise<void>((resolve, reject) => {
          const plain = socket;
          plain.off('data', onData);
          plain.off('close', onClose);
          plain.setTimeout(0);
          const secure: TLSSocket = connectTls({ socket: plain, ...tlsOptions });
          secure.once('secureConnect', () => {
            secure.off('error', reject);
            resolve();
          });
          secure.once('error', reject);
          attach(secure);
        }),
    },
    options,
  );
  holder.session = session;
  attach(raw);
  const client = Object.assign(session, { destroy: () => socket.destroy() });
  try {
    await session.greeting;
    if (mode === 'starttls') {
      const capabilities = await session.capa();
      if (capabilities && !capabilities.has('STLS')) {
        throw new Pop3ClientError('protocol', `${options.host} does not offer STLS`);
      }
      await session.stls();
    }
    return client;
  } catch (error) {
    socket!.destroy();
    throw error;
  }
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
