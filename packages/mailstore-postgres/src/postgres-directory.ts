import type {
  AliasRecord,
  DirectoryData,
  DomainRecord,
  GroupRecord,
  MemoryDirectoryOptions,
  UserRecord,
} from '@mailyard/mailstore-interface';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import type { Sql, TransactionSql } from 'postgres';
import { openMigratedPool } from './connection-pool.js';

export interface PostgresDirectoryOptions extends Omit<MemoryDirectoryOptions, 'data'> {
  /** A connection URL: `postgres://user:password@host:5432/database`. */
  readonly url: string;
  /** The schema of the tables (the store's: `mailyard` by default). */
  readonly schema?: string;
  /**
   * What an empty directory starts with: a `users.cfg` read with `parseUsersCfg` (the import
   * of a server that had its directory on disk). Ignored once the database holds any domain.
   */
  readonly importFrom?: DirectoryData;
  /**
   * Keep changes in memory until `save()`, as `XmlDirectory` does, for a server's start-up
   * changes; default false (each change is in the database before it takes effect).
   */
  readonly deferWrites?: boolean;
  /** Connections in the pool; default 2. */
  readonly maxConnections?: number;
  /** Seconds to wait for a connection; default 10. */
  readonly connectTimeoutSeconds?: number;
  /** Pause after a failed connection attempt, as the store's; default 50 ms. */
  readonly reconnectDelayMs?: number;
  /** Where failures to read other nodes' changes are reported; default: ignored. */
  readonly onFeedError?: (error: unknown) => void;
}

interface Keyed<T> {
  readonly key: (record: T) => string;
  readonly table: 'directory_domains' | 'directory_users' | 'directory_groups';
}

const DOMAINS: Keyed<DomainRecord> = { key: (d) => d.name, table: 'directory_domains' };
const USERS: Keyed<UserRecord> = { key: (u) => `${u.name}@${u.domain}`, table: 'directory_users' };
const GROUPS: Keyed<GroupRecord> = {
  key: (g) => `${g.name}@${g.domain}`,
  table: 'directory_groups',
};

/**
 * The directory of several servers in one PostgreSQL database: domains, users (with their
 * password hashes, never a password), groups and aliases in tables, so that servers share
 * nothing but the database. Each server answers from its copy in memory (a `MemoryDirectory`);
 * a change writes the rows it changes in one transaction, then tells the other servers
 * (NOTIFY), which read the directory again, as they do after their listening connection comes
 * back.
 */
export class PostgresDirectory extends MemoryDirectory {
  private current: DirectoryData;
  private unsaved: DirectoryData | null = null;
  private deferring: boolean;
  private unlisten: (() => Promise<void>) | null = null;

  private constructor(
    readonly sql: Sql,
    readonly schema: string,
    data: DirectoryData,
    private readonly directoryOptions: PostgresDirectoryOptions,
  ) {
    super({ ...directoryOptions, data });
    this.current = data;
    this.deferring = directoryOptions.deferWrites ?? false;
  }

  private static channel(schema: string): string {
    return `mailyard_directory:${schema}`;
  }

  /** Connects, migrates, imports `importFrom` into an empty directory, reads it, and listens. */
  static async open(options: PostgresDirectoryOptions): Promise<PostgresDirectory> {
    const schema = options.schema ?? 'mailyard';
    const sql = await openMigratedPool({
      url: options.url,
      schema,
      maxConnections: options.maxConnections ?? 2,
      connectTimeoutSeconds: options.connectTimeoutSeconds,
      reconnectDelayMs: options.reconnectDelayMs,
      applicationName: 'mailyard-directory',
    });
    try {
      if (options.importFrom) {
        const from = options.importFrom;
        await sql.begin(async (tx) => {
          // One importer at a time; the others find the domains there and import nothing.
          await tx`LOCK TABLE directory_domains IN EXCLUSIVE MODE`;
          const [any] = await tx`SELECT 1 FROM directory_domains LIMIT 1`;
          if (!any) await write(tx, { domains: [], users: [], groups: [], aliases: [] }, from);
        });
      }
      const directory = new PostgresDirectory(sql, schema, await read(sql), options);
      await directory.listen();
      return directory;
    } catch (error) {
      await sql.end({ timeout: 5 });
      throw error;
    }
  }

  /** Whether changes held back by `deferWrites` wait for `save()`. */
  get hasUnsavedChanges(): boolean {
    return this.unsaved !== null;
  }

