import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
const { rules, config } = await loadSpamAssassinRules('/usr/share/spamassassin');
const rows = rules.unsupported.filter((u) => u.reason.startsWith('eval:')).map((u) => [u.name, config.rules.get(u.name)!.spec, (config.scores.get(u.name) ?? [1])[2] ?? (config.scores.get(u.name) ?? [1])[0]] as const);
rows.sort((a, b) => Math.abs(Number(b[2])) - Math.abs(Number(a[2])));
for (const r of rows.slice(0, 40)) console.log(r.join('  '));
