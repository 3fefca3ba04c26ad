import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
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
      throw new StartupError(`cannot create the data directory ${this.root}: ${error.message}`);
    });
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
