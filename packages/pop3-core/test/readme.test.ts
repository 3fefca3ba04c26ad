import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/pop3-core');
  expect(printed).toEqual(['1 message, 22 octets', 'Subject: Hi']);
});
