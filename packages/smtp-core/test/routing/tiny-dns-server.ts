/**
 * A DNS server of a few lines (RFC 1035 over UDP on 127.0.0.1), so that the node:dns resolver
 * is tested against real DNS messages: MX (including the null MX, RFC 7505), A and AAAA
 * answers, NXDOMAIN for names not in the zone, NOERROR with no answers for missing types, and
 * SERVFAIL for names marked so.
 */
import { type Socket, createSocket } from 'node:dgram';
import { isIP } from 'node:net';

export interface TinyZone {
  readonly [name: string]:
    { mx?: { exchange: string; priority: number }[]; a?: string[]; aaaa?: string[] } | 'servfail';
}

const TYPE = { A: 1, MX: 15, AAAA: 28 } as const;

export async function startTinyDns(
  zone: TinyZone,
): Promise<{ server: string; close(): Promise<void> }> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const response = answer(query, zone);
    if (response) socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(query: Buffer, zone: TinyZone): Buffer | null {
  if (query.length < 12) return null;
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset]! > 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += length + 1;
  }
  offset++;
  const type = query.readUInt16BE(offset);
  const question = query.subarray(12, offset + 4);
  const name = labels.join('.').toLowerCase();
  const entry = zone[name];
  let rcode = 0;
  const answers: Buffer[] = [];
  if (entry === undefined) rcode = 3;
  else if (entry === 'servfail') rcode = 2;
  else if (type === TYPE.MX) {
    for (const mx of entry.mx ?? []) {
      const preference = Buffer.alloc(2);
      preference.writeUInt16BE(mx.priority);
      answers.push(record(TYPE.MX, Buffer.concat([preference, encodeName(mx.exchange)])));
    }
  } else if (type === TYPE.A) {
    for (const address of entry.a ?? [])
      answers.push(record(TYPE.A, Buffer.from(address.split('.').map(Number))));
  } else if (type === TYPE.AAAA) {
    for (const address of entry.aaaa ?? []) answers.push(record(TYPE.AAAA, ipv6Bytes(address)));
  }
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

function record(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function encodeName(name: string): Buffer {
  const parts = name === '' || name === '.' ? [] : name.replace(/\.$/, '').split('.');
  return Buffer.concat([
    ...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])),
    Buffer.from([0]),
  ]);
}

function ipv6Bytes(address: string): Buffer {
  if (isIP(address) !== 6) throw new Error(`not IPv6: ${address}`);
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(Number.parseInt(group, 16), i * 2));
  return bytes;
}
