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
      // For real: PostgreSQL goes down (a fast shutdown: every session is ended) and comes back
      // on the same port, as in a restart or a failover.
      failReads: async () => {
        await server.stop();
        return () => server.start().then(() => undefined);
      },
    },
  );
});
