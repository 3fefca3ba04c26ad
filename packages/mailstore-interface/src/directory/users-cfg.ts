import { type KerioListItem, formatKerioConfig, parseKerioConfig } from '../kerio-config.js';
import type {
  AliasRecord,
  DirectoryData,
  DomainRecord,
  GroupRecord,
  UserRecord,
} from './directory-data.js';
import type { EncodedScramCredentials, PasswordRecord } from './password.js';

/**
 * Kerio's configuration files are XML lists of items of named variables (Admin Guide 2.5, 8.2):
 *
 * ```xml
 * <config>
 *   <list name="User">
 *     <listitem>
 *       <variable name="Name">alice</variable>
 *       <variable name="Domain">example.com</variable>
 *       ...
 * ```
 *
 * This module turns a directory into `users.cfg` and back. Lists are `Domain`, `User`, `Group`
 * and `Alias`; docs/mailstore.md lists their variables. Multi-valued variables are `;`-separated.
 */
type Item = Record<string, string>;

/** Reads `users.cfg`; `file` names it in errors (a `KerioConfigError` for broken XML). */
export function parseUsersCfg(xml: string, file = 'users.cfg'): DirectoryData {
  const { lists } = parseKerioConfig(xml, file);
  const get = (name: string) => lists.get(name) ?? [];
  return {
    domains: get('Domain').map(readDomain),
    users: get('User').map(readUser),
    groups: get('Group').map(readGroup),
    aliases: get('Alias').map(readAlias),
  };
}

export function formatUsersCfg(data: DirectoryData): string {
  return formatKerioConfig([
    { list: 'Domain', items: data.domains.map(writeDomain) },
    { list: 'User', items: data.users.map(writeUser) },
    { list: 'Group', items: data.groups.map(writeGroup) },
    { list: 'Alias', items: data.aliases.map(writeAlias) },
  ]);
}

const flag = (value: boolean) => (value ? '1' : '0');
const isSet = (value: string | undefined) => value === '1';
const many = (value: string | undefined) => (value ? value.split(';').filter(Boolean) : []);
const count = (value: string | undefined) => (/^\d+$/.test(value ?? '') ? Number(value) : 0);

function readDomain(item: KerioListItem): DomainRecord {
  return {
    name: (item.Name ?? '').toLowerCase(),
    primary: isSet(item.Primary),
    aliases: many(item.Aliases),
    retentionDays: count(item.KeepDeletedDays),
  };
}

function writeDomain(domain: DomainRecord): Item {
  return {
    Name: domain.name,
    Primary: flag(domain.primary),
    Aliases: domain.aliases.join(';'),
    KeepDeletedDays: String(domain.retentionDays),
  };
}

function readUser(item: KerioListItem): UserRecord {
  return {
    name: (item.Name ?? '').toLowerCase(),
    domain: (item.Domain ?? '').toLowerCase(),
    fullName: item.FullName ?? '',
    enabled: item.Enabled === undefined || isSet(item.Enabled),
    quota: { storage: count(item.QuotaStorage), messages: count(item.QuotaMessages) },
    ownDomainOnly: isSet(item.OwnDomainOnly),
    forwarding: { addresses: many(item.Forward), keepCopy: isSet(item.ForwardKeepCopy) },
    publicFolderAdmin: isSet(item.PublicFolderAdmin),
    password: readPassword(item),
  };
}

function writeUser(user: UserRecord): Item {
  return {
    Name: user.name,
    Domain: user.domain,
    FullName: user.fullName,
    Enabled: flag(user.enabled),
    QuotaStorage: String(user.quota.storage),
    QuotaMessages: String(user.quota.messages),
    OwnDomainOnly: flag(user.ownDomainOnly),
    Forward: user.forwarding.addresses.join(';'),
    ForwardKeepCopy: flag(user.forwarding.keepCopy),
    PublicFolderAdmin: flag(user.publicFolderAdmin),
    ...writePassword(user.password),
  };
}

/** `scrypt$<cost>$<salt>$<hash>`; SCRAM keys as `<iterations>$<salt>$<stored key>$<server key>`. */
function readPassword(item: KerioListItem): PasswordRecord | null {
  const scrypt = /^scrypt\$(\d+)\$([^$]+)\$([^$]+)$/.exec(item.Password ?? '');
  if (!scrypt) return null;
  const scram: PasswordRecord['scram'] = {};
  for (const [hash, key] of [
    ['SHA-1', 'ScramSha1'],
    ['SHA-256', 'ScramSha256'],
  ] as const) {
    const parts = /^(\d+)\$([^$]+)\$([^$]+)\$([^$]+)$/.exec(item[key] ?? '');
    if (parts) {
      const encoded: EncodedScramCredentials = {
        iterations: Number(parts[1]),
        salt: parts[2]!,
        storedKey: parts[3]!,
        serverKey: parts[4]!,
      };
      scram[hash] = encoded;
    }
  }
  return {
    scrypt: { cost: Number(scrypt[1]), salt: scrypt[2]!, hash: scrypt[3]! },
    scram,
    ...(item.PasswordReversible ? { reversible: item.PasswordReversible } : {}),
  };
}

function writePassword(password: PasswordRecord | null): Item {
  if (!password) return {};
  const item: Item = {
    Password: `scrypt$${password.scrypt.cost}$${password.scrypt.salt}$${password.scrypt.hash}`,
  };
  const scram = (s: EncodedScramCredentials) =>
    `${s.iterations}$${s.salt}$${s.storedKey}$${s.serverKey}`;
  if (password.scram['SHA-1']) item.ScramSha1 = scram(password.scram['SHA-1']);
  if (password.scram['SHA-256']) item.ScramSha256 = scram(password.scram['SHA-256']);
  if (password.reversible) item.PasswordReversible = password.reversible;
  return item;
}

function readGroup(item: KerioListItem): GroupRecord {
  return {
    name: (item.Name ?? '').toLowerCase(),
    domain: (item.Domain ?? '').toLowerCase(),
    members: many(item.Members).map((m) => m.toLowerCase()),
    publicFolderAdmin: isSet(item.PublicFolderAdmin),
  };
}

function writeGroup(group: GroupRecord): Item {
  return {
    Name: group.name,
    Domain: group.domain,
    Members: group.members.join(';'),
    PublicFolderAdmin: flag(group.publicFolderAdmin),
  };
}

function readAlias(item: KerioListItem): AliasRecord {
  return {
    domain: (item.Domain ?? '').toLowerCase(),
    pattern: item.Name ?? '',
    target: item.Target ?? '',
  };
}

function writeAlias(alias: AliasRecord): Item {
  return { Domain: alias.domain, Name: alias.pattern, Target: alias.target };
}
