import { readFileSync } from 'node:fs';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
import { readPerlMatch } from '../src/spamassassin/perl-regex.ts';
import { requiredLiterals } from '../src/spamassassin/required-literal.ts';
const { rules, config } = await loadSpamAssassinRules('/usr/share/spamassassin');
const bytes = readFileSync(process.argv[2]!);
const view = new SaMessageView(bytes, summarize(bytes));
const plain = (rules as any).plain as any[];
for (const r of plain) {
  if (r.kind !== 'body') continue;
  const count = r.match(view, r.maxHits);
  // run without prefilter
  const spec = config.rules.get(r.name)!.spec;
}
// find body rules where regex matches some paragraph but literals missing
import { translatePerlRegex } from '../src/spamassassin/perl-regex.ts';
import { replaceTags } from '../src/spamassassin/replace-tags.ts';
for (const def of config.rules.values()) {
  if (def.kind !== 'body' && def.kind !== 'rawbody') continue;
  let spec = def.spec;
  if (config.replaceRules.has(def.name)) spec = spec.replace(/(\/|m\{)(.*)(\/|\})([a-z]*)/s, (_, o, b, c, f) => `${o}${replaceTags(b, config)}${c}${f}`);
  const m = readPerlMatch(spec); if (!m) continue;
  const t = translatePerlRegex(m.pattern, m.flags); if (!t.ok) continue;
  const lits = m.flags.includes('x') ? null : requiredLiterals(m.pattern);
  if (!lits) continue;
  const ci = m.flags.includes('i') || /\(\?[a-z]*i/.test(m.pattern);
  const texts = def.kind === 'body' ? view.body() : view.rawBody();
  for (const text of texts) {
    if (t.regex.test(text)) {
      const hay = ci ? text.toLowerCase() : text;
      if (!lits.some((l) => hay.includes(ci ? l.toLowerCase() : l))) console.log('MISS', def.name, JSON.stringify(lits).slice(0, 200));
    }
  }
}
