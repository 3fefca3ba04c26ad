import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/mime');
  expect(printed).toContain('%PDF-1.4');
  expect(printed).toContain('Report');
});
