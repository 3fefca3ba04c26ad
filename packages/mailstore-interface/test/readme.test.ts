import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(
    `${import.meta.dirname}/..`,
    '@mailyard/mailstore-interface',
  );
  expect(printed).toContain('Hello');
  expect(printed).toContain('true');
});
