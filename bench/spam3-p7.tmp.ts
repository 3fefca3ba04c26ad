import { SaMessageView } from '@mailyard/spam-scoring';
import { parseReceivedLine } from '../packages/spam-scoring/src/spamassassin/received-relays.js';
import { readMessage } from '/work/wt/spam/bench/spam-mailyard.js';
const m = readMessage(process.argv[2]!);
const view = new SaMessageView(m.bytes, m.summary, { mailFrom: null });
for (const l of (view.header('Received', null) ?? '').split('\n').slice(0, -1)) if (parseReceivedLine(l) === null) console.log(l.slice(0, 200));
