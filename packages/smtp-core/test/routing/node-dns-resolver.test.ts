import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDnsResolver } from '../../src/routing/node-dns-resolver.js';
import { startTinyDns } from './tiny-dns-server.js';

describe('nodeDnsResolver over real DNS messages', () => {
  let dns: Awaited<ReturnType<typeof startTinyDns>>;
  beforeAll(async () => {
    dns = await startTinyDns({
      'b.test': {
        mx: [
          { exchange: 'mx1.b.test', priority: 10 },
          { exchange: 'mx2.b.test', priority: 20 },
        ],
      },
      'null.test': { mx: [{ exchange: '.', priority: 0 }] },
      'mx1.b.test': { a: ['192.0.2.1'], aaaa: ['2001:db8::1'] },
      'v6only.test': { aaaa: ['2001:db8::6'] },
      'nomx.test': { a: ['192.0.2.9'] },
      'broken.test': 'servfail',
    });
  });
  afterAll(() => dns.close());
  const resolver = () => nodeDnsResolver({ servers: [dns.server], timeout: 500, tries: 1 });

  it('reads MX records', async () => {
    expect(await resolver().resolveMx('b.test')).toEqual([
      { exchange: 'mx1.b.test', priority: 10 },
      { exchange: 'mx2.b.test', priority: 20 },
    ]);
  });

  it('gives the null MX as an empty exchange', async () => {
    expect(await resolver().resolveMx('null.test')).toEqual([{ exchange: '', priority: 0 }]);
  });

  it('reads A and AAAA addresses together, and either alone', async () => {
    expect(await resolver().resolveAddresses('mx1.b.test')).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(await resolver().resolveAddresses('v6only.test')).toEqual(['2001:db8::6']);
  });

  it('answers an empty list for names that do not exist and types that are not there', async () => {
    expect(await resolver().resolveMx('nowhere.test')).toEqual([]);
    expect(await resolver().resolveMx('nomx.test')).toEqual([]);
    expect(await resolver().resolveAddresses('nowhere.test')).toEqual([]);
  });

  it('rejects when the server fails, so that the queue tries again later', async () => {
    await expect(resolver().resolveMx('broken.test')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    await expect(resolver().resolveAddresses('broken.test')).rejects.toMatchObject({
      code: 'ESERVFAIL',
    });
  });
});
