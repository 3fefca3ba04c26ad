import { createReadStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipPartWriter } from './zip-part-writer.js';

/** The most a directory may hold to be zipped: deflate's worst case must stay under 4 GiB. */
export const MAX_ZIP_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;

/**
 * Zips a directory's files (recursively, names relative to it, in name order) into `target`,
 * each file streamed through deflate (memory holds no whole file). The ZIP is written as
 * `<target>.tmp` and renamed when complete, so `target` is whole or absent. For archive folders
 * compressed once they are no longer written to; at most 65,535 files (no ZIP64).
 */
export async function zipDirectory(
  directory: string,
  target: string,
  options: { level?: number } = {},
): Promise<{ files: number; bytes: number }> {
  const files: { name: string; path: string; size: number }[] = [];
  const walk = async (parent: string, prefix: string) => {
    const entries = await readdir(parent, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(parent, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile())
        files.push({ name: `${prefix}${entry.name}`, path, size: (await stat(path)).size });
    }
  };
  await walk(directory, '');
  // Without ZIP64 (fflate writes none), offsets and sizes must stay under 4 GiB.
  if (files.length > 65_535) throw new RangeError(`${directory}: over 65,535 files to zip`);
  if (files.reduce((sum, file) => sum + file.size, 0) > MAX_ZIP_BYTES)
    throw new RangeError(`${directory}: over ${MAX_ZIP_BYTES} bytes to zip`);
  const temporary = `${target}.tmp`;
  await rm(temporary, { force: true });
  const writer = new ZipPartWriter(temporary);
  let bytes = 0;
  try {
    for (const file of files) {
      const stats = await stat(file.path);
      const written = await writer.addStream(file.name, createReadStream(file.path), {
        mtime: stats.mtimeMs,
        mode: stats.mode & 0o7777,
        level: options.level ?? 6,
      });
      bytes += written.size;
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await rename(temporary, target);
  return { files: files.length, bytes };
}
