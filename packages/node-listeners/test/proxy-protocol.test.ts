import { describe, expect, it } from 'vitest';
import { parseProxyHeader } from '../src/proxy-protocol.js';

const v2 = (family: number, addresses: number[], command = 0x21) => {
  const body = Buffer.from(addresses);
  return Buffer.concat([
    Buffer.from('\r\n\r\n\0\r\nQUIT\n', 'latin1'),
    Buffer.from([command, family, body.length >> 8, body.length & 0xff]),
    body,
  ]);
};

describe('PROXY protocol v1', () => {
  it('reads the client and server addresses and where the protocol starts', () => {
    const data = Buffer.from('PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\nEHLO x\r\n');
    expect(parseProxyHeader(data)).toEqual({
      status: 'done',
      length: 44,
      source: { address: '192.0.2.1', port: 56324 },
      destination: { address: '198.51.100.2', port: 25 },
    });
  });

  it('reads TCP6 and UNKNOWN', () => {
    expect(
      parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 2001:db8::2 1 2\r\n')),
    ).toMatchObject({
      source: { address: '2001:db8::1', port: 1 },
    });
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toMatchObject({
      status: 'done',
      source: null,
    });
  });

  it('asks for more until the line is complete, and refuses what is not a header', () => {
    expect(parseProxyHeader(Buffer.from('PRO'))).toEqual({ status: 'more' });
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.1'))).toEqual({ status: 'more' });
    expect(parseProxyHeader(Buffer.from('EHLO client\r\n')).status).toBe('invalid');
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 300.0.0.1 1.2.3.4 1 2\r\n')).status).toBe(
      'invalid',
    );
    expect(parseProxyHeader(Buffer.from('PROXY TCP4 1.2.3.4 1.2.3.4 1 99999\r\n')).status).toBe(
      'invalid',
    );
    expect(parseProxyHeader(Buffer.from(`PROXY ${'x'.repeat(200)}`)).status).toBe('invalid');
  });
});

describe('PROXY protocol v2', () => {
  it('reads IPv4 and IPv6 addresses', () => {
    expect(parseProxyHeader(v2(0x11, [192, 0, 2, 1, 198, 51, 100, 2, 0xdc, 0x04, 0, 25]))).toEqual({
      status: 'done',
      length: 28,
      source: { address: '192.0.2.1', port: 56324 },
      destination: { address: '198.51.100.2', port: 25 },
    });
    const six = [
      0x20,
      0x01,
      0x0d,
      0xb8,
      ...Array(11).fill(0),
      1,
      0x20,
      0x01,
      0x0d,
      0xb8,
      ...Array(11).fill(0),
      2,
      0,
      1,
      0,
      2,
    ];
    expect(parseProxyHeader(v2(0x21, six))).toMatchObject({
      source: { address: '2001:db8:0:0:0:0:0:1', port: 1 },
    });
  });

  it('treats LOCAL as a connection without a proxied client', () => {
    expect(parseProxyHeader(v2(0x00, [], 0x20))).toMatchObject({
      status: 'done',
      source: null,
      length: 16,
    });
  });

  it('asks for more while the header is incomplete, and refuses other versions', () => {
    const whole = v2(0x11, [192, 0, 2, 1, 198, 51, 100, 2, 0, 1, 0, 2]);
    for (let cut = 0; cut < whole.length; cut++)
      expect(parseProxyHeader(whole.subarray(0, cut)).status).toBe('more');
    const wrongVersion = Buffer.from(whole);
    wrongVersion[12] = 0x31;
    expect(parseProxyHeader(wrongVersion).status).toBe('invalid');
  });
});
