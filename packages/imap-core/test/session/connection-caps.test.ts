import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import { ConnectionCensus, DEFAULT_SESSION_LIMITS } from '../../src/index.js';
import { ALICE, TestClient, directory } from './harness.js';

const BYE = '* BYE [UNAVAILABLE] Too many connections from your address\r\n';

/** Sessions of one server (one census), connecting from `remoteAddress`. */
async function server(census: ConnectionCensus) {
  const options = { store: new MemoryMailStore(), directory: await directory(), census };
  return async (remoteAddress = '192.0.2.1') => {
    const client = new TestClient({ ...options, hostname: 'imap.example.com' }, { remoteAddress });
    await client.session.start();
    await client.until((text) => text.includes('\r\n'));
    return { client, greeting: client.take() };
  };
}

describe('connection caps (Kerio per-IP limits, Dovecot mail_max_userip_connections)', () => {
  it('says BYE to a connection past the unauthenticated cap, and admits one after a login', async () => {
    const caps = { ...DEFAULT_SESSION_LIMITS };
    const connect = await server(new ConnectionCensus(caps));
    const open = [];
    for (let i = 0; i < caps.maxUnauthenticatedPerIp; i++) {
      const { client, greeting } = await connect();
      expect(greeting).toMatch(/^\* OK \[CAPABILITY /);
      open.push(client);
    }
    const refused = await connect();
    expect(refused.greeting).toBe(BYE);
    await refused.client.waitClosed();
    // Another address is not concerned.
    expect((await connect('192.0.2.2')).greeting).toMatch(/^\* OK /);
    // A login frees an unauthenticated place.
    expect(await open[0]!.command('a LOGIN alice@example.com wonderland')).toMatch(/^a OK/);
    expect((await connect()).greeting).toMatch(/^\* OK /);
    expect((await connect()).greeting).toBe(BYE);
    // So does a disconnect.
    open[1]!.session.disconnected();
    expect((await connect()).greeting).toMatch(/^\* OK /);
  });

  it('caps all connections from an address, logged in or not', async () => {
    const census = new ConnectionCensus({
      maxConnectionsPerIp: 3,
      maxUnauthenticatedPerIp: 0,
      maxSessionsPerUserIp: 0,
    });
    const connect = await server(census);
    for (let i = 0; i < 3; i++) {
      const { client } = await connect();
      expect(await client.command('a LOGIN alice@example.com wonderland')).toMatch(/^a OK/);
    }
    expect((await connect()).greeting).toBe(BYE);
    expect(census.connections('192.0.2.1')).toBe(3);
  });

  it('does not apply the per-address caps to exempt addresses', async () => {
    const census = new ConnectionCensus(
      { maxConnectionsPerIp: 1, maxUnauthenticatedPerIp: 1, maxSessionsPerUserIp: 0 },
      (ip) => ip === '10.0.0.1',
    );
    const connect = await server(census);
    for (let i = 0; i < 100; i++) expect((await connect('10.0.0.1')).greeting).toMatch(/^\* OK /);
    expect((await connect('192.0.2.1')).greeting).toMatch(/^\* OK /);
    expect((await connect('192.0.2.1')).greeting).toBe(BYE);
  });

  it('refuses a login past the sessions of a user from one address with NO [LIMIT]', async () => {
    const caps = { ...DEFAULT_SESSION_LIMITS, maxUnauthenticatedPerIp: 0, maxConnectionsPerIp: 0 };
    const census = new ConnectionCensus(caps);
    const connect = await server(census);
    const sessions = [];
    for (let i = 0; i < caps.maxSessionsPerUserIp; i++) {
      const { client } = await connect();
      expect(await client.command('a LOGIN alice@example.com wonderland')).toMatch(/^a OK/);
      sessions.push(client);
    }
    const { client: extra } = await connect();
    expect(await extra.command('a LOGIN alice@example.com wonderland')).toBe(
      'a NO [LIMIT] Maximum number of connections from user+IP exceeded\r\n',
    );
    expect(
      await extra.command('b AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHdvbmRlcmxhbmQ='),
    ).toBe('b NO [LIMIT] Maximum number of connections from user+IP exceeded\r\n');
    // Still not logged in; another user, or the same user from elsewhere, may log in.
    expect(await extra.command('c SELECT INBOX')).toBe('c BAD Please log in first\r\n');
    expect(await extra.command('d LOGIN bob@example.com builder')).toMatch(/^d OK/);
    const { client: elsewhere } = await connect('192.0.2.9');
    expect(await elsewhere.command('a LOGIN alice@example.com wonderland')).toMatch(/^a OK/);
    // UNAUTHENTICATE and disconnects give places back.
    expect(await sessions[0]!.command('u UNAUTHENTICATE')).toBe('u OK Unauthenticated\r\n');
    sessions[1]!.session.disconnected();
    expect(census.sessions(ALICE, '192.0.2.1')).toBe(caps.maxSessionsPerUserIp - 2);
    const { client: again } = await connect();
    expect(await again.command('a LOGIN alice@example.com wonderland')).toMatch(/^a OK/);
  });
});
