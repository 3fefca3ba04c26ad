import { summarize } from '@mailyard/mime';
import { BayesFilter, FileBayesStore, SaMessageView, bayesTokens, SpamEngine } from '../src/index.ts';
const store = await FileBayesStore.open('/tmp/x-none.json');
const bytes = new Uint8Array(0);
const m = { bytes, summary: summarize(bytes) };
console.log(bayesTokens(new SaMessageView(bytes, m.summary)));
const bayes = new BayesFilter({ store, minHam: 0, minSpam: 0 });
console.log(await bayes.classify(m));
