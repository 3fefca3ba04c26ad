import { loadSpamAssassinRules } from '/work/wt/spam/packages/spam-scoring/src/node/load-spamassassin-rules.ts';
const t0 = performance.now();
const loaded = await loadSpamAssassinRules('/usr/share/spamassassin');
console.log('ms', performance.now() - t0);
console.log(loaded.rules.stats, loaded.config.problems.slice(0, 10), loaded.config.problems.length);
const regexFails = loaded.rules.unsupported.filter((u) => u.reason.startsWith('regex'));
console.log(regexFails.slice(0, 40));
