/**
 * The one rule every store, queue and directory follows when it reads: only "does not exist"
 * (ENOENT) means "nothing there". Any other failure (EMFILE when the process is out of file
 * descriptors, EACCES, EIO, EISDIR) says nothing about what is stored, so it must fail the
 * operation; taken for "empty", it leads the next write to replace real data with nothing.
 */

/** Whether `error` says the file or directory does not exist. */
export function isMissingFileError(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** What `operation` resolves to, or null when what it reads does not exist; other errors reject. */
export async function nullIfMissing<T>(operation: Promise<T>): Promise<T | null> {
  try {
    return await operation;
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
}

/** {@link nullIfMissing} for synchronous reads. */
export function nullIfMissingSync<T>(operation: () => T): T | null {
  try {
    return operation();
  } catch (error) {
    if (isMissingFileError(error)) return null;
    throw error;
  }
}
