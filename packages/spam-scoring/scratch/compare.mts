import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { summarize } from '@mailyard/mime';
import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
import { SaMessageView } from '../src/spamassassin/message-view.ts';
const { rules } = await loadSpamAssassinRules('/usr/share/spamassassin');
const dir = process.argv[2] ?? 'test/fixtures/messages';
for (const f of readdirSync(dir)) {
  const bytes = readFileSync(`${dir}/${f}`);
  const t0 = performance.now();
  const ours = rules.evaluate(new SaMessageView(bytes, summarize(bytes)), 0).map((h) => h.name);
  const ms = performance.now() - t0;
  const out = execFileSync('spamassassin', ['-L', '-t', '--cf=use_bayes 0'], {
    input: bytes,
  }).toString();
  const theirs = [
    ...new Set(
      [
        ...out
          .slice(out.indexOf('Content analysis details'))
          .matchAll(/^ *-?[\d.]+ ([A-Z_0-9]+)/gm),
      ].map((m) => m[1]!),
    ),
  ];
  console.log(
    `== ${f} (${ms.toFixed(1)} ms)\n both: ${ours.filter((r) => theirs.includes(r)).join(' ')}\n only ours: ${ours.filter((r) => !theirs.includes(r)).join(' ')}\n only SA: ${theirs.filter((r) => !ours.includes(r)).join(' ')}`,
  );
}
