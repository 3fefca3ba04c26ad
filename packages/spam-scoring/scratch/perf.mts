import { readFileSync, readdirSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
const { rules } = await loadSpamAssassinRules('/usr/share/spamassassin');
const dir = process.argv[2] ?? 'test/fixtures/messages';
const msgs = readdirSync(dir).map((f) => readFileSync(`${dir}/${f}`));
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  let n = 0;
  for (let k = 0; k < 10; k++)
    for (const bytes of msgs) {
      rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0);
      n++;
    }
  console.log('per message ms', ((performance.now() - t0) / n).toFixed(2));
}
