import { resolve } from 'node:path';
import { lockStore, storeLockOwner, writeBackup } from '@mailyard/kmsrecover-format';
import { isMissingFileError } from '@mailyard/mailstore-interface';
import { sendControl } from './control-socket.js';
import { DataDirectory } from './data-directory.js';
import { StartupError } from './startup-error.js';
import { parseSubcommandArguments } from './subcommand-arguments.js';

export const BACKUP_USAGE = `Usage: mailyard-server backup [--data DIR] [--dest DIR]

Makes a copy backup (Kerio's "Start now", C<date>T<time>Z.zip) of the data directory: the
configuration, certificates and the store. With the server running, the server takes it (from
a snapshot: it keeps taking mail); with it stopped, this command does.

  --data DIR   the data directory (default ./data)
  --dest DIR   where the backup goes (default: BackupDirectory of mailserver.cfg, store/backup)`;

/** `mailyard-server backup`: prints the path of each part written; throws a StartupError when it fails. */
export async function runBackupCommand(
  args: readonly string[],
  print: (line: string) => void,
): Promise<void> {
  const values = parseSubcommandArguments(
    args,
    { data: { type: 'string' }, dest: { type: 'string' }, help: { type: 'boolean' } },
    BACKUP_USAGE,
  );
  if (values.help) {
    print(BACKUP_USAGE);
    return;
  }
  const data = new DataDirectory(values.data ?? './data');
  const config = await data.loadConfig(() => undefined);
  const store = data.store(config);
  const destination = resolve(
    values.dest ??
      (config.backup.directory.startsWith('/')
        ? config.backup.directory
        : resolve(data.root, config.backup.directory)),
  );
  const owner = await storeLockOwner(store);
  if (owner?.program === 'mailyard-server') {
    let reply;
    try {
      reply = await sendControl(data.root, { command: 'backup', destination });
    } catch (error) {
      throw new StartupError(
        `the server (process ${owner.pid}) holds the store but does not answer on its control socket: ${(error as Error).message}`,
      );
    }
    if (!reply.ok) throw new StartupError(`the server could not make the backup: ${reply.error}`);
    for (const part of 'parts' in reply ? reply.parts : []) print(part);
    return;
  }
  // Stopped: take the store for the time of the backup, so that no server starts meanwhile.
  const release = await lockStore(store, 'mailyard-server-backup').catch((error: unknown) => {
    throw new StartupError((error as Error).message);
  });
  try {
    const result = await writeBackup({
      sources: { configDirectory: data.root, storeDirectory: store },
      destination,
      kind: 'C',
      splitSize: config.backup.splitSizeGb * 1024 ** 3,
      keep: config.backup.keep,
      hostname: config.hostname,
    });
    for (const part of result.parts) print(part);
  } catch (error) {
    if (isMissingFileError(error))
      throw new StartupError(`cannot back up: ${(error as Error).message}`);
    throw error;
  } finally {
    await release();
  }
}
