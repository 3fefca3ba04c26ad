import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/smtp-core');
  expect(printed[0]).toMatch(/^stored \d+ octets for bob@example\.com$/);
  expect(printed.slice(1)).toEqual([
    'bob@example.com delivered 250 2.0.0',
    'eve@elsewhere.test failed 554 5.7.1',
  ]);
});
