import { copyFile, link, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMPORARY_SUFFIX, nullIfMissing } from '@mailyard/mailstore-interface';
import { CHECKED_FILE, MESSAGES_DIRECTORY, SUMMARIES_FILE, TREE_FILE } from './store-layout.js';

/** What a snapshot took. */
export interface SnapshotCounts {
  trees: number;
  files: number;
  /** Files hard-linked (the rest were copied: an index, or any file across filesystems). */
  linked: number;
}

/**
 * Copies one tree's directory into `target`, the way that keeps it consistent when the caller
 * holds the tree's lock (nothing of the tree changes meanwhile) and cheap: files that are
 * never changed once in place (message files, renamed into `#msgs/`; `#tree.json`, replaced
 * by rename) are hard-linked, so later expunges and rewrites leave the snapshot's copy alone;
 * files appended to in place (`index.fld`, `index.bad`) are copied. Derived data the store
 * rebuilds (`summaries.fld`, `checked.fld`) and temporary files are left out.
 */
export async function snapshotTreeDirectory(
  source: string,
  target: string,
  counts: SnapshotCounts,
): Promise<void> {
  const entries = await nullIfMissing(readdir(source, { withFileTypes: true }));
  if (entries === null) return;
  await mkdir(target, { recursive: true });
  for (const entry of entries) {
    const from = join(source, entry.name);
    const to = join(target, entry.name);
    if (entry.isDirectory()) {
      await snapshotTreeDirectory(from, to, counts);
      continue;
    }
    if (!entry.isFile()) continue;
    if (entry.name.endsWith(TEMPORARY_SUFFIX)) continue;
    if (entry.name === SUMMARIES_FILE || entry.name === CHECKED_FILE) continue;
    const immutable =
      entry.name === TREE_FILE ||
      (entry.name.endsWith('.eml') && source.endsWith(`${MESSAGES_DIRECTORY}`));
    if (immutable && (await linkOrCopy(from, to))) counts.linked++;
    else if (!immutable) await copyFile(from, to);
    counts.files++;
  }
}

/** Hard-links `from` to `to`, or copies it where links cannot be made; true when linked. */
export async function linkOrCopy(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another filesystem, or one without hard links: a copy is as good, only slower.
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK')
      throw error;
    await copyFile(from, to);
    return false;
  }
}
