import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { type SecureContextOptions, TLSSocket, createSecureContext } from 'node:tls';
import { type InflateRaw, constants as zlib, createDeflateRaw, createInflateRaw } from 'node:zlib';
import {
  ListenerGroup,
  OpenConnections,
  type TcpListener,
  normalizeAddress,
  sessionIds,
} from '@mailyard/node-listeners';
import type { ChannelBinding } from '@mailyard/sasl';
import { ImapSession, type ImapTransport } from '../session/imap-session.js';
import { ConnectionCensus } from '../session/connection-census.js';
import { LiteralBudget } from '../session/literal-budget.js';
import { DEFAULT_RECORD_CACHE_SIZE, MessageRecordCache } from '../session/record-cache.js';
import { DEFAULT_SESSION_LIMITS, type ImapSessionOptions } from '../session/session-options.js';

/** One listening socket. */
export interface ImapListener extends TcpListener {
  /** `imap`, `imaps`: for logs. */
  readonly name: string;
  /** `implicit`: TLS from the first octet (993); `starttls`: plain with STARTTLS (143); `none`. */
  readonly tls?: 'implicit' | 'starttls' | 'none';
}

/** The autologout timers (RFC 9051 5.4), in milliseconds. */
export interface ImapTimeouts {
  /** Before login. Default 60 seconds. */
  readonly unauthenticated: number;
  /** After login, IDLE included; RFC 9051 asks for at least 30 minutes, the default. */
  readonly authenticated: number;
}

export const DEFAULT_IMAP_TIMEOUTS: ImapTimeouts = {
  unauthenticated: 60_000,
  authenticated: 30 * 60_000,
};

export interface ImapServerOptions extends ImapSessionOptions {
  readonly listeners: readonly ImapListener[];
  /** Certificate and key, for STARTTLS and implicit TLS. */
  readonly tls?: SecureContextOptions;
  readonly timeouts?: Partial<ImapTimeouts>;
  /** Offer COMPRESS=DEFLATE (RFC 4978); on by default. */
  readonly compression?: boolean;
  /**
   * Messages whose records (summaries) the server keeps for its sessions, default
   * {@link DEFAULT_RECORD_CACHE_SIZE}; 0 keeps none. Ignored when `recordCache` is given.
   */
  readonly recordCacheSize?: number;
}

export interface ImapServer {
  /** Starts every listener; resolves with the ports they got. */
  listen(): Promise<{ name: string; port: number }[]>;
  /**
   * Stops listening and says BYE to every client: at once to those between commands, after
   * their command (for up to `graceMs`, default 10 s) to the others.
   */
  close(graceMs?: number): Promise<void>;
  readonly sessions: ReadonlySet<ImapSession>;
}

/**
 * The Node transport of the IMAP engine: listeners with implicit TLS or STARTTLS, COMPRESS=DEFLATE
 * in both directions, the autologout timer, and backpressure: a client that reads slowly makes
 * the session wait before it reads the next chunk of a message from the store, so a large body is
 * never buffered whole.
 */
