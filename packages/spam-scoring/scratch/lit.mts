import { requiredLiterals } from '../src/spamassassin/required-literal.ts';
for (const p of ['buy\\s+viagra now', 'a|b', '(?:foo)bar', 'x{0,3}abc', 'abc?d', '\\b(?:viagra|cialis)\\b', '(?:foo)?barbaz', 'ab(?:cde|fgh|ij)', '(?i)money', '(?!abc)def', 'one|two(?:three|four)']) console.log(JSON.stringify(p), '=>', requiredLiterals(p));
