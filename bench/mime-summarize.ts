/**
 * `summarize` from @mailyard/mime against `simpleParser` from mailparser, in the same process on
 * the same corpus: messages per second, megabytes per second, and the ratio.
 *
 * The two do different amounts of work, and the figures should be read with that in mind:
 * summarize computes what a store keeps (structure with offsets, envelope, sort and thread keys)
 * and decodes no bodies; simpleParser decodes every part into text, HTML and attachment buffers.
 * That is the comparison that matters to a server: what it costs to make a message servable.
 *
 * Usage: npm run bench:mime [-- --rounds N]
 */
import { summarize } from '@mailyard/mime';
import { simpleParser } from 'mailparser';
import { loadSpamAssassinCorpus } from './corpus.js';
import { formatRate, measure, type Measurement } from './measure.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const messages = loadSpamAssassinCorpus();
const bytes = messages.reduce((sum, message) => sum + message.length, 0);

console.log(
  `corpus: SpamAssassin public corpus, ${messages.length} messages, ${(bytes / 1e6).toFixed(1)} MB`,
);
console.log(`node ${process.version}, ${rounds} rounds each, median reported\n`);

const ours = await measure('@mailyard/mime summarize', rounds, async () => {
  for (const message of messages) summarize(message);
});
const peer = await measure('mailparser simpleParser', rounds, async () => {
  for (const message of messages) await simpleParser(message);
});

report(ours);
report(peer);
console.log(
  `\nratio: summarize is ${(peer.seconds / ours.seconds).toFixed(1)}x the throughput of simpleParser`,
);

function report({ name, seconds }: Measurement): void {
  console.log(
    `${name.padEnd(28)} ${formatRate(messages.length / seconds, 'msg/s')}  ${formatRate(bytes / 1e6 / seconds, 'MB/s')}`,
  );
}
