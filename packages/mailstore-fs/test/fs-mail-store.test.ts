import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMailStoreConformance } from '@mailyard/mailstore-conformance';
import { exhaustFileDescriptors } from '@mailyard/test-kit';
import { afterEach } from 'vitest';
import { FsMailStore } from '../src/index.js';

// Each test's directories go when it ends (after the kit has closed its store). Removing all
// 160 of them in one afterAll took over the hook's 30 s on a loaded CI machine.
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(
    directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

function freshDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-fs-'));
  directories.push(directory);
  return directory;
}

const stores = new WeakMap<object, string>();

describeMailStoreConformance(
  'FsMailStore',
  (context) => {
    const directory = freshDirectory();
    const store = new FsMailStore({ ...context, directory });
    stores.set(store, directory);
    return store;
  },
  {
    reopen: async (store, context) => {
      const directory = stores.get(store)!;
      await store.close();
      const reopened = new FsMailStore({ ...context, directory });
      stores.set(reopened, directory);
      return reopened;
    },
    // For real: this process runs out of file descriptors, as under the reported attack.
    failReads: () => exhaustFileDescriptors(),
  },
);
