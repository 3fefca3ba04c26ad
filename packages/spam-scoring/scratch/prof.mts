import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
const { rules } = await loadSpamAssassinRules('/usr/share/spamassassin');
const bytes = readFileSync(process.argv[2]!);
const view = new SaMessageView(bytes, summarize(bytes));
view.body(); view.rawBody(); view.uris(); view.full();
console.log('paragraphs', view.body().length, view.body().map(p=>p.length).reduce((a,b)=>a+b,0), 'raw lines', view.rawBody().length, 'uris', view.uris().length);
const plain = (rules as any).plain as any[];
const byKind: Record<string, number> = {};
const slow: [number, string][] = [];
for (const r of plain) {
  const s = performance.now();
  r.match(view, r.maxHits);
  const t = performance.now() - s;
  byKind[r.kind] = (byKind[r.kind] ?? 0) + t;
  slow.push([t, r.name + ':' + r.kind]);
}
slow.sort((a, b) => b[0] - a[0]);
console.log(byKind, slow.slice(0, 10).map(([t, n]) => `${n} ${t.toFixed(1)}`).join(', '));
