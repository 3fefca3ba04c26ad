import type { TreeKey, TreeRecord } from '@mailyard/mailstore-interface';
import type { Sql } from 'postgres';
import type { ChangeNotifier } from './change-notifier.js';
import { readOnce } from './connection-errors.js';
import { StaleTreeError } from './write-conflicts.js';

/**
 * The tree records (a tree's mailbox metadata, ACLs and subscriptions, as one JSON value): small,
 * read once, rewritten whole. Each write names the version it read, so a write over a record
 * another node replaced since fails ({@link StaleTreeError}) instead of undoing that change.
 */
export class TreeRecords {
  /** The version of each tree record as last read or written here. */
  private readonly treeVersions = new Map<TreeKey, number>();

  constructor(
    private readonly sql: Sql,
    private readonly notices: ChangeNotifier,
  ) {}

  async listTrees(): Promise<TreeKey[]> {
    const rows = await readOnce(
      () => this.sql<{ tree: string }[]>`SELECT tree FROM trees ORDER BY tree`,
    );
    return rows.map((row) => row.tree);
  }

  async readTree(tree: TreeKey): Promise<TreeRecord | null> {
    const rows = await readOnce(
      () => this.sql<{ record: string; version: string }[]>`
        SELECT record, version FROM trees WHERE tree = ${tree}`,
    );
    const row = rows[0];
    // Only a missing row means "no tree": a failed query has thrown already.
    if (!row) {
      this.treeVersions.delete(tree);
      return null;
    }
    this.treeVersions.set(tree, Number(row.version));
    return JSON.parse(row.record) as TreeRecord;
  }

  /** The version of a tree's record as this node last saw it (for the change feed). */
  treeVersion(tree: TreeKey): number | undefined {
    return this.treeVersions.get(tree);
  }

  async writeTree(tree: TreeKey, record: TreeRecord): Promise<void> {
    const text = JSON.stringify(record);
    const known = this.treeVersions.get(tree);
    const version = await this.sql.begin(async (tx) => {
      const rows =
        known === undefined
          ? await tx<{ version: string }[]>`
              INSERT INTO trees (tree, record) VALUES (${tree}, ${text})
              ON CONFLICT (tree) DO NOTHING RETURNING version`
          : await tx<{ version: string }[]>`
              UPDATE trees SET record = ${text}, version = version + 1
              WHERE tree = ${tree} AND version = ${known} RETURNING version`;
      if (rows.length === 0) throw new StaleTreeError(tree);
      await this.notices.notify(tx, { k: 't', t: tree });
      return Number(rows[0]!.version);
    });
    this.treeVersions.set(tree, version);
  }

  async deleteTree(tree: TreeKey): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`DELETE FROM mailboxes WHERE tree = ${tree}`;
      await tx`DELETE FROM trees WHERE tree = ${tree}`;
      await this.notices.notify(tx, { k: 't', t: tree });
    });
    this.treeVersions.delete(tree);
  }
}
