import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
const { rules } = await loadSpamAssassinRules('/usr/share/spamassassin');
const bytes = readFileSync(process.argv[2]!);
const view = new SaMessageView(bytes, summarize(bytes));
const r = rules as any;
const counts = new Map<string, number>();
for (const rule of r.plain) { const c = rule.match(view, rule.maxHits); if (c) counts.set(rule.name, c); }
for (const rule of r.metas) { const v = rule.meta.evaluate((n: string) => counts.get(n) ?? 0); if (v) counts.set(rule.name, v > 0 ? v : 1); }
for (const [k, v] of counts) if (/FORM|MIME_QP|FILL/.test(k)) console.log(k, v);
console.log(rules.unsupported.filter((u) => /FILL_THIS|FORM_FRAUD/.test(u.name)));
