/**
 * Whatever a client sends, a mechanism answers with a typed step: these are the ways clients
 * (and attackers) get it wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALL_MECHANISMS,
  CRAM_MD5,
  DIGEST_MD5,
  EXTERNAL,
  LOGIN,
  OAUTHBEARER,
  PLAIN,
  SaslSession,
  type SaslContext,
  type SaslMechanism,
  type SaslStep,
  XOAUTH2,
  scram,
} from '../src/index.js';
import { bytes, memoryCredentials } from './credentials-fixture.js';

const baseContext: SaslContext = {
  credentials: memoryCredentials(
    { tim: 'tanstaaftanstaaf', user: 'pencil' },
    { tokens: { good: 'tim@example.com' } },
  ),
  secure: true,
  hostname: 'mail.example.com',
  service: 'imap',
  nonce: () => 'servernonce',
  now: () => 1_700_000_000_000,
  plusOffered: false,
};
const session = (mechanism: SaslMechanism, context: Partial<SaslContext> = {}) =>
  new SaslSession(mechanism, { ...baseContext, ...context });
const reason = (step: SaslStep) => (step.type === 'failure' ? step.reason : step.type);

describe('PLAIN', () => {
  it.each([
    ['no NULs', 'timtanstaaf'],
    ['one NUL', 'tim\0tanstaaftanstaaf'],
    ['too many NULs', '\0tim\0tanstaaftanstaaf\0'],
    ['an empty authcid', 'x\0\0tanstaaftanstaaf'],
  ])('refuses %s as malformed', async (_, message) => {
    expect(reason(await session(PLAIN).start(bytes(message)))).toBe('malformed');
  });

  it('refuses parts over 255 octets and bytes that are not UTF-8', async () => {
    expect(reason(await session(PLAIN).start(bytes(`\0${'a'.repeat(256)}\0x`)))).toBe('malformed');
    expect(reason(await session(PLAIN).start(Buffer.from([0, 0xff, 0xfe, 0, 0x41])))).toBe(
      'malformed',
    );
  });

  it('refuses a wrong password as invalid credentials, naming the authcid for the log', async () => {
    expect(await session(PLAIN).start(bytes('\0tim\0wrong'))).toMatchObject({
      type: 'failure',
      reason: 'invalid-credentials',
      authenticationId: 'tim',
    });
  });

  it('asks for the credentials with an empty challenge when there is no initial response', async () => {
    const plain = session(PLAIN);
    expect(await plain.start()).toEqual({ type: 'challenge', challenge: new Uint8Array(0) });
    expect(reason(await plain.step(bytes('\0tim\0tanstaaftanstaaf')))).toBe('success');
  });

  it('is refused without TLS unless plaintext is allowed', async () => {
    expect(
      reason(await session(PLAIN, { secure: false }).start(bytes('\0tim\0tanstaaftanstaaf'))),
    ).toBe('encryption-required');
    const allowed = new SaslSession(PLAIN, { ...baseContext, secure: false }, true);
    expect(reason(await allowed.start(bytes('\0tim\0tanstaaftanstaaf')))).toBe('success');
  });
});

describe('LOGIN', () => {
  it('asks Username: and Password:, or takes the username as initial response', async () => {
    const asked = session(LOGIN);
    const first = await asked.start();
    expect(first).toEqual({ type: 'challenge', challenge: bytes('Username:') });
    expect(await asked.step(bytes('tim'))).toEqual({
      type: 'challenge',
      challenge: bytes('Password:'),
    });
    expect(reason(await asked.step(bytes('tanstaaftanstaaf')))).toBe('success');
    const initial = session(LOGIN);
    expect(await initial.start(bytes('tim'))).toEqual({
      type: 'challenge',
      challenge: bytes('Password:'),
    });
    expect(reason(await initial.step(bytes('wrong')))).toBe('invalid-credentials');
  });

  it('refuses an empty username and NULs', async () => {
    expect(reason(await session(LOGIN).start(new Uint8Array(0)))).toBe('malformed');
    const login = session(LOGIN);
    await login.start(bytes('tim'));
    expect(reason(await login.step(bytes('a\0b')))).toBe('malformed');
  });
});

describe('CRAM-MD5', () => {
  it.each([
    ['no space', 'timb913a602c7eda7a495b4e6e7334d3890'],
    ['a short digest', 'tim b913a602'],
    ['upper-case hex', 'tim B913A602C7EDA7A495B4E6E7334D3890'],
    ['nothing', ''],
  ])('refuses %s as malformed', async (_, response) => {
    const cram = session(CRAM_MD5);
    await cram.start();
    expect(reason(await cram.step(bytes(response)))).toBe('malformed');
  });

  it('refuses an initial response: the server speaks first (RFC 4954 4, RFC 5034 4)', async () => {
    for (const mechanism of [CRAM_MD5, DIGEST_MD5]) {
      expect(
        reason(await session(mechanism).start(bytes('tim b913a602c7eda7a495b4e6e7334d3890'))),
      ).toBe('malformed');
      expect(reason(await session(mechanism).start(new Uint8Array(0)))).toBe('malformed');
      expect(reason(await session(mechanism).start())).toBe('challenge');
    }
  });

  it('refuses a digest made for another challenge (a replay)', async () => {
    const cram = session(CRAM_MD5);
    await cram.start();
    expect(reason(await cram.step(bytes('tim b913a602c7eda7a495b4e6e7334d3890')))).toBe(
      'invalid-credentials',
    );
  });

  it('refuses an unknown user like a wrong digest', async () => {
    const cram = session(CRAM_MD5);
    await cram.start();
    expect(reason(await cram.step(bytes('nobody b913a602c7eda7a495b4e6e7334d3890')))).toBe(
      'invalid-credentials',
    );
  });
});

describe('DIGEST-MD5', () => {
  const good = (overrides: Record<string, string>) => {
    const fields: Record<string, string> = {
      username: '"tim"',
      realm: '"mail.example.com"',
      nonce: '"servernonce"',
      nc: '00000001',
      cnonce: '"abc"',
      'digest-uri': '"imap/mail.example.com"',
      response: '0123456789abcdef0123456789abcdef',
      qop: 'auth',
      ...overrides,
    };
    return bytes(
      Object.entries(fields)
        .filter(([, v]) => v !== '')
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    );
  };
  const respond = async (response: Uint8Array) => {
    const digest = session(DIGEST_MD5);
    await digest.start();
    return reason(await digest.step(response));
  };

  it.each([
    ['another nonce (replay)', { nonce: '"stolen"' }],
    ['a second use of the nonce', { nc: '00000002' }],
    ['an integrity layer', { qop: 'auth-int' }],
    ['another realm', { realm: '"evil.example"' }],
    ['another service', { 'digest-uri': '"smtp/mail.example.com"' }],
    ['another host', { 'digest-uri': '"imap/evil.example"' }],
    ['no cnonce', { cnonce: '' }],
    ['no username', { username: '' }],
    ['a non-hex response', { response: 'zz' }],
  ])('refuses %s as malformed', async (_, overrides) => {
    expect(await respond(good(overrides))).toBe('malformed');
  });

  it('refuses a repeated directive and garbage', async () => {
    expect(await respond(bytes('username="a",username="b"'))).toBe('malformed');
    expect(await respond(bytes('=,=,"'))).toBe('malformed');
  });

  it('refuses a well-formed response with the wrong digest', async () => {
    expect(await respond(good({}))).toBe('invalid-credentials');
  });
});

describe('SCRAM', () => {
  const sha256 = scram('SHA-256', false);
  const plus = scram('SHA-256', true);
  const binding = { type: 'tls-exporter' as const, data: Buffer.from('exported keying material') };

  it.each([
    ['no GS2 header', 'n=user,r=abc'],
    ['an unknown GS2 flag', 'x,,n=user,r=abc'],
    ['no nonce', 'n,,n=user'],
    ['a bad saslname escape', 'n,,n=us=er,r=abc'],
    ['a mandatory extension', 'n,,m=ext,n=user,r=abc'],
    ['an empty username', 'n,,n=,r=abc'],
    ['a comma in the nonce', 'n,,n=user,r=a,b'],
  ])('refuses a client-first message with %s', async (_, message) => {
    expect(reason(await session(sha256).start(bytes(message)))).toBe('malformed');
  });

  it('refuses a nonce that does not start with the client’s, and a wrong proof', async () => {
    let exchange = session(sha256);
    await exchange.start(bytes('n,,n=user,r=clientnonce'));
    expect(reason(await exchange.step(bytes('c=biws,r=othernonceservernonce,p=AAAA')))).toBe(
      'malformed',
    );
    exchange = session(sha256);
    await exchange.start(bytes('n,,n=user,r=clientnonce'));
    const proof = Buffer.alloc(32).toString('base64');
    expect(reason(await exchange.step(bytes(`c=biws,r=clientnonceservernonce,p=${proof}`)))).toBe(
      'invalid-credentials',
    );
  });

  it('answers an unknown user with a challenge, and fails only at the proof', async () => {
    const exchange = session(sha256);
    expect((await exchange.start(bytes('n,,n=nobody,r=clientnonce'))).type).toBe('challenge');
    const proof = Buffer.alloc(32).toString('base64');
    expect(reason(await exchange.step(bytes(`c=biws,r=clientnonceservernonce,p=${proof}`)))).toBe(
      'invalid-credentials',
    );
  });

  it('refuses a client that could bind but did not while PLUS was offered (downgrade)', async () => {
    expect(
      reason(
        await session(sha256, { plusOffered: true, channelBinding: binding }).start(
          bytes('y,,n=user,r=abc'),
        ),
      ),
    ).toBe('channel-binding');
    expect(reason(await session(sha256).start(bytes('y,,n=user,r=abc')))).toBe('challenge');
  });

  it('refuses channel binding asked of a mechanism without PLUS, and PLUS without binding', async () => {
    expect(
      reason(
        await session(sha256, { channelBinding: binding }).start(
          bytes('p=tls-exporter,,n=user,r=abc'),
        ),
      ),
    ).toBe('channel-binding');
    expect(
      reason(await session(plus, { channelBinding: binding }).start(bytes('n,,n=user,r=abc'))),
    ).toBe('channel-binding');
    expect(
      reason(
        await session(plus, { channelBinding: binding }).start(bytes('p=tls-unique,,n=user,r=abc')),
      ),
    ).toBe('channel-binding');
  });

  it('refuses channel-binding data that does not match the connection’s', async () => {
    const exchange = session(plus, { channelBinding: binding });
    await exchange.start(bytes('p=tls-exporter,,n=user,r=abc'));
    const wrong = Buffer.concat([
      Buffer.from('p=tls-exporter,,'),
      Buffer.from('other channel'),
    ]).toString('base64');
    expect(
      reason(
        await exchange.step(
          bytes(`c=${wrong},r=abcservernonce,p=${Buffer.alloc(32).toString('base64')}`),
        ),
      ),
    ).toBe('channel-binding');
  });

  it('is not offered without SCRAM credentials in the store', async () => {
    const credentials = { verifyPassword: baseContext.credentials.verifyPassword };
    expect(reason(await session(sha256, { credentials }).start(bytes('n,,n=user,r=abc')))).toBe(
      'unavailable',
    );
  });
});

describe('OAUTHBEARER and XOAUTH2', () => {
  it('refuse messages without a bearer token or with a broken layout', async () => {
    for (const message of [
      'n,,\x01auth=Basic abc\x01\x01',
      'n,a=x,\x01auth=Bearer good',
      'p=tls-unique,,\x01auth=Bearer good\x01\x01',
      '',
    ]) {
      expect(reason(await session(OAUTHBEARER).start(bytes(message)))).toBe('malformed');
    }
    for (const message of [
      'user=tim\x01\x01',
      'auth=Bearer good\x01\x01',
      'user=tim\x01auth=Bearer good',
    ]) {
      expect(reason(await session(XOAUTH2).start(bytes(message)))).toBe('malformed');
    }
  });

  it('fails OAUTHBEARER when the client does not acknowledge the error with 0x01', async () => {
    const exchange = session(OAUTHBEARER);
    await exchange.start(bytes('n,,\x01auth=Bearer bad\x01\x01'));
    expect(reason(await exchange.step(bytes('again')))).toBe('malformed');
  });
});

describe('EXTERNAL', () => {
  it('is unavailable without a transport identity, and authenticates with one', async () => {
    expect(reason(await session(EXTERNAL).start(new Uint8Array(0)))).toBe('unavailable');
    expect(
      await session(EXTERNAL, { externalIdentity: 'tim' }).start(new Uint8Array(0)),
    ).toMatchObject({
      type: 'success',
      identity: { user: 'tim@example.com', authorizationId: 'tim' },
    });
    expect(
      reason(await session(EXTERNAL, { externalIdentity: 'tim' }).start(bytes('someone-else'))),
    ).toBe('authorization-denied');
  });
});

describe('every mechanism', () => {
  it('refuses steps after the end, and a second start', async () => {
    for (const mechanism of ALL_MECHANISMS) {
      const s = session(mechanism, {
        channelBinding: { type: 'tls-exporter', data: Buffer.from('x') },
        externalIdentity: 'tim',
      });
      await s.start(bytes('garbage'));
      while (!s.done) await s.step(bytes('more garbage'));
      expect(reason(await s.step(bytes('after the end')))).toBe('malformed');
      expect(reason(await s.start())).toBe('malformed');
    }
  });

  it('stops at a cancel', async () => {
    const login = session(LOGIN);
    await login.start();
    expect(login.cancel()).toMatchObject({ type: 'failure', reason: 'cancelled' });
    expect(reason(await login.step(bytes('tim')))).toBe('malformed');
  });

  it('reports a failing credential lookup as temporary, not as wrong credentials', async () => {
    const credentials = memoryCredentials({ tim: 'x' }, { failLookups: true });
    expect(reason(await session(PLAIN, { credentials }).start(bytes('\0tim\0x')))).toBe(
      'temporary',
    );
  });

  it('never throws on random input, and always ends in a typed step', async () => {
    const mechanisms = ALL_MECHANISMS;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: mechanisms.length - 1 }),
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }),
        async (which, messages) => {
          const s = session(mechanisms[which]!, {
            channelBinding: { type: 'tls-exporter', data: Buffer.from('cb') },
            externalIdentity: 'tim',
            plusOffered: true,
          });
          let step = await s.start(messages[0]!);
          for (const message of messages.slice(1)) {
            if (step.type !== 'challenge') break;
            step = await s.step(message);
          }
          expect(['challenge', 'success', 'failure']).toContain(step.type);
        },
      ),
      { seed: 42, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 200) * 3 },
    );
  });
});
