import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nullIfMissing } from '@mailyard/mailstore-interface';

/**
 * The lock file a process keeps in the store while it uses it: the server while it runs,
 * kmsrecover while it restores. It holds the owner's process id and what it is. A lock whose
 * process is gone (a crash, `kill -9`) is stale and taken over.
 */
export const STORE_LOCK_FILE = 'mailyard.lock';

export interface StoreLockOwner {
  readonly pid: number;
  /** `mailyard-server`, `kmsrecover`. */
  readonly program: string;
}

/** Another process holds the store. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';

  constructor(
    readonly owner: StoreLockOwner,
    readonly path: string,
  ) {
    super(
      `the store is in use by ${owner.program} (process ${owner.pid}, lock file ${path}): stop it first`,
    );
  }
}

/** The live owner of a store's lock, or null when there is none or its process is gone. */
export async function storeLockOwner(storeDirectory: string): Promise<StoreLockOwner | null> {
  const text = await nullIfMissing(readFile(join(storeDirectory, STORE_LOCK_FILE), 'utf8'));
  if (text === null) return null;
  const owner = parseOwner(text);
  return owner && isRunning(owner.pid) ? owner : null;
}

/**
 * Takes the store's lock for this process; rejects with {@link StoreLockedError} when a live
 * process holds it. Resolves with the function that releases it.
 */
export async function lockStore(
  storeDirectory: string,
  program: string,
): Promise<() => Promise<void>> {
  const path = join(storeDirectory, STORE_LOCK_FILE);
  const content = `${process.pid} ${program}\n`;
  await mkdir(storeDirectory, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // `wx`: of two processes starting at once, only one creates the file.
      const file = await open(path, 'wx');
      await file.writeFile(content);
      await file.close();
      return async () => {
        const now = await nullIfMissing(readFile(path, 'utf8'));
        if (now === content) await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const text = await nullIfMissing(readFile(path, 'utf8'));
      const owner = text === null ? null : parseOwner(text);
      if (owner && owner.pid !== process.pid && isRunning(owner.pid))
        throw new StoreLockedError(owner, path);
      // Stale (its process is gone) or unreadable: remove it and try again.
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}

function parseOwner(text: string): StoreLockOwner | null {
  const match = /^(\d+) (\S+)/.exec(text);
  return match ? { pid: Number(match[1]), program: match[2]! } : null;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
