import { SaMessageView } from '@mailyard/spam-scoring';
import { readMessage } from './spam-mailyard.js';
const m = readMessage(process.argv[2]!);
const view = new SaMessageView(m.bytes, m.summary);
console.log('VISIBLE:\n' + view.visibleBody().join('\n--\n'));
