import { runReadmeExample } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

it('runs the README example', async () => {
  const printed = await runReadmeExample(`${import.meta.dirname}/..`, '@mailyard/imap-core');
  expect(printed).toEqual(['* 1 FETCH (ENVELOPE (NIL "Hello" NIL NIL NIL NIL NIL NIL NIL NIL))']);
});
