import { MemoryDirectory, MemoryMailStore } from '@mailyard/mailstore-interface';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveryRouter } from '../../src/delivery/delivery-router.js';
import { localDeliveryAgent } from '../../src/delivery/local-delivery-agent.js';
import type { Envelope } from '../../src/envelope.js';
import { DeliveryQueue } from '../../src/queue/delivery-queue.js';
import { ScriptedAgent, chunks, temporaryDirectory } from '../queue/queue-fixtures.js';

let directory: MemoryDirectory;
let store: MemoryMailStore;
let remote: ScriptedAgent;
let dir: ReturnType<typeof temporaryDirectory>;
const stops: (() => Promise<void>)[] = [];

beforeEach(async () => {
  directory = new MemoryDirectory();
  await directory.addDomain('a.test');
  await directory.addDomain('legacy.test');
  await directory.addUser('alice@a.test');
  await directory.addUser('known@legacy.test');
  store = new MemoryMailStore();
  remote = new ScriptedAgent();
  dir = temporaryDirectory();
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
  dir.remove();
});

const router = () =>
  deliveryRouter({
    directory,
    local: localDeliveryAgent({ store, directory, hostname: 'mail.a.test' }),
    remote,
    forwardUnknown: ['legacy.test'],
  });
const envelope = (...to: string[]): Envelope => ({
  from: 's@c.test',
  recipients: to.map((address) => ({ address })),
});
const MESSAGE = 'Subject: routed\r\n\r\nhi\r\n';

describe('deliveryRouter', () => {
  it('sends local domains to local delivery and the rest to the remote agent, results in order', async () => {
    const results = await router().deliver(
      envelope('x@far.test', 'alice@a.test', 'nobody@a.test'),
      {
        size: MESSAGE.length,
        read: () => chunks(MESSAGE),
      },
      { queueId: '438dd9ea-00000001', number: 1 },
    );
    expect(results.map((r) => [r.recipient, r.status, r.enhancedCode])).toEqual([
      ['x@far.test', 'delivered', '2.0.0'],
      ['alice@a.test', 'delivered', '2.0.0'],
      ['nobody@a.test', 'failed', '5.1.1'],
    ]);
    expect(remote.calls.map((c) => c.envelope.recipients.map((r) => r.address))).toEqual([
      ['x@far.test'],
    ]);
  });

  it("forwards a domain's unknown recipients to the remote agent (Kerio 1.10), keeps its known ones", async () => {
    await router().deliver(
      envelope('stranger@legacy.test', 'known@legacy.test'),
      { size: 1, read: () => chunks('x') },
      {
        queueId: '438dd9ea-00000001',
        number: 1,
      },
    );
    expect(remote.calls.map((c) => c.envelope.recipients.map((r) => r.address))).toEqual([
      ['stranger@legacy.test'],
    ]);
    const box = await store.access('known@legacy.test').open('INBOX', { readOnly: true });
    expect(await box.messages()).toHaveLength(1);
    box.close();
  });

  it("routes the bare <Postmaster> (RFC 5321 4.1.1.3) to local delivery, the primary domain's postmaster", async () => {
    await directory.addAlias('a.test', 'postmaster', 'alice@a.test');
    const results = await router().deliver(
      envelope('postmaster'),
      { size: MESSAGE.length, read: () => chunks(MESSAGE) },
      { queueId: '438dd9ea-00000001', number: 1 },
    );
    expect(results.map((r) => [r.recipient, r.status, r.enhancedCode])).toEqual([
      ['postmaster', 'delivered', '2.0.0'],
    ]);
    expect(remote.calls).toEqual([]);
    const box = await store.access('alice@a.test').open('INBOX', { readOnly: true });
    expect(await box.messages()).toHaveLength(1);
    box.close();
    expect(await router().viaRelay!('postmaster')).toBe(false);
  });

  it('asks the remote agent about holds and relays only for remote recipients', async () => {
    remote.hold = () => 'etrn';
    remote.relayed = () => true;
    const agent = router();
    expect(await agent.holdFor!('stranger@legacy.test')).toBe('etrn');
    expect(await agent.holdFor!('known@legacy.test')).toBeNull();
    expect(await agent.holdFor!('alice@a.test')).toBeNull();
    expect(await agent.viaRelay!('x@far.test')).toBe(true);
    expect(await agent.viaRelay!('alice@a.test')).toBe(false);
  });

  it('in the queue: unknown recipients of an ETRN domain wait for the ETRN, local mail goes at once', async () => {
    remote.hold = (recipient) => (recipient.endsWith('@legacy.test') ? 'etrn' : null);
    const queue = await DeliveryQueue.open({
      directory: dir.path,
      hostname: 'mail.a.test',
      agent: router(),
      warnAfter: 0,
    });
    stops.push(() => queue.stop(0));
    await queue.enqueue(envelope('stranger@legacy.test', 'known@legacy.test'), chunks(MESSAGE), {
      service: 'SMTP',
    });
    await queue.idle();
    expect(remote.calls).toEqual([]);
    expect(queue.list()[0]!.recipients.map((r) => [r.address, r.state, r.hold])).toEqual([
      ['stranger@legacy.test', 'pending', 'etrn'],
      ['known@legacy.test', 'delivered', null],
    ]);
    const release = await queue.release('legacy.test');
    expect(release.messages).toBe(1);
    await release.done;
    expect(remote.calls.map((c) => c.envelope.recipients.map((r) => r.address))).toEqual([
      ['stranger@legacy.test'],
    ]);
    expect(queue.list()).toEqual([]);
  });
});
