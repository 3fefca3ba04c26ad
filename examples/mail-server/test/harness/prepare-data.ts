import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { XmlDirectory } from '@mailyard/mailstore-interface';
import { formatMailserverCfg } from '../../src/mailserver-cfg.js';
import { type MailServerConfig, defaultConfig } from '../../src/server-config.js';
import { applyAccounts, openUserDirectory } from '../../src/user-directory.js';

/**
 * Writes a data directory before the server's first start, as an administrator would edit it:
 * mailserver.cfg with some settings changed, users.cfg with domains, users and whatever else the
 * directory's API sets up (aliases, groups, quotas, forwarding).
 */
export async function prepareDataDirectory(
  data: string,
  options: {
    readonly config?: (defaults: MailServerConfig) => MailServerConfig;
    readonly domains: readonly string[];
    readonly users: readonly { readonly address: string; readonly password: string }[];
    readonly directory?: (directory: XmlDirectory) => Promise<void>;
  },
): Promise<void> {
  mkdirSync(data, { recursive: true });
  const defaults = { ...defaultConfig(), hostname: 'localhost' };
  writeFileSync(
    join(data, 'mailserver.cfg'),
    formatMailserverCfg(options.config?.(defaults) ?? defaults),
  );
  const directory = await openUserDirectory(join(data, 'users.cfg'));
  await applyAccounts(directory, { domains: options.domains, users: options.users });
  await options.directory?.(directory);
  await directory.save();
}
