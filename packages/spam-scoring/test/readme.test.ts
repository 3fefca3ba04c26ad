import { expectReadmeOutput, runReadmeExample } from '@mailyard/test-kit';
import { it } from 'vitest';

it('runs the README example and prints what the README promises', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/spam-scoring');
  expectReadmeOutput('@mailyard/spam-scoring', printed);
});
