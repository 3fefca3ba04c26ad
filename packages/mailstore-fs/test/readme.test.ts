import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/mailstore-fs');
  expect(printed).toContain('Hi');
  expect(printed.some((line) => line.endsWith('00000001.eml'))).toBe(true);
});
