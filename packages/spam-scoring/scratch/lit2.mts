import { requiredLiterals } from '../src/spamassassin/required-literal.ts';
for (const p of ['abc+(?:xyz|zzz)', '(?:abc|cab)+x?y', 'a{2}bcx|bcay', 'c(?:a|b)?abc', '(?i)ABC|xyz', 'a\\|bc|zzz', 'x*abcab?c']) console.log(p, requiredLiterals(p));