export function createImapServer(options: ImapServerOptions): ImapServer {
  const secureContext = options.tls ? createSecureContext(options.tls) : undefined;
  const timeouts = { ...DEFAULT_IMAP_TIMEOUTS, ...options.timeouts };
  const sessions = new Set<ImapSession>();
  const limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
  const sessionOptions: ImapSessionOptions = {
    ...options,
    census:
      options.census ??
      new ConnectionCensus(limits, options.connectionLimitsExempt ?? (() => false)),
    literalBudget:
      options.literalBudget ??
      new LiteralBudget({
        perUser: limits.maxInFlightPerUser,
        perServer: limits.maxInFlightPerServer,
      }),
    recordCache:
      options.recordCache ??
      new MessageRecordCache(options.recordCacheSize ?? DEFAULT_RECORD_CACHE_SIZE),
  };
  const sockets = new OpenConnections();
  const nextSessionId = sessionIds();

  const accept = (
    listener: ImapListener,
    raw: Socket,
    client: { address: string; port: number } | null,
  ) => {
    sockets.add(raw);
    raw.on('error', () => raw.destroy());
    raw.setNoDelay(true);
    if (listener.tls === 'implicit') {
      if (!secureContext) return void raw.destroy();
      const secure = new TLSSocket(raw, { isServer: true, secureContext });
      secure.on('error', () => raw.destroy());
      // Until the handshake is done there is no session to say BYE; after it, the session's
      // autologout timer takes over.
      const handshakeTimedOut = () => raw.destroy();
      secure.once('secure', () => {
        raw.off('timeout', handshakeTimedOut);
        serve(listener, raw, client, secure, channelBindingOf(secure));
      });
      raw.setTimeout(timeouts.unauthenticated, handshakeTimedOut);
      return;
    }
    serve(listener, raw, client, raw, undefined);
  };

  const serve = (
    listener: ImapListener,
    raw: Socket,
    client: { address: string; port: number } | null,
    initial: Socket,
    binding: ChannelBinding | undefined,
  ) => {
    let socket: Socket = initial;
    let inflate: InflateRaw | null = null;
    let deflate: ReturnType<typeof createDeflateRaw> | null = null;
    // Input flows from the socket only while the session wants more and the inflater (after
    // COMPRESS) keeps up. Pausing the socket alone is not enough with DEFLATE: a few kilobytes
    // already read inflate to gigabytes, so the inflater is paused with the session, and the
    // socket with the inflater.
    let sessionWantsInput = true;
    let inflaterFull = false;
    const updateFlow = () => {
      if (sessionWantsInput && !inflaterFull) socket.resume();
      else socket.pause();
    };
    const inflateInput = (chunk: Uint8Array) => {
      if (!inflate!.write(chunk)) {
        inflaterFull = true;
        updateFlow();
      }
    };
    const onData = (chunk: Buffer) => {
      if (inflate) inflateInput(chunk);
      else session.receive(chunk);
      armTimer();
    };
    const output = (): NodeJS.WritableStream & { write(b: Uint8Array): boolean } =>
      deflate ?? socket;
    const transport: ImapTransport = {
      write: (bytes) => {
        if (raw.destroyed) return;
        const stream = output();
        if (stream.write(bytes)) return;
        return new Promise<void>((resolve) => {
          const done = () => {
            stream.off('drain', done);
            raw.off('close', done);
            resolve();
          };
          stream.once('drain', done);
          raw.once('close', done);
        });
      },
      close: () => {
        // Ending the deflate stream ends the socket it is piped into.
        output().end();
        // A client that never reads its last reply must not keep the socket open.
        setTimeout(() => raw.destroy(), 5_000).unref();
      },
      pause: () => {
        sessionWantsInput = false;
        inflate?.pause();
        updateFlow();
      },
      resume: () => {
        sessionWantsInput = true;
        inflate?.resume();
        updateFlow();
      },
      authenticationChanged: () => armTimer(),
      ...(listener.tls === 'starttls' && secureContext
        ? {
            startTls: async (afterWritten: Promise<void>) => {
              // Nothing the client sends from now on may reach the session in clear.
              socket.off('data', onData);
              await afterWritten;
              const secure = new TLSSocket(socket, { isServer: true, secureContext });
              await new Promise<void>((resolve, reject) => {
                secure.once('secure', resolve);
                secure.once('error', reject);
              });
              secure.on('error', () => raw.destroy());
              socket = secure;
              socket.on('data', onData);
              const channelBinding = channelBindingOf(secure);
              return channelBinding ? { channelBinding } : {};
            },
          }
        : {}),
      ...(options.compression !== false
        ? {
            startCompression: (pending: Uint8Array, afterWritten: Promise<void>) => {
              inflate = createInflateRaw();
              inflate.on('data', (chunk: Buffer) => session.receive(chunk));
              inflate.on('error', () => raw.destroy());
              inflate.on('drain', () => {
                inflaterFull = false;
                updateFlow();
              });
              if (!sessionWantsInput) inflate.pause();
              if (pending.length > 0) inflateInput(pending);
              void afterWritten.then(() => {
                // RFC 4978 4: every response is flushed, so the client never waits for more.
                deflate = createDeflateRaw({ flush: zlib.Z_SYNC_FLUSH });
                deflate.on('error', () => raw.destroy());
                deflate.pipe(socket);
              });
            },
          }
        : {}),
    };
    const session = new ImapSession(
      sessionOptions,
      {
        id: nextSessionId(),
        // Behind a load balancer, the client its PROXY header named (read by the listener group).
        remoteAddress: client?.address ?? normalizeAddress(raw.remoteAddress),
        secure: listener.tls === 'implicit',
        tlsAvailable: listener.tls === 'starttls' && secureContext !== undefined,
        compressionAvailable: options.compression !== false,
        ...(binding ? { channelBinding: binding } : {}),
      },
      transport,
    );
    sessions.add(session);
    const armTimer = () => {
      const ms =
        session.state === 'not-authenticated' ? timeouts.unauthenticated : timeouts.authenticated;
      raw.setTimeout(ms);
    };
    raw.on('timeout', () => void session.timedOut());
    raw.on('close', () => {
      sessions.delete(session);
      session.disconnected();
      // zlib's state lives outside the heap: free it with the connection, not at some GC.
      inflate?.destroy();
      deflate?.destroy();
    });
    socket.on('data', onData);
    armTimer();
    void session.start();
  };

  const listeners = new ListenerGroup(options.listeners, accept, (listener, error) =>
    options.logger?.warn('imap: a connection could not be accepted', {
      listener: listener.name,
      error: String(error),
    }),
  );

  return {
    sessions,
    listen: () => listeners.listen(),
    async close(graceMs = 10_000) {
      const stopped = listeners.stop();
      const deadline = Date.now() + graceMs;
      const pending = new Set(sessions);
      while (pending.size > 0 && Date.now() < deadline) {
        for (const session of pending) {
          if (session.isClosed || !session.busy) {
            pending.delete(session);
            void session.shutdown();
          }
        }
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const session of pending) void session.shutdown();
      // A moment for the clients to read their BYE and hang up; then whoever is left is cut off.
      await sockets.allClosed(50);
      sockets.destroyAll();
      await stopped;
    },
  };
}

/** What SASL's SCRAM-PLUS binds to (RFC 9266 for TLS 1.3, RFC 5929 before it). */
function channelBindingOf(socket: TLSSocket): ChannelBinding | undefined {
  try {
    if (socket.getProtocol() === 'TLSv1.3') {
      return {
        type: 'tls-exporter',
        data: socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0)),
      };
    }
    const certificate = socket.getX509Certificate();
    if (!certificate) return undefined;
    return {
      type: 'tls-server-end-point',
      data: createHash('sha256').update(certificate.raw).digest(),
    };
  } catch {
    return undefined;
  }
}
