// Differential test of spamtest, spamtestplus and virustest against Pigeonhole's sieve-test,
// both configured alike: the score in X-Spam-Score from 0 to 10, the virus level (1 to 5) in
// X-Virus-Level. Each script files the message into folders named after the values it sees.
import { describeWithPeer } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { compileSieve, createSpamtest, runScript, standardRegistry } from '../src/index.js';
import { SIEVE_TEST, sieveTestDirectory } from './pigeonhole-run.js';

const PLUGIN = [
  'sieve_extensions = +spamtest +spamtestplus +virustest',
  'sieve_spamtest_status_type = score',
  'sieve_spamtest_status_header = X-Spam-Score',
  'sieve_spamtest_max_value = 10',
  'sieve_virustest_status_type = score',
  'sieve_virustest_status_header = X-Virus-Level',
  'sieve_virustest_max_value = 5',
];

const registry = standardRegistry.with(
  ...createSpamtest({
    spam: { header: 'X-Spam-Score', max: 10 },
    virus: { header: 'X-Virus-Level', level: (text) => Number(text.trim()) },
  }),
);

const SCRIPT = [
  'require ["spamtestplus", "virustest", "fileinto", "variables"];',
  'if spamtest :comparator "i;octet" :matches "*" { fileinto "S${1}"; }',
  'if spamtest :percent :comparator "i;octet" :matches "*" { fileinto "P${1}"; }',
  'if virustest :comparator "i;octet" :matches "*" { fileinto "V${1}"; }',
  '',
].join('\n');

const message = (head: string) =>
  `${head}From: a@example.com\r\nTo: b@example.org\r\nSubject: offer\r\n\r\nBuy.\r\n`;

const HEADS = [
  '',
  'X-Spam-Score: 0\r\n',
  'X-Spam-Score: 1\r\n',
  'X-Spam-Score: 2.3\r\n',
  'X-Spam-Score: 5\r\n',
  'X-Spam-Score: 7.5\r\nX-Virus-Level: 1\r\n',
  'X-Spam-Score: 10\r\nX-Virus-Level: 5\r\n',
  'X-Virus-Level: 3\r\n',
];

function ours(text: string): string[] {
  const compiled = compileSieve(SCRIPT, { registry });
  const run = runScript(compiled.script!, {
    message: Buffer.from(text),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  return run.actions.flatMap((action) => (action.type === 'fileinto' ? [action.mailbox] : []));
}

describeWithPeer(SIEVE_TEST, "differential: spamtest against Pigeonhole's sieve-test", () => {
  it.each(HEADS.map((head) => [JSON.stringify(head), head] as const))('%s', async (_name, head) => {
    const text = message(head);
    const sieveTest = sieveTestDirectory({
      script: SCRIPT,
      message: text,
      from: 'a@example.com',
      to: 'b@example.org',
      plugin: PLUGIN,
    });
    try {
      const { stdout, stderr } = await sieveTest.run();
      expect(stderr).not.toMatch(/error/i);
      const theirs = [...stdout.matchAll(/^ \* store message in folder: (.*)$/gm)]
        .map((found) => found[1]!)
        .filter((folder) => folder !== 'INBOX');
      expect(ours(text)).toEqual(theirs);
    } finally {
      sieveTest.remove();
    }
  });
});
