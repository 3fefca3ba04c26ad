import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMailStore } from '@mailyard/mailstore-fs';
import type { MailStore } from '@mailyard/mailstore-interface';
import { afterAll } from 'vitest';
import { restoreBackup } from '../src/index.js';

const temporaryDirectories: string[] = [];
// Registered when a test file first imports this module: its directories go once it is done.
afterAll(async () => {
  await Promise.all(
    temporaryDirectories
      .splice(0)
      .map((directory) => rm(directory, { recursive: true, force: true })),
  );
});

/** A new directory under the system's temporary directory, removed when the test file ends. */
export async function temporaryDirectory(prefix: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  temporaryDirectories.push(directory);
  return directory;
}

/** A server's data directory in Kerio's layout: configuration beside a real store. */
export interface DataDirectory {
  readonly root: string;
  readonly store: string;
  readonly backup: string;
}

export async function makeDataDirectory(): Promise<DataDirectory> {
  const root = await temporaryDirectory('kmsrecover-');
  const store = join(root, 'store');
  await mkdir(join(root, 'license'), { recursive: true });
  await mkdir(join(root, 'sslcert'), { recursive: true });
  await writeFile(
    join(root, 'mailserver.cfg'),
    '<config><variable name="StoreDir">store</variable></config>\n',
  );
  await writeFile(join(root, 'users.cfg'), '<config><user name="ann"/></config>\n');
  await writeFile(join(root, 'license', 'license.key'), 'LICENSE\n');
  await writeFile(join(root, 'sslcert', 'server.crt'), 'CERT\n');
  await mkdir(join(store, 'lists'), { recursive: true });
  await writeFile(join(store, 'lists', 'team.cfg'), 'list\n');
  return { root, store, backup: join(root, 'store', 'backup') };
}

export function message(subject: string, body = 'Hello.'): Uint8Array {
  return Buffer.from(
    `From: a@example.com\r\nTo: b@example.com\r\nSubject: ${subject}\r\n\r\n${body}\r\n`,
  );
}

/** Every folder of a user: name → subjects with their flags, in UID order, and the UIDVALIDITY. */
export async function contentsOf(
  store: MailStore,
  user: string,
): Promise<Record<string, { uidValidity: number; messages: string[] }>> {
  const access = store.access(user);
  const result: Record<string, { uidValidity: number; messages: string[] }> = {};
  for (const mailbox of await access.list()) {
    if (mailbox.namespace !== 'personal') continue;
    const open = await access.open(mailbox.name, { readOnly: true });
    const states = await open.messages();
    const records = await open.fetch(states.map((state) => state.uid));
    result[mailbox.name] = {
      uidValidity: open.uidValidity,
      messages: records.map(
        (record) =>
          `${record.uid} ${record.summary.subject} [${[...record.flags].sort().join(' ')}]`,
      ),
    };
    open.close();
  }
  return result;
}

export function openStore(directory: string): FsMailStore {
  return new FsMailStore({ directory });
}

/**
 * Restores a backup (a directory or a file) into a new data directory, and gives a user's
 * mailbox as it is in `data` and as it came back, to compare.
 */
export async function restoredBeside(
  source: string,
  data: DataDirectory,
  user: string,
): Promise<{
  original: Awaited<ReturnType<typeof contentsOf>>;
  restored: Awaited<ReturnType<typeof contentsOf>>;
}> {
  const target = await makeDataDirectory();
  await restoreBackup({ source, configDirectory: target.root, storeDirectory: target.store });
  const original = openStore(data.store);
  const copy = openStore(target.store);
  try {
    return { original: await contentsOf(original, user), restored: await contentsOf(copy, user) };
  } finally {
    await original.close();
    await copy.close();
  }
}
