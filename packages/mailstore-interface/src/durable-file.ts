import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix of files being written; whatever carries it after a crash is garbage. */
export const TEMPORARY_SUFFIX = '.tmp';

/**
 * Writes a file so that after a crash it holds either its old content or the new, whole: the data
 * goes to a temporary file that is flushed, renamed over the target, and the directory flushed.
 */
export async function writeFileAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`,
  );
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    // The target stays as it was; the temporary copy must not stay beside it.
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Flushes a directory's entries, so that files created, renamed or removed in it stay so. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends to a file and flushes it before resolving. */
export async function appendDurably(path: string, data: string): Promise<void> {
  const handle = await open(path, 'a', 0o600);
  try {
    await handle.write(data);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
