import { expectReadmeOutput, runReadmeExample } from '@mailyard/test-kit';
import { it } from 'vitest';

it('runs the README example and prints what the README promises', async () => {
  const printed = await runReadmeExample(
    `${import.meta.dirname}/..`,
    '@mailyard/kmsrecover-format',
  );
  expectReadmeOutput('@mailyard/kmsrecover-format', printed);
});
