import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/access-policy');
  expect(printed).toEqual([
    'true true false',
    'false true',
    'false',
    'false',
    'true',
    'true',
    'false',
  ]);
});
