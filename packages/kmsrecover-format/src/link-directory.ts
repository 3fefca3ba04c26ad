import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFileError, nullIfMissing } from '@mailyard/mailstore-interface';
import { linkOrCopy } from '@mailyard/mailstore-fs';

/**
 * Hard-links the files of a directory (recursively) into another, for a snapshot of files that
 * are only ever created by rename and removed, never rewritten in place (the queue's `.eml`
 * and `.env`). A file removed between the listing and its link is left out: it was on its way
 * out (a delivered message, whose mailbox is taken after).
 */
export async function linkDirectory(source: string, target: string): Promise<void> {
  const entries = await nullIfMissing(readdir(source, { withFileTypes: true }));
  if (entries === null) return;
  await mkdir(target, { recursive: true });
  for (const entry of entries) {
    const from = join(source, entry.name);
    if (entry.isDirectory()) await linkDirectory(from, join(target, entry.name));
    else if (entry.isFile() && !entry.name.endsWith('.tmp'))
      await linkOrCopy(from, join(target, entry.name)).catch((error: unknown) => {
        if (!isMissingFileError(error)) throw error;
      });
  }
}
