/**
 * The crash test's victim: a queue over the on-disk store (FsMailStore) with local delivery,
 * queueing messages in a loop and delivering them as it goes. It says on stdout what it is about
 * to queue (`I seq`) and what the queue acknowledged (`A seq queueId recipients`). The test kills
 * it with SIGKILL at a random moment, or it kills itself at a failpoint (`<kind>:<n>`), saying
 * `K <kind>` first:
 * - `store:n`: right after the store took its n-th message, before the queue could note it, the
 *   window that exactly-once delivery has to survive;
 * - `queued:n`: right after the queue took the n-th message durably, before it was acknowledged
 *   (`I` said, `A` not): a message the queue delivers although the client never heard 250.
 */
import { writeSync } from 'node:fs';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { localDeliveryAgent } from '../../../src/delivery/local-delivery-agent.js';
import { DeliveryQueue } from '../../../src/queue/delivery-queue.js';
import { crashDirectory } from './crash-world.js';

const [queueDirectory, storeDirectory, startText, failpointText] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);

const [failpointKind, failpointCount] = (failpointText ?? 'none:0').split(':');
const counts = { store: 0, queued: 0 };
/** Kills this process when `kind` has happened the failpoint's number of times. */
function failpoint(kind: keyof typeof counts): void {
  if (failpointKind !== kind || ++counts[kind] !== Number(failpointCount)) return;
  say(`K ${kind}`);
  process.kill(process.pid, 'SIGKILL');
}

const store = new FsMailStore({ directory: storeDirectory! });
const deliver = store.deliver.bind(store);
store.deliver = async (user, message) => {
  const result = await deliver(user, message);
  failpoint('store');
  return result;
};

const directory = await crashDirectory();
const queue = await DeliveryQueue.open({
  directory: queueDirectory!,
  hostname: 'mail.crash.test',
  agent: localDeliveryAgent({ store, directory, hostname: 'mail.crash.test' }),
  concurrency: 4,
});
say('ready');
const names = ['u0@crash.test', 'u1@crash.test', 'u2@crash.test', 'team@crash.test'];
for (let seq = Number(startText); ; seq++) {
  const recipients = names.filter((_, i) => (seq >> i) & 1 || i === seq % names.length);
  say(`I ${seq}`);
  const { queueId } = await queue.enqueue(
    { from: 'sender@far.test', recipients: recipients.map((address) => ({ address })) },
    (async function* () {
      yield Buffer.from(`Subject: crash ${seq}\r\n\r\n${'body '.repeat(1 + (seq % 40))}\r\n`);
    })(),
    { service: 'SMTP' },
  );
  failpoint('queued');
  say(`A ${seq} ${queueId} ${recipients.join(',')}`);
  if (seq % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
}
