import type { Sql } from 'postgres';

/** One step of the schema, applied once, in order, inside one transaction with its record. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

/**
 * The schema, as shipped with the package. Never edit a released step: add the next one. The
 * tables live in the store's own schema (`mailyard` by default), so several stores (or tests) can
 * share a database.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'trees, mailboxes, messages, expunges',
    statements: [
      // A tree's record (mailbox metadata and subscriptions) is small, read once and rewritten
      // whole; `version` lets a node that wrote from a stale copy find out (see writeTree).
      `CREATE TABLE trees (
         tree text PRIMARY KEY,
         record text NOT NULL,
         version bigint NOT NULL DEFAULT 1
       )`,
      // The counters of a mailbox live in its row, so that every write takes the row's lock and
      // allocates UIDs and mod-sequences in the same transaction as the rows it writes.
      `CREATE TABLE mailboxes (
         id text PRIMARY KEY,
         tree text NOT NULL,
         uid_next bigint NOT NULL DEFAULT 1,
         highest_modseq bigint NOT NULL DEFAULT 1
       )`,
      `CREATE INDEX mailboxes_tree ON mailboxes (tree)`,
      `CREATE TABLE messages (
         mailbox_id text NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
         uid bigint NOT NULL,
         modseq bigint NOT NULL,
         flags text[] NOT NULL,
         internal_date bigint NOT NULL,
         internal_date_zone integer,
         save_date bigint NOT NULL,
         size bigint NOT NULL,
         email_id text NOT NULL,
         summary text NOT NULL,
         content bytea NOT NULL,
         PRIMARY KEY (mailbox_id, uid)
       )`,
      // Mail is read by range (IMAP BODY[]<0.1024>, POP3 TOP): kept uncompressed, a substring
      // reads only the TOAST chunks it needs.
      `ALTER TABLE messages ALTER COLUMN content SET STORAGE EXTERNAL`,
      // Changes since a mod-sequence (the change feed's catch-up, CONDSTORE).
      `CREATE INDEX messages_modseq ON messages (mailbox_id, modseq)`,
      `CREATE TABLE expunged (
         mailbox_id text NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
         uid bigint NOT NULL,
         modseq bigint NOT NULL,
         PRIMARY KEY (mailbox_id, uid)
       )`,
      `CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq)`,
    ],
  },
  {
    version: 2,
    name: 'the delivery queue, shared by the nodes',
    statements: [
      // Each server (node) says it is alive until a time, and renews it; the entries of a node
      // whose time has passed are orphans, which another node takes over (PostgresQueueStorage).
      `CREATE TABLE queue_nodes (
         node text PRIMARY KEY,
         alive_until timestamptz NOT NULL
       )`,
      // One row a queued message: its envelope and delivery state (smtp-core's QueueRecord, with
      // the delivery journal) and its bytes, written together; `owner` is the node delivering it.
      `CREATE TABLE queue (
         id text PRIMARY KEY,
         owner text NOT NULL,
         record text NOT NULL,
         size bigint NOT NULL,
         content bytea NOT NULL
       )`,
      `ALTER TABLE queue ALTER COLUMN content SET STORAGE EXTERNAL`,
      `CREATE INDEX queue_owner ON queue (owner)`,
      // Queue-IDs unique across the nodes (each file queue has its own counter).
      `CREATE SEQUENCE queue_ids`,
    ],
  },
  {
    version: 3,
    name: 'the directory: domains, users, groups, aliases',
    statements: [
      // A row per domain, user, group and alias, the record as JSON (the users.cfg entry, with
      // the password's hashes): a change writes only the rows it changed, so two nodes changing
      // two users at once both keep their change.
      `CREATE TABLE directory_domains (name text PRIMARY KEY, record text NOT NULL)`,
      `CREATE TABLE directory_users (id text PRIMARY KEY, record text NOT NULL)`,
      `CREATE TABLE directory_groups (id text PRIMARY KEY, record text NOT NULL)`,
      `CREATE TABLE directory_aliases (
         domain text NOT NULL,
         pattern text NOT NULL,
         target text NOT NULL,
         PRIMARY KEY (domain, pattern, target)
       )`,
    ],
  },
  {
    version: 4,
    name: "the servers' shared state: Sieve scripts and tracking, logins, greylisting",
    statements: [
      // A user's Sieve scripts (ManageSieve), bytes as uploaded; `size` their UTF-8 octets, as
      // the quota counts them whatever the database's encoding.
      `CREATE TABLE sieve_scripts (
         owner text NOT NULL,
         name text NOT NULL,
         content bytea NOT NULL,
         size integer NOT NULL,
         PRIMARY KEY (owner, name)
       )`,
      // The active script, a row per user: switching is one upsert. The foreign key follows a
      // rename (ON UPDATE CASCADE) and refuses deleting the active script (RFC 5804 2.10).
      `CREATE TABLE sieve_active (
         owner text PRIMARY KEY,
         name text NOT NULL,
         FOREIGN KEY (owner, name) REFERENCES sieve_scripts (owner, name)
           ON UPDATE CASCADE ON DELETE RESTRICT
       )`,
      // Vacation replies sent (RFC 5230 4.2) and duplicate ids seen (RFC 7352), per user, with
      // the time (ms since the epoch, the nodes' clock) they were recorded and until when.
      // Keys are bytea: the server's keys join their parts with NUL, which text cannot hold.
      `CREATE TABLE sieve_tracking (
         owner text NOT NULL,
         key bytea NOT NULL,
         at bigint NOT NULL,
         until bigint NOT NULL,
         PRIMARY KEY (owner, key)
       )`,
      // Failed logins by address or account, server-wide: the recent failures' times, and the
      // lock's end once they reached the limit. `expires` is when the row says nothing any more.
      `CREATE TABLE login_failures (
         kind text NOT NULL,
         key text NOT NULL,
         failures bigint[] NOT NULL,
         locked_until bigint,
         expires bigint NOT NULL,
         PRIMARY KEY (kind, key)
       )`,
      `CREATE INDEX login_failures_expires ON login_failures (expires)`,
      // The per-account login throttle's line (attempts admitted, when the next may start) and
      // the addresses each account logged in from, shared so that a second server neither
      // doubles an attacker's rate nor treats the owner's usual address as unknown.
      `CREATE TABLE login_throttle (
         account text PRIMARY KEY,
         attempts integer NOT NULL,
         next_at bigint NOT NULL
       )`,
      `CREATE TABLE login_known (
         account text NOT NULL,
         address text NOT NULL,
         last bigint NOT NULL,
         PRIMARY KEY (account, address)
       )`,
      `CREATE INDEX login_known_last ON login_known (last)`,
      // Greylisting (postgrey's model): a row per triplet (client network, sender, recipient;
      // bytea: its parts are joined with NUL) and per client network, times in ms.
      `CREATE TABLE greylist_triplets (
         key bytea PRIMARY KEY,
         first bigint NOT NULL,
         last bigint NOT NULL,
         passed boolean NOT NULL
       )`,
      `CREATE INDEX greylist_triplets_last ON greylist_triplets (last)`,
      `CREATE TABLE greylist_clients (
         network text PRIMARY KEY,
         passes integer NOT NULL,
         last bigint NOT NULL
       )`,
      `CREATE INDEX greylist_clients_last ON greylist_clients (last)`,
    ],
  },
];

/** The schema version this package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings the store's schema up to {@link SCHEMA_VERSION}. Idempotent, and safe when several
 * nodes open the store at once: the whole run holds a transaction-scoped advisory lock keyed by
 * the schema's name, so one node migrates and the others, waiting on the lock, then find
 * nothing left to do. A database whose schema is newer than this package knows is refused
 * rather than written to.
 */
export async function migrate(sql: Sql, schema: string): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`mailyard-migrations:${schema}`}))`;
    await tx`CREATE SCHEMA IF NOT EXISTS ${tx(schema)}`;
    await tx`CREATE TABLE IF NOT EXISTS ${tx(schema)}.schema_migrations (
               version integer PRIMARY KEY,
               name text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now()
             )`;
    const rows = await tx<{ version: number }[]>`
      SELECT version FROM ${tx(schema)}.schema_migrations`;
    const applied = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) {
      throw new Error(
        `the schema ${schema} is at version ${newest}, newer than this package's ${SCHEMA_VERSION}`,
      );
    }
    await tx`SET LOCAL search_path TO ${tx(schema)}`;
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.unsafe(statement);
      await tx`INSERT INTO schema_migrations (version, name)
               VALUES (${migration.version}, ${migration.name})`;
      done.push(migration.version);
    }
    return done;
  });
}
