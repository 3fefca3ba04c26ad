import { readFileSync, readdirSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
const { rules } = await loadSpamAssassinRules('/usr/share/spamassassin');
const dir = process.argv[2]!;
const files = readdirSync(dir).slice(0, Number(process.argv[3] ?? 200));
const times: [number, string, number][] = [];
const t0 = performance.now();
for (const f of files) {
  const bytes = readFileSync(`${dir}/${f}`);
  const s = performance.now();
  rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0);
  times.push([performance.now() - s, f, bytes.length]);
}
const total = performance.now() - t0;
times.sort((a, b) => b[0] - a[0]);
console.log('avg ms', (total / files.length).toFixed(1), 'top', times.slice(0, 8).map(([t, f, n]) => `${f}:${t.toFixed(0)}ms/${n}B`).join(' '));
