import { type Socket, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeSmtpConnectOptions } from '../../src/client/node-smtp-connection.js';
import { SmtpClientError } from '../../src/client/smtp-client-error.js';
import type { Envelope, MessageSource } from '../../src/envelope.js';
import { pop3Login } from '../../src/routing/pop3-before-smtp.js';
import {
  type RemoteDeliveryAgentOptions,
  remoteDeliveryAgent,
} from '../../src/routing/remote-delivery-agent.js';
import { ScriptedServer, type ScriptOptions } from '../client/scripted-server.js';
import { describeWithPeer } from '@mailyard/test-kit';
import { SMTP_SINK_PEER, startSmtpSink } from '../client/peers.js';
import { fakeResolver } from './fake-resolver.js';

const MESSAGE = 'Subject: routed\r\n\r\nbody\r\n';
const message: MessageSource = {
  size: MESSAGE.length,
  async *read() {
    yield Buffer.from(MESSAGE);
  },
};
const attempt = { queueId: '438dd9ea-00000000', number: 1 };
const envelope = (...recipients: string[]): Envelope => ({
  from: 'alice@a.test',
  recipients: recipients.map((address) => ({ address })),
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Hosts by address: a script for a scripted server, or 'refuse' for a connection refused. */
function network(hosts: Record<string, ScriptOptions | 'refuse'>) {
  const connections: {
    address: string;
    options: NodeSmtpConnectOptions;
    server?: ScriptedServer;
  }[] = [];
  const connect = async (options: NodeSmtpConnectOptions) => {
    const host = hosts[options.host];
    const record: (typeof connections)[number] = { address: options.host, options };
    connections.push(record);
    if (!host || host === 'refuse')
      throw new SmtpClientError('connection', `connect ECONNREFUSED ${options.host}:25`);
    record.server = new ScriptedServer(host);
    return record.server;
  };
  return { connect, connections };
}

const resolver = fakeResolver({
  mx: {
    'b.test': [
      { exchange: 'mx1.b.test', priority: 10 },
      { exchange: 'mx2.b.test', priority: 20 },
      { exchange: 'mx3.b.test', priority: 30 },
    ],
    'c.test': [{ exchange: 'mx.c.test', priority: 10 }],
    'null.test': [{ exchange: '', priority: 0 }],
  },
  addresses: {
    'mx1.b.test': ['10.0.0.1', '10.0.0.11'],
    'mx2.b.test': ['10.0.0.2'],
    'mx3.b.test': ['10.0.0.3'],
    'mx.c.test': ['10.0.0.4'],
    'relay.a.test': ['10.9.9.9'],
  },
  fail: ['dnsdown.test'],
});

const agentWith = (
  net: ReturnType<typeof network>,
  extra: Partial<RemoteDeliveryAgentOptions> = {},
) =>
  remoteDeliveryAgent({
    clientName: 'mail.a.test',
    resolver,
    random: () => 0,
    connect: net.connect,
    ...extra,
  });

describe('MX delivery', () => {
  it('delivers to the most preferred MX, with the MX name as Remote-MTA and TLS name', async () => {
    const net = network({ '10.0.0.1': {} });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(results).toEqual([
      expect.objectContaining({
        recipient: 'bob@b.test',
        status: 'delivered',
        remoteMta: 'mx1.b.test',
      }),
    ]);
    expect(net.connections[0]!.options).toMatchObject({
      host: '10.0.0.1',
      port: 25,
      tls: { servername: 'mx1.b.test' },
    });
    expect(net.connections[0]!.server!.messages.map(String)).toEqual([MESSAGE]);
  });

  it('falls back to the next address and the next MX when connections fail', async () => {
    const net = network({
      '10.0.0.1': 'refuse',
      '10.0.0.11': 'refuse',
      '10.0.0.2': 'refuse',
      '10.0.0.3': {},
    });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(net.connections.map((c) => c.address)).toEqual([
      '10.0.0.1',
      '10.0.0.11',
      '10.0.0.2',
      '10.0.0.3',
    ]);
    expect(results[0]).toMatchObject({ status: 'delivered', remoteMta: 'mx3.b.test' });
  });

  it('falls back on a 4xx or 5xx greeting, and on a failure before the transaction', async () => {
    const net = network({
      '10.0.0.1': { greeting: '421 4.3.2 too busy' },
      '10.0.0.11': { greeting: '554 5.7.1 not you' },
      '10.0.0.2': {
        respond: (line) => (line.startsWith('EHLO') ? '451 4.3.0 try later' : undefined),
      },
      '10.0.0.3': {},
    });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(net.connections).toHaveLength(4);
    expect(results[0]).toMatchObject({ status: 'delivered', remoteMta: 'mx3.b.test' });
  });

  it('does not try another MX once a transaction has begun: its results stand', async () => {
    const net = network({
      '10.0.0.1': {
        respond: (line) => (line.startsWith('RCPT') ? '450 4.2.0 greylisted' : undefined),
      },
      '10.0.0.2': {},
    });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(net.connections).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'deferred', code: 450, enhancedCode: '4.2.0' });
  });

  it('defers with 4.4.1 Cannot connect to remote host when no MX can be reached', async () => {
    const net = network({});
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(results[0]).toMatchObject({ status: 'deferred', code: 451, enhancedCode: '4.4.1' });
    expect(results[0]!.diagnostic).toContain('Cannot connect to remote host');
  });

  it('after every MX greeted with an error, the last one’s answer is the result', async () => {
    const net = network({
      '10.0.0.1': { greeting: '421 4.3.2 busy' },
      '10.0.0.11': 'refuse',
      '10.0.0.2': 'refuse',
      '10.0.0.3': 'refuse',
    });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(results[0]).toMatchObject({ status: 'deferred', code: 421 });
  });

  it('fails at once for a null MX, defers when DNS does not answer', async () => {
    const net = network({});
    const results = await agentWith(net).deliver(
      envelope('x@null.test', 'y@dnsdown.test'),
      message,
      attempt,
    );
    expect(results.map((r) => [r.status, r.enhancedCode])).toEqual([
      ['failed', '5.1.10'],
      ['deferred', '4.4.3'],
    ]);
    expect(net.connections).toEqual([]);
  });

  it('groups recipients per domain: one transaction per domain', async () => {
    const net = network({ '10.0.0.1': {}, '10.0.0.4': {} });
    const results = await agentWith(net).deliver(
      envelope('a@b.test', 'b@c.test', 'c@B.test'),
      message,
      attempt,
    );
    expect(results.map((r) => r.recipient)).toEqual(['a@b.test', 'b@c.test', 'c@B.test']);
    expect(results.every((r) => r.status === 'delivered')).toBe(true);
    const rcpts = net.connections.map((c) =>
      c.server!.commands.filter((l) => l.startsWith('RCPT')),
    );
    expect(rcpts.sort()).toEqual([
      ['RCPT TO:<a@b.test>', 'RCPT TO:<c@B.test>'],
      ['RCPT TO:<b@c.test>'],
    ]);
  });

  it('retries a host in the clear when opportunistic TLS fails its handshake', async () => {
    const net = network({ '10.0.0.1': { extensions: ['STARTTLS'], tlsFails: true } });
    const results = await agentWith(net).deliver(envelope('bob@b.test'), message, attempt);
    expect(net.connections.map((c) => c.address)).toEqual(['10.0.0.1', '10.0.0.1']);
    expect(net.connections[1]!.server!.commands).not.toContain('STARTTLS');
    expect(results[0]!.status).toBe('delivered');
  });

  it('with STARTTLS required, a host without it is skipped', async () => {
    const net = network({
      '10.0.0.1': {},
      '10.0.0.11': {},
      '10.0.0.2': { extensions: ['STARTTLS'] },
    });
    const results = await agentWith(net, { mx: { startTls: 'required' } }).deliver(
      envelope('bob@b.test'),
      message,
      attempt,
    );
    expect(net.connections).toHaveLength(3);
    expect(net.connections[2]!.server!.secure).toBe(true);
    expect(results[0]).toMatchObject({ status: 'delivered', remoteMta: 'mx2.b.test' });
  });

  it('tries at most maxHosts MX hosts per attempt', async () => {
    const net = network({});
    await agentWith(net, { mx: { maxHosts: 1 } }).deliver(envelope('bob@b.test'), message, attempt);
    expect(net.connections.map((c) => c.address)).toEqual(['10.0.0.1', '10.0.0.11']);
  });

  it('delivers to an address literal directly', async () => {
    const net = network({ '192.0.2.5': {} });
    const results = await agentWith(net).deliver(envelope('bob@[192.0.2.5]'), message, attempt);
    expect(results[0]!.status).toBe('delivered');
    expect(net.connections[0]!.options.tls).toEqual({});
  });
});

