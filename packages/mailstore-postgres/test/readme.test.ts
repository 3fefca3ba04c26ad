import {
  PostgresServer,
  describeWithPostgres,
  expectReadmeOutput,
  runReadmeExample,
} from '@mailyard/test-kit';
import { afterAll, beforeAll, it } from 'vitest';

describeWithPostgres('the README example', () => {
  const server = new PostgresServer();
  beforeAll(() => server.start(), 60_000);
  afterAll(() => server.close());

  it('runs and prints what the README promises', async () => {
    process.env.DATABASE_URL = server.url();
    try {
      const printed = await runReadmeExample(
        `${import.meta.dirname}/..`,
        '@mailyard/mailstore-postgres',
      );
      expectReadmeOutput('@mailyard/mailstore-postgres', printed);
    } finally {
      delete process.env.DATABASE_URL;
    }
  });
});
