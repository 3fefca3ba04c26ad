import { rm } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';

/**
 * The running server's control socket, `<data>/mailyard.sock` (a Unix socket, this user's
 * only): how `mailyard-server backup` asks the server for a backup ("Start now"), so that the
 * server, which holds the store, takes the snapshot. One JSON line each way.
 */
export const CONTROL_SOCKET = 'mailyard.sock';

export type ControlRequest =
  | {
      readonly command: 'backup';
      /** Where the copy goes; the server's backup directory when absent. */
      readonly destination?: string;
    }
  /** Kerio's spam statistics (13.8): shown, and with `reset` set to zero after (its Reset). */
  | { readonly command: 'spam-statistics'; readonly reset?: boolean };

export type ControlReply =
  | { readonly ok: true; readonly parts: readonly string[] }
  | { readonly ok: true; readonly statistics: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly error: string };

/** The largest request line taken: a path and a word. */
const MAX_REQUEST = 16 * 1024;

export function controlSocketPath(dataRoot: string): string {
  return join(dataRoot, CONTROL_SOCKET);
}

/**
 * Listens on the control socket. The caller holds the store lock, so a socket file left there
 * is a dead server's and is removed first.
 */
export async function listenForControl(
  dataRoot: string,
  handle: (request: ControlRequest) => Promise<ControlReply>,
): Promise<{ close(): Promise<void> }> {
  const path = controlSocketPath(dataRoot);
  await rm(path, { force: true });
  const server: Server = createServer((socket: Socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST) {
        socket.end(`${JSON.stringify({ ok: false, error: 'request too long' })}\n`);
        return;
      }
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      let request: ControlRequest;
      try {
        request = JSON.parse(buffered.slice(0, end)) as ControlRequest;
        if (request.command === 'backup') {
          if (request.destination !== undefined && typeof request.destination !== 'string')
            throw new Error('destination is not a path');
        } else if (request.command === 'spam-statistics') {
          if (request.reset !== undefined && typeof request.reset !== 'boolean')
            throw new Error('reset is true or false');
        } else throw new Error(`unknown command`);
      } catch (error) {
        socket.end(
          `${JSON.stringify({ ok: false, error: `bad request: ${(error as Error).message}` })}\n`,
        );
        return;
      }
      handle(request)
        .catch((error: unknown): ControlReply => ({ ok: false, error: (error as Error).message }))
        .then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path, readableAll: false, writableAll: false }, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rm(path, { force: true }).catch(() => undefined);
      }),
  };
}

/** Sends a request to a running server; rejects when none listens. */
export function sendControl(dataRoot: string, request: ControlRequest): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: controlSocketPath(dataRoot) });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(JSON.parse(answer) as ControlReply);
      } catch {
        reject(
          new Error(
            `the server's answer is not understood: ${JSON.stringify(answer.slice(0, 200))}`,
          ),
        );
      }
    });
  });
}
