import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  KerioConfigError,
  MailStoreError,
  type MemoryDirectory,
  XmlDirectory,
  nullIfMissing,
  parseUsersCfg,
} from '@mailyard/mailstore-interface';
import { PostgresDirectory } from '@mailyard/mailstore-postgres';
import { deriveScramCredentials } from '@mailyard/sasl';
import type { UserArgument } from './command-line.js';
import { StartupError } from './startup-error.js';

/** The domain and users a first run creates when no domain is configured. */
export const EXAMPLE_DOMAIN = 'example.test';
export const EXAMPLE_USERS = ['alice', 'bob'] as const;

export interface GeneratedAccount {
  readonly address: string;
  readonly password: string;
}

/**
 * Opens users.cfg, Kerio's directory of domains, users, groups and aliases. Passwords are kept
 * as scrypt hashes and SCRAM keys, never in the clear, so SCRAM, PLAIN and LOGIN work (CRAM-MD5
 * and DIGEST-MD5 would need reversible storage, which this server does not turn on).
 *
 * Changes are held in memory until `save()`: the server saves once its listeners are bound, so
 * a start that fails (a busy port, a `--user` outside the local domains) leaves the file as it
 * was. A running server then has no users on disk that it does not know, and a first run either
 * keeps its accounts and shows their passwords, or keeps nothing.
 */
export async function openUserDirectory(
  path: string,
  options: { readonly loginCacheMinutes: number } = { loginCacheMinutes: 0 },
): Promise<XmlDirectory> {
  try {
    return await XmlDirectory.open(path, {
      deriveScram: deriveScramCredentials,
      loginCache:
        options.loginCacheMinutes > 0 ? { ttlMs: options.loginCacheMinutes * 60_000 } : false,
      deferWrites: true,
    });
  } catch (error) {
    // An unreadable file must stop us before a first-run default overwrites the administrator's
    // users; the message says which file, and where in it.
    if (error instanceof KerioConfigError) throw new StartupError(error.message);
    throw new StartupError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * With the store in PostgreSQL (`StoreUrl`), the directory is there too, shared by the servers:
 * users, domains, groups and aliases in tables. The first server over an empty database imports
 * its users.cfg; from then on users.cfg is not read (nor written) by a server over PostgreSQL.
 * Changes are held back until `save()`, as with users.cfg.
 */
export async function openSharedDirectory(
  url: string,
  usersCfg: string,
  options: { readonly loginCacheMinutes: number } = { loginCacheMinutes: 0 },
): Promise<PostgresDirectory> {
  let importFrom;
  try {
    const text = await nullIfMissing(readFile(usersCfg, 'utf8'));
    importFrom = text === null ? undefined : parseUsersCfg(text, usersCfg);
  } catch (error) {
    if (error instanceof KerioConfigError) throw new StartupError(error.message);
    throw new StartupError(`cannot read ${usersCfg}: ${(error as Error).message}`);
  }
  try {
    return await PostgresDirectory.open({
      url,
      deriveScram: deriveScramCredentials,
      loginCache:
        options.loginCacheMinutes > 0 ? { ttlMs: options.loginCacheMinutes * 60_000 } : false,
      deferWrites: true,
      ...(importFrom ? { importFrom } : {}),
    });
  } catch (error) {
    const where = new URL(url);
    where.password = '';
    throw new StartupError(
      // The database is the store: its directory is the first part of it a start opens.
      `the store at ${where.href} cannot be opened (its directory): ${(error as Error).message}`,
    );
  }
}

/** Writes what `openUserDirectory`'s directory held back; a failure says where. */
export async function saveUserDirectory(
  directory: XmlDirectory | PostgresDirectory,
): Promise<void> {
  try {
    await directory.save();
  } catch (error) {
    const where = directory instanceof XmlDirectory ? directory.path : 'the database';
    throw new StartupError(`cannot write ${where}: ${(error as Error).message}`);
  }
}

/**
 * Applies `--domain` and `--user`, and on a first run without any domain creates example.test
 * with alice and bob. Returns the accounts whose passwords were generated, to be shown once.
 */
export async function applyAccounts(
  directory: MemoryDirectory,
  request: { readonly domains: readonly string[]; readonly users: readonly UserArgument[] },
  generatePassword: () => string = randomPassword,
): Promise<GeneratedAccount[]> {
  for (const domain of request.domains) {
    if ((await directory.localDomain(domain)) === null) await directory.addDomain(domain);
  }
  const generated: GeneratedAccount[] = [];
  if ((await directory.domains()).length === 0) {
    await directory.addDomain(EXAMPLE_DOMAIN);
    for (const name of EXAMPLE_USERS) {
      const account = { address: `${name}@${EXAMPLE_DOMAIN}`, password: generatePassword() };
      // A --user for the same account sets its password itself, below.
      if (request.users.some((user) => user.address === account.address)) continue;
      await directory.addUser(account.address, { password: account.password });
      generated.push(account);
    }
  }
  for (const user of request.users) await setUser(directory, user);
  return generated;
}

async function setUser(directory: MemoryDirectory, user: UserArgument): Promise<void> {
  const domain = user.address.slice(user.address.lastIndexOf('@') + 1);
  if ((await directory.localDomain(domain)) !== domain) {
    throw new StartupError(
      `--user ${user.address}: ${domain} is not a local domain (add it with --domain ${domain})`,
    );
  }
  try {
    if (await directory.findUser(user.address)) {
      await directory.updateUser(user.address, { password: user.password });
    } else {
      await directory.addUser(user.address, { password: user.password });
    }
  } catch (error) {
    // The directory's own words: an invalid login name, a password SASLprep refuses.
    if (error instanceof MailStoreError || error instanceof RangeError) {
      throw new StartupError(`--user ${user.address}: ${error.message}`);
    }
    throw error;
  }
}

/** 12 random bytes as 16 URL-safe characters: easy to paste, hard to guess. */
function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
