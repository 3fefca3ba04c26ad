import { loadSpamAssassinRules } from '../src/node/load-spamassassin-rules.ts';
const { rules, files } = await loadSpamAssassinRules('/usr/share/spamassassin');
const s = rules.stats.unsupportedByReason;
const sum = (f: (k: string) => boolean) => Object.entries(s).filter(([k]) => f(k)).reduce((a, [, v]) => a + v, 0);
console.log(files.length, rules.stats.defined, rules.stats.loaded,
  'eval', sum((k) => k.startsWith('eval:')), 'net', s['network test'], 'meta', s['meta on a rule that does not run'],
  'lookahead', (s['regex: lookahead'] ?? 0) + (s['regex: negative lookahead'] ?? 0), 'backref', s['regex: backreference'],
  'other regex', sum((k) => k.startsWith('regex:') && !/lookahead|backreference/.test(k)), 'bayes', sum((k) => k.startsWith('Bayes')),
  'other', sum((k) => !k.startsWith('eval:') && !k.startsWith('regex:') && !k.startsWith('Bayes') && k !== 'network test' && k !== 'meta on a rule that does not run'));
