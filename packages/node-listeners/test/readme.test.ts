import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  expect(await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/node-listeners')).toEqual([
    'smtp submission',
  ]);
});
