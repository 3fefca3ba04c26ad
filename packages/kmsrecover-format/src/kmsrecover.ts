import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { parseKerioConfig, isMissingFileError, type Logger } from '@mailyard/mailstore-interface';
import { type Mask, parseMasks } from './archive-layout.js';
import { formatTime } from './backup-text.js';
import { ArchiveError } from './zip-archive.js';
import { RestoreError, listBackupFiles, restoreBackup } from './restore-backup.js';
import { StoreLockedError, lockStore } from './store-lock.js';

/** kmsrecover's exit codes (Kerio documents none; these are ours, and stable). */
export const EXIT = {
  ok: 0,
  /** The restore failed: a damaged or hostile archive, an I/O error, nothing matching. */
  failed: 1,
  /** The command line is wrong (unknown option, `-f` without `-d` and `-u`, unknown mask). */
  usage: 2,
  /** A server (or another kmsrecover) holds the store. */
  locked: 3,
} as const;

/** Where kmsrecover reads and writes: the process's, or a test's. */
export interface KmsrecoverIo {
  /** The directory it runs from: Kerio's install directory (the server's data directory). */
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const KMSRECOVER_HELP = `Usage: kmsrecover [options] <directory>|<file>

Restores a Kerio-format backup: a backup directory (its latest full or copy backup and the
differential made on it) or one backup file. Run it from the server's data directory, with the
server stopped; it reads the store's place from mailserver.cfg there.

Options:
  -d, --domain DOMAIN   only this domain's mailboxes and public folders
  -u, --user USER       only this user's mailbox (needs -d)
  -f, --folder FOLDER   only this folder of the user, with its subfolders (needs -d and -u)
  -s, --store DIR       restore the store's parts (mail, lists, spamassassin, queue) into DIR
                        (default: the store mailserver.cfg names)
  -c, --cfgdir DIR      restore configuration, licenses and certificates into DIR
                        (default: the current directory)
  -m, --mask LIST       only these parts, a comma list of: cfg, mail, lists, spamassassin,
                        license, sslca, sslcert, public (--mask=LIST also works)
  -b, --backup          keep each replaced file or directory as <name>.BAK
  -g, --noprogress      no progress bar or progress lines
  -l, --listing         list what would be restored, and restore nothing
  -q, --quiet           print nothing but errors
  -v, --verbose         print each file restored
  -h, --help            show this help

Exit codes: 0 done, 1 the restore failed, 2 wrong command line, 3 the store is in use.
`;

/** Runs kmsrecover; resolves with its exit code. */
export async function runKmsrecover(args: readonly string[], io: KmsrecoverIo): Promise<number> {
  const say = (text: string) => void io.stdout.write(`${text}\n`);
  const complain = (text: string) => void io.stderr.write(`kmsrecover: ${text}\n`);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        domain: { type: 'string', short: 'd' },
        user: { type: 'string', short: 'u' },
        folder: { type: 'string', short: 'f' },
        store: { type: 'string', short: 's' },
        cfgdir: { type: 'string', short: 'c' },
        mask: { type: 'string', short: 'm' },
        backup: { type: 'boolean', short: 'b' },
        noprogress: { type: 'boolean', short: 'g' },
        listing: { type: 'boolean', short: 'l' },
        quiet: { type: 'boolean', short: 'q' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    complain(`${(error as Error).message}\nTry kmsrecover --help.`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(KMSRECOVER_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    complain(
      `give one backup directory or file (got ${positionals.length})\nTry kmsrecover --help.`,
    );
    return EXIT.usage;
  }
  if (values.user !== undefined && values.domain === undefined) {
    complain('-u (--user) needs -d (--domain)');
    return EXIT.usage;
  }
  if (values.folder !== undefined && (values.domain === undefined || values.user === undefined)) {
    complain('-f (--folder) needs -d (--domain) and -u (--user)');
    return EXIT.usage;
  }
  let masks: Mask[] | undefined;
  try {
    masks = values.mask === undefined ? undefined : parseMasks(values.mask);
  } catch (error) {
    complain((error as Error).message);
    return EXIT.usage;
  }
  const source = resolve(io.cwd, positionals[0]!);
  const selection = {
    ...(masks ? { masks } : {}),
    ...(values.domain !== undefined ? { domain: values.domain } : {}),
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(values.folder !== undefined ? { folder: values.folder } : {}),
  };
  const quiet = values.quiet === true;
  try {
    if (values.listing) {
      const listing = await listBackupFiles(source, selection);
      if (!quiet) say(`# ${listing.backups.join(' + ')}`);
      for (const file of listing.files)
        say(
          `${formatTime(file.mtime)}  ${String(file.size).padStart(12)}  ${file.root === 'store' ? 'store/' : ''}${file.path}`,
        );
      return EXIT.ok;
    }
    const configDirectory = resolve(io.cwd, values.cfgdir ?? '.');
    const storeDirectory =
      values.store !== undefined ? resolve(io.cwd, values.store) : await storeOf(io.cwd);
    const release = await lockStore(storeDirectory, 'kmsrecover');
    try {
      const showProgress = !quiet && values.noprogress !== true;
      const progress = progressReporter(io, showProgress);
      const logger: Logger = {
        info: (message) => (values.verbose && !quiet ? say(message) : undefined),
        warn: (message) => complain(message),
        error: (message) => complain(message),
      };
      const result = await restoreBackup({
        source,
        configDirectory,
        storeDirectory,
        keepOriginals: values.backup === true,
        logger,
        onProgress: progress.update,
        ...selection,
      });
      progress.stop();
      if (!quiet)
        say(
          `restored ${result.files} files (${result.bytes} bytes) from ${result.backups.join(' + ')}`,
        );
      return EXIT.ok;
    } finally {
      await release();
    }
  } catch (error) {
    if (error instanceof StoreLockedError) {
      complain(`${error.message}; kmsrecover runs only while the server is stopped`);
      return EXIT.locked;
    }
    if (error instanceof ArchiveError || error instanceof RestoreError) {
      complain(error.message);
      return EXIT.failed;
    }
    if (isMissingFileError(error)) {
      complain(`not found: ${(error as NodeJS.ErrnoException).path ?? source}`);
      return EXIT.failed;
    }
    complain(error instanceof Error ? error.message : String(error));
    return EXIT.failed;
  }
}

/** The store mailserver.cfg in `directory` names (`StorePath`, default `store`), as Kerio finds it. */
async function storeOf(directory: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(join(directory, 'mailserver.cfg'), 'utf8');
  } catch (error) {
    if (!isMissingFileError(error)) throw error;
    throw new RestoreError(
      `no mailserver.cfg in ${directory}: run kmsrecover from the server's data directory, or give -s`,
    );
  }
  const storePath = parseKerioConfig(text, 'mailserver.cfg').variables.get('StorePath') ?? 'store';
  return isAbsolute(storePath) ? storePath : join(directory, storePath);
}

/** A bar on a terminal (cli-progress), a line per tenth of the work otherwise. */
function progressReporter(io: KmsrecoverIo, enabled: boolean) {
  if (!enabled) return { update: undefined, stop: () => undefined };
  if (io.stderr.isTTY) {
    const bar = new SingleBar({
      stream: io.stderr,
      format: 'restoring [{bar}] {percentage}% | {value}/{total} files',
      hideCursor: true,
    });
    let started = false;
    return {
      update: (p: { files: number; totalFiles: number }) => {
        if (!started) {
          bar.start(p.totalFiles, 0);
          started = true;
        }
        bar.update(p.files);
      },
      stop: () => (started ? bar.stop() : undefined),
    };
  }
  let lastTenth = -1;
  return {
    update: (p: { files: number; totalFiles: number; bytes: number; totalBytes: number }) => {
      const tenth = Math.floor((p.files * 10) / Math.max(1, p.totalFiles));
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      io.stderr.write(
        `restoring: ${p.files}/${p.totalFiles} files, ${p.bytes}/${p.totalBytes} bytes\n`,
      );
    },
    stop: () => undefined,
  };
}
