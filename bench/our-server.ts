import { type ChildProcess, fork } from 'node:child_process';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { profileArgv } from './measure.js';

/** Stores the messages in a user's INBOX of an on-disk store, a thousand at a time. */
export async function fillInbox(
  directory: string,
  user: string,
  messages: readonly Uint8Array[],
): Promise<void> {
  const store = new FsMailStore({ directory });
  for (let i = 0; i < messages.length; i += 1000) {
    await store.access(user).append(
      'INBOX',
      messages.slice(i, i + 1000).map((content) => ({ content })),
    );
  }
  await store.close();
}

/**
 * Starts a benchmark script's `--serve` mode (our server over the store in `directory`) in a
 * process of its own, as Dovecot runs in its own, and resolves with the port it listens on.
 */
export async function forkServer(
  script: string,
  directory: string,
  execArgv: readonly string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(script, ['--serve', directory], {
    execArgv: [...process.execArgv, ...execArgv, ...profileArgv()],
    // Message files are read through libuv's thread pool; its default of 4 threads, not the
    // disk, is what limits FETCH BODY[] (docs/imap.md, "Deploying").
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
  });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return { child, port };
}
