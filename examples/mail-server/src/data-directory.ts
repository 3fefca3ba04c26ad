import { constants } from 'node:fs';
import { access, mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { MAIL_DIRECTORY } from '@mailyard/mailstore-fs';
import { writeFileAtomically } from '@mailyard/mailstore-interface';
import { formatMailserverCfg, parseMailserverCfg } from './mailserver-cfg.js';
import { type MailServerConfig, defaultConfig } from './server-config.js';
import { StartupError } from './startup-error.js';

/**
 * Where everything the server keeps lives, in Kerio's layout:
 *
 * ```
 * <data>/mailserver.cfg         settings
 * <data>/users.cfg              domains, users, groups, aliases
 * <data>/sslcert/server.crt     the TLS certificate (self-signed on first run) and its key
 * <data>/sslcert/server.key
 * <data>/store/mail/…           the message store
 * <data>/store/queue/…          the delivery queue
 * <data>/logs/mail.log          Kerio's Mail, Security, Error and Warning logs
 * <data>/logs/security.log
 * <data>/logs/error.log
 * <data>/logs/warning.log
 * <data>/logs/debug.log         the Debug log, when mailserver.cfg turns it on
 * ```
 */
export class DataDirectory {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get mailserverCfg(): string {
    return join(this.root, 'mailserver.cfg');
  }
  get usersCfg(): string {
    return join(this.root, 'users.cfg');
  }
  get certificate(): string {
    return join(this.root, 'sslcert', 'server.crt');
  }
  get privateKey(): string {
    return join(this.root, 'sslcert', 'server.key');
  }
  get logs(): string {
    return join(this.root, 'logs');
  }

  /** The store directory a configuration names (relative paths are inside the data directory). */
  store(config: MailServerConfig): string {
    return isAbsolute(config.storePath) ? config.storePath : join(this.root, config.storePath);
  }

  queue(config: MailServerConfig): string {
    return join(this.store(config), 'queue');
  }

  /** Creates the directory if needed; a first run starts here. */
  async create(): Promise<void> {
    await mkdir(this.root, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
      // mkdir's own words name the call, not the problem: a file where a directory must be.
      if (error.code === 'EEXIST' || error.code === 'ENOTDIR') {
        const where = error.code === 'EEXIST' ? 'it is a file' : 'a file is in the way on its path';
        throw new StartupError(
          `the data directory ${this.root} is not a directory: ${where} (give --data a directory, or where one can be made)`,
        );
      }
      throw new StartupError(`cannot create the data directory ${this.root}: ${error.message}`);
    });
  }

  /**
   * Creates the directories the server writes into (the logs, the store's mail and its queue)
   * and checks it may write there: one it cannot use stops the start with its path, not with a
   * stack trace, nor at the first message, long after the terminal was closed.
   */
  async prepareWritableDirectories(config: MailServerConfig): Promise<void> {
    await writableDirectory(this.logs, 'the logs directory');
    await writableDirectory(join(this.store(config), MAIL_DIRECTORY), 'the message store');
    await writableDirectory(this.queue(config), 'the delivery queue');
  }

  /**
   * Reads mailserver.cfg, writing one with the defaults when there is none. `warn` hears about
   * variables the server does not know.
   */
  async loadConfig(warn: (message: string) => void): Promise<MailServerConfig> {
    const text = await readOptional(this.mailserverCfg);
    if (text === null) {
      const config = defaultConfig();
      await writeFileAtomically(this.mailserverCfg, formatMailserverCfg(config));
      return config;
    }
    const { config, warnings } = parseMailserverCfg(text, this.mailserverCfg);
    warnings.forEach(warn);
    return config;
  }
}

/** A file's text, or null when it does not exist; any other failure is the user's to fix. */
export async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StartupError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Makes `path` (and its parents) a directory if it is not one, and checks it can be written. */
async function writableDirectory(path: string, what: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
    await access(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // mkdir's EEXIST and ENOTDIR name the call, not the problem: a file where a directory must be.
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way where a directory must be'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? `this user may not write there (${code})`
          : (error as Error).message;
    throw new StartupError(`cannot use ${what}, ${path}: ${why}`);
  }
}