describe('smarthost and routes', () => {
  it('sends everything to the smarthost, with SMTP AUTH, and says it goes via the relay', async () => {
    resolver.queries.length = 0;
    const net = network({
      'relay.a.test': { users: { relayuser: 'pw' }, extensions: ['AUTH PLAIN LOGIN'] },
    });
    const agent = agentWith(net, {
      smarthost: {
        host: 'relay.a.test',
        port: 587,
        authentication: {
          method: 'smtp-auth',
          credentials: { username: 'relayuser', password: 'pw' },
          allowInsecure: true,
        },
      },
    });
    const results = await agent.deliver(envelope('a@b.test', 'b@c.test'), message, attempt);
    expect(net.connections).toHaveLength(1);
    expect(net.connections[0]!.options).toMatchObject({ host: 'relay.a.test', port: 587 });
    expect(net.connections[0]!.server!.commands).toContain('AUTH PLAIN AHJlbGF5dXNlcgBwdw==');
    expect(results.map((r) => [r.status, r.remoteMta])).toEqual([
      ['delivered', 'relay.a.test'],
      ['delivered', 'relay.a.test'],
    ]);
    expect(agent.viaRelay('a@b.test')).toBe(true);
    expect(resolver.queries).toEqual([]);
  });

  it('defers everything when the smarthost refuses the login', async () => {
    const net = network({
      'relay.a.test': { users: { relayuser: 'pw' }, extensions: ['AUTH PLAIN'] },
    });
    const agent = agentWith(net, {
      smarthost: {
        host: 'relay.a.test',
        authentication: {
          method: 'smtp-auth',
          credentials: { username: 'relayuser', password: 'bad' },
          allowInsecure: true,
        },
      },
    });
    const results = await agent.deliver(envelope('a@b.test'), message, attempt);
    expect(results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.7.0' });
  });

  it('POP3 before SMTP: logs in to POP3 first, then sends', async () => {
    const net = network({ 'relay.a.test': {} });
    const logins: unknown[] = [];
    const agent = agentWith(net, {
      smarthost: {
        host: 'relay.a.test',
        authentication: { method: 'pop3-before-smtp', username: 'u', password: 'p', port: 1110 },
      },
      pop3Login: async (options) => {
        logins.push({ ...options, connectionsSoFar: net.connections.length });
      },
    });
    const results = await agent.deliver(envelope('a@b.test'), message, attempt);
    expect(logins).toEqual([
      { host: 'relay.a.test', username: 'u', password: 'p', port: 1110, connectionsSoFar: 0 },
    ]);
    expect(results[0]!.status).toBe('delivered');
  });

  it('POP3 before SMTP: a failed POP3 login defers without connecting to SMTP', async () => {
    const net = network({ 'relay.a.test': {} });
    const agent = agentWith(net, {
      smarthost: {
        host: 'relay.a.test',
        authentication: { method: 'pop3-before-smtp', username: 'u', password: 'p' },
      },
      pop3Login: async () => {
        throw new Error('POP3 PASS refused: -ERR bad login');
      },
    });
    const results = await agent.deliver(envelope('a@b.test'), message, attempt);
    expect(net.connections).toEqual([]);
    expect(results[0]).toMatchObject({ status: 'deferred', enhancedCode: '4.7.0' });
    expect(results[0]!.diagnostic).toContain('-ERR bad login');
  });

  it('routes a domain (and *. subdomains) to its host, ahead of the smarthost and the MX', async () => {
    const net = network({ 'relay.a.test': {}, 'branch.a.test': {}, 'sub.a.test': {} });
    const agent = agentWith(net, {
      smarthost: { host: 'relay.a.test' },
      routes: [
        { domain: 'branch.test', host: 'branch.a.test', port: 2525, delivery: 'etrn' },
        { domain: '*.corp.test', host: 'sub.a.test', delivery: 'scheduler' },
      ],
    });
    const results = await agent.deliver(
      envelope('x@branch.test', 'y@eu.corp.test', 'z@b.test'),
      message,
      attempt,
    );
    expect(results.every((r) => r.status === 'delivered')).toBe(true);
    const byHost = Object.fromEntries(
      net.connections.map((c) => [
        `${c.options.host}:${c.options.port}`,
        c.server!.commands.filter((l) => l.startsWith('RCPT')),
      ]),
    );
    expect(byHost).toEqual({
      'branch.a.test:2525': ['RCPT TO:<x@branch.test>'],
      'sub.a.test:25': ['RCPT TO:<y@eu.corp.test>'],
      'relay.a.test:25': ['RCPT TO:<z@b.test>'],
    });
    expect([
      agent.holdFor('x@branch.test'),
      agent.holdFor('y@eu.corp.test'),
      agent.holdFor('z@b.test'),
    ]).toEqual(['etrn', 'scheduler', null]);
    expect([agent.viaRelay('x@branch.test'), agent.viaRelay('z@b.test')]).toEqual([false, true]);
  });

  it('without a smarthost nothing goes via a relay', () => {
    expect(agentWith(network({})).viaRelay('a@b.test')).toBe(false);
  });
});

describe('pop3Login against a POP3 server on a socket', () => {
  async function pop3Server(script: (line: string) => string | null, greeting = '+OK POP3 ready') {
    const seen: string[] = [];
    const server = createServer((socket: Socket) => {
      socket.write(`${greeting}\r\n`);
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString();
        for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          seen.push(line);
          const reply = script(line);
          if (reply === null) socket.end();
          else socket.write(`${reply}\r\n`);
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    return { port: typeof address === 'object' && address ? address.port : 0, seen };
  }

  it('sends USER, PASS and QUIT and resolves after +OK to PASS', async () => {
    const pop3 = await pop3Server((line) => (line.startsWith('QUIT') ? null : '+OK'));
    await pop3Login({ host: '127.0.0.1', port: pop3.port, username: 'alice', password: 's3cret' });
    expect(pop3.seen).toEqual(['USER alice', 'PASS s3cret', 'QUIT']);
  });

  it('rejects on -ERR to PASS, on a bad greeting, and on a silent server', async () => {
    const refusing = await pop3Server((line) =>
      line.startsWith('PASS') ? '-ERR [AUTH] invalid login' : '+OK',
    );
    await expect(
      pop3Login({ host: '127.0.0.1', port: refusing.port, username: 'a', password: 'b' }),
    ).rejects.toThrow('POP3 PASS refused: -ERR [AUTH] invalid login');
    const grumpy = await pop3Server(() => '+OK', '-ERR go away');
    await expect(
      pop3Login({ host: '127.0.0.1', port: grumpy.port, username: 'a', password: 'b' }),
    ).rejects.toThrow('greeting');
    const silent = await pop3Server(() => '+OK', '');
    await expect(
      pop3Login({
        host: '127.0.0.1',
        port: silent.port,
        username: 'a',
        password: 'b',
        timeout: 200,
      }),
    ).rejects.toThrow();
  });
});

describeWithPeer(SMTP_SINK_PEER, 'over the network to smtp-sink', () => {
  it('delivers MX mail to smtp-sink through a resolver that points the MX at 127.0.0.1', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.stop());
    const dns = fakeResolver({
      mx: { 'far.test': [{ exchange: 'mx.far.test', priority: 5 }] },
      addresses: { 'mx.far.test': ['127.0.0.1'] },
    });
    const agent = remoteDeliveryAgent({
      clientName: 'mail.a.test',
      resolver: dns,
      mx: { port: sink.port, startTls: 'never' },
    });
    const results = await agent.deliver(envelope('one@far.test', 'two@far.test'), message, attempt);
    expect(results.map((r) => [r.status, r.remoteMta])).toEqual([
      ['delivered', 'mx.far.test'],
      ['delivered', 'mx.far.test'],
    ]);
    const dumps = sink.dumps();
    expect(dumps).toHaveLength(1);
    expect(dumps[0]).toContain('X-Rcpt-Args: <one@far.test>\nX-Rcpt-Args: <two@far.test>');
    expect(dumps[0]).toContain('Subject: routed\n\nbody\n');
  });

  it('POP3 before SMTP for real: a POP3 login on one socket, then mail to smtp-sink', async () => {
    const sink = await startSmtpSink();
    cleanups.push(() => sink.stop());
    const order: string[] = [];
    const pop3 = createServer((socket) => {
      order.push('pop3');
      socket.write('+OK hi\r\n');
      socket.on('data', (chunk) => {
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          if (line === 'QUIT') {
            socket.end('+OK bye\r\n');
          } else socket.write('+OK\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => pop3.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => pop3.close(() => resolve())));
    const pop3Address = pop3.address();
    const agent = remoteDeliveryAgent({
      clientName: 'mail.a.test',
      resolver,
      smarthost: {
        host: '127.0.0.1',
        port: sink.port,
        startTls: 'never',
        authentication: {
          method: 'pop3-before-smtp',
          username: 'u',
          password: 'p',
          port: typeof pop3Address === 'object' && pop3Address ? pop3Address.port : 0,
        },
      },
    });
    const results = await agent.deliver(envelope('x@anywhere.test'), message, attempt);
    expect(order).toEqual(['pop3']);
    expect(results[0]!.status).toBe('delivered');
    expect(sink.dumps()).toHaveLength(1);
  });
});