  /** Writes the changes `deferWrites` held back, if any, and stops holding changes back. */
  async save(): Promise<void> {
    if (this.unsaved !== null) await this.writeChange(this.unsaved);
    this.unsaved = null;
    this.deferring = false;
  }

  protected override async change(data: DirectoryData): Promise<void> {
    if (this.deferring) this.unsaved = data;
    else await this.writeChange(data);
    await super.change(data);
  }

  /** Writes what differs from the copy this node last read or wrote, and tells the others. */
  private async writeChange(data: DirectoryData): Promise<void> {
    const before = this.current;
    await this.sql.begin(async (tx) => {
      await write(tx, before, data);
      await tx`SELECT pg_notify(${PostgresDirectory.channel(this.schema)}, '')`;
    });
    this.current = data;
  }

  /** Reads the directory again (another node changed it), keeping held-back changes held. */
  private async reload(): Promise<void> {
    const data = await read(this.sql);
    this.current = data;
    if (this.unsaved === null) await super.change(data);
  }

  private async listen(): Promise<void> {
    let listened = false;
    const reload = () =>
      this.reload().catch((error: unknown) => this.directoryOptions.onFeedError?.(error));
    const meta = await this.sql.listen(
      PostgresDirectory.channel(this.schema),
      () => void reload(),
      () => {
        // After a reconnection, changes may have been missed: read it all again.
        if (listened) void reload();
        listened = true;
      },
    );
    this.unlisten = meta.unlisten;
  }

  async close(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    await this.sql.end({ timeout: 5 });
  }
}

async function read(sql: Sql): Promise<DirectoryData> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const records = async <T>(table: Keyed<T>['table'], key: string) =>
      (await tx<{ record: string }[]>`SELECT record FROM ${tx(table)} ORDER BY ${tx(key)}`).map(
        (row) => JSON.parse(row.record) as T,
      );
    const domains = await records<DomainRecord>('directory_domains', 'name');
    const users = await records<UserRecord>('directory_users', 'id');
    const groups = await records<GroupRecord>('directory_groups', 'id');
    const aliases = await tx<AliasRecord[]>`
      SELECT domain, pattern, target FROM directory_aliases ORDER BY domain, pattern, target`;
    return { domains, users, groups, aliases: aliases.map((a) => ({ ...a })) };
  });
}

/** Writes the difference between two versions of the directory: rows added, changed, removed. */
async function write(tx: TransactionSql, before: DirectoryData, after: DirectoryData) {
  await writeRecords(tx, DOMAINS, before.domains, after.domains);
  await writeRecords(tx, USERS, before.users, after.users);
  await writeRecords(tx, GROUPS, before.groups, after.groups);
  const key = (a: AliasRecord) => JSON.stringify([a.domain, a.pattern, a.target]);
  const old = new Set(before.aliases.map(key));
  const next = new Set(after.aliases.map(key));
  for (const alias of before.aliases) {
    if (next.has(key(alias))) continue;
    await tx`DELETE FROM directory_aliases WHERE domain = ${alias.domain}
             AND pattern = ${alias.pattern} AND target = ${alias.target}`;
  }
  for (const alias of after.aliases) {
    if (old.has(key(alias))) continue;
    await tx`INSERT INTO directory_aliases (domain, pattern, target)
             VALUES (${alias.domain}, ${alias.pattern}, ${alias.target}) ON CONFLICT DO NOTHING`;
  }
}

async function writeRecords<T>(
  tx: TransactionSql,
  { key, table }: Keyed<T>,
  before: readonly T[],
  after: readonly T[],
): Promise<void> {
  const column = table === 'directory_domains' ? 'name' : 'id';
  const old = new Map(before.map((record) => [key(record), JSON.stringify(record)]));
  const next = new Map(after.map((record) => [key(record), JSON.stringify(record)]));
  for (const id of old.keys()) {
    if (!next.has(id)) await tx`DELETE FROM ${tx(table)} WHERE ${tx(column)} = ${id}`;
  }
  for (const [id, text] of next) {
    if (old.get(id) === text) continue;
    await tx`INSERT INTO ${tx(table)} (${tx(column)}, record) VALUES (${id}, ${text})
             ON CONFLICT (${tx(column)}) DO UPDATE SET record = excluded.record`;
  }
}
