import { runPlainNode } from '@mailyard/test-kit';
import { expect, it } from 'vitest';

// An application awaits close() at the end of its program: it must settle by itself, with no
// other timer or socket keeping node alive (the README example ends this way).
it('close() settles under plain node with nothing else keeping the process alive', async () => {
  const run = await runPlainNode(
    `${import.meta.dirname}/plain-node/close-with-client-connected.ts`,
  );
  expect(run).toEqual({
    code: 0,
    stdout: 'BYE (TRYLATER) "Server shutting down" closed\n',
    stderr: '',
  });
});
