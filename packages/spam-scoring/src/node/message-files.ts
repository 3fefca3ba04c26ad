import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The message files PATHs name: a file as it is, a directory's regular files (recursively, in
 * name order, dot files left out, as a maildir's or a corpus's layout has them).
 */
export async function* messageFiles(paths: readonly string[]): AsyncGenerator<string> {
  for (const path of paths) {
    // A path that cannot be looked at is yielded as it is: reading it then says why.
    const info = await stat(path).catch(() => null);
    if (!info?.isDirectory()) {
      yield path;
      continue;
    }
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) yield* messageFiles([child]);
      else if (entry.isFile()) yield child;
    }
  }
}
