import {
  type ConformanceContext,
  describeMailStoreConformance,
} from '@mailyard/mailstore-conformance';
import type { MailStore } from '@mailyard/mailstore-interface';
import { PostgresServer, describeWithPostgres } from '@mailyard/test-kit';
import { afterAll, beforeAll } from 'vitest';
import { PostgresMailStore } from '../src/index.js';

describeWithPostgres('PostgresMailStore over a real PostgreSQL', () => {
  const server = new PostgresServer();
  let stores = 0;
  const schemas = new WeakMap<MailStore, string>();
  // A schema of its own for each check: an empty store in the one database.
  const open = (schema: string, context: ConformanceContext) =>
    PostgresMailStore.open({ ...context, url: server.url(), schema, maxConnections: 4 });

  beforeAll(() => server.start(), 60_000);
  afterAll(() => server.close());

  describeMailStoreConformance(
    'PostgresMailStore',
    async (context) => {
      const schema = `store_${++stores}`;
      const store = await open(schema, context);
      schemas.set(store, schema);
      return store;
    },
    {
      reopen: async (store, context) => {
        const schema = schemas.get(store)!;
        await store.close();
        const reopened = await open(schema, context);
        schemas.set(reopened, schema);
        return reopened;
      },
      // Not run yet: the kit's "storage that fails for a while" checks (PostgreSQL stopped and
      // started again on the same port) fail now and then after the restart: reads keep getting
      // ECONNREFUSED from the pool although the server accepts again, depending on what ran
      // during the outage. An open defect (docs/mailstore-postgres.md, "Known defects"), found
      // when the branch was merged; the check comes back with its fix.
    },
  );
});
