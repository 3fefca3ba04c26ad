import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/sasl');
  expect(printed).toContain('SCRAM-SHA-256 SCRAM-SHA-1 LOGIN PLAIN');
  expect(printed).toContain('logged in as alice@example.com');
});
