/**
 * The RFCs' own example exchanges, reproduced byte for byte by injecting the server's nonces and
 * salts.
 */
import { describe, expect, it } from 'vitest';
import {
  CRAM_MD5,
  DIGEST_MD5,
  OAUTHBEARER,
  PLAIN,
  SaslSession,
  type SaslContext,
  type SaslMechanism,
  XOAUTH2,
  scram,
} from '../src/index.js';
import { bytes, memoryCredentials, text } from './credentials-fixture.js';

function session(mechanism: SaslMechanism, overrides: Partial<SaslContext> = {}): SaslSession {
  const context: SaslContext = {
    credentials: memoryCredentials({
      tim: 'tanstaaftanstaaf',
      kurt: 'xipj3plmq',
      chris: 'secret',
      user: 'pencil',
    }),
    secure: true,
    hostname: 'postoffice.reston.mci.net',
    service: 'imap',
    nonce: () => 'unused',
    now: () => 0,
    plusOffered: false,
    ...overrides,
  };
  return new SaslSession(mechanism, context);
}

describe('PLAIN (RFC 4616 section 4)', () => {
  it('authenticates tim with his password', async () => {
    const step = await session(PLAIN).start(bytes('\0tim\0tanstaaftanstaaf'));
    expect(step).toMatchObject({
      type: 'success',
      identity: { authenticationId: 'tim', authorizationId: 'tim', user: 'tim@example.com' },
    });
  });

  it('lets Kurt act as Ursel only when he may', async () => {
    expect(await session(PLAIN).start(bytes('Ursel\0Kurt\0xipj3plmq'))).toMatchObject({
      type: 'failure',
      reason: 'authorization-denied',
    });
    const credentials = memoryCredentials(
      { kurt: 'xipj3plmq' },
      { delegates: { 'kurt@example.com': ['Ursel'] } },
    );
    expect(
      await session(PLAIN, { credentials }).start(bytes('Ursel\0Kurt\0xipj3plmq')),
    ).toMatchObject({
      type: 'success',
      identity: { authenticationId: 'Kurt', authorizationId: 'Ursel', user: 'kurt@example.com' },
    });
  });
});

describe('CRAM-MD5 (RFC 2195 section 2)', () => {
  it('sends the RFC’s challenge and accepts its response', async () => {
    const cram = session(CRAM_MD5, { nonce: () => '1896', now: () => 697170952_000 });
    const challenge = await cram.start();
    expect(challenge).toEqual({
      type: 'challenge',
      challenge: bytes('<1896.697170952@postoffice.reston.mci.net>'),
    });
    expect(await cram.step(bytes('tim b913a602c7eda7a495b4e6e7334d3890'))).toMatchObject({
      type: 'success',
      identity: { user: 'tim@example.com' },
    });
  });
});

describe('DIGEST-MD5 (RFC 2831 section 4)', () => {
  it('accepts chris’s response and proves itself with the RFC’s rspauth', async () => {
    const digest = session(DIGEST_MD5, {
      hostname: 'elwood.innosoft.com',
      nonce: () => 'OA6MG9tEQGm2hh',
    });
    const challenge = await digest.start();
    expect(text((challenge as { challenge: Uint8Array }).challenge)).toBe(
      'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess',
    );
    const response =
      'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,' +
      'cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",' +
      'response=d388dad90d4bbd760a152321f2143af7,qop=auth';
    expect(await digest.step(bytes(response))).toEqual({
      type: 'challenge',
      challenge: bytes('rspauth=ea40f60335c427b5527b84dbabcdfffd'),
    });
    expect(await digest.step(new Uint8Array(0))).toMatchObject({
      type: 'success',
      identity: { user: 'chris@example.com' },
    });
  });
});

describe('SCRAM-SHA-1 (RFC 5802 section 5)', () => {
  it('reproduces the RFC’s exchange for user / pencil', async () => {
    const credentials = memoryCredentials(
      { user: 'pencil' },
      { salts: { 'SHA-1': Buffer.from('QSXCR+Q6sek8bf92', 'base64') } },
    );
    const exchange = session(scram('SHA-1', false), {
      credentials,
      nonce: () => '3rfcNHYJY1ZVvWVs7j',
    });
    expect(await exchange.start(bytes('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'))).toEqual({
      type: 'challenge',
      challenge: bytes('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'),
    });
    const final = await exchange.step(
      bytes('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='),
    );
    expect(final).toMatchObject({
      type: 'success',
      identity: { authenticationId: 'user', user: 'user@example.com' },
    });
    expect(text((final as { additionalData: Uint8Array }).additionalData)).toBe(
      'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
    );
  });
});

describe('SCRAM-SHA-256 (RFC 7677 section 3)', () => {
  it('reproduces the RFC’s exchange for user / pencil', async () => {
    const credentials = memoryCredentials(
      { user: 'pencil' },
      { salts: { 'SHA-256': Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64') } },
    );
    const exchange = session(scram('SHA-256', false), {
      credentials,
      nonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    });
    expect(await exchange.start(bytes('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'))).toEqual({
      type: 'challenge',
      challenge: bytes(
        'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
      ),
    });
    const final = await exchange.step(
      bytes(
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    );
    expect(text((final as { additionalData: Uint8Array }).additionalData)).toBe(
      'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });
});

describe('OAUTHBEARER (RFC 7628 section 4)', () => {
  const tokens = { 'vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==': 'user@example.com' };

  it('accepts a good token (4.1)', async () => {
    const credentials = memoryCredentials({}, { tokens });
    const message =
      'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01';
    expect(await session(OAUTHBEARER, { credentials }).start(bytes(message))).toMatchObject({
      type: 'success',
      identity: { user: 'user@example.com', authorizationId: 'user@example.com' },
    });
  });

  it('answers a bad token with the JSON error, then fails after the client’s 0x01 (4.3)', async () => {
    const credentials = memoryCredentials({}, { tokens });
    const exchange = session(OAUTHBEARER, { credentials });
    const step = await exchange.start(
      bytes(
        'n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCh==\x01\x01',
      ),
    );
    expect(JSON.parse(text((step as { challenge: Uint8Array }).challenge))).toEqual({
      status: 'invalid_token',
      scope: 'example_scope',
      'openid-configuration': 'https://example.com/.well-known/openid-configuration',
    });
    expect(await exchange.step(Uint8Array.of(1))).toMatchObject({
      type: 'failure',
      reason: 'invalid-credentials',
    });
  });
});

describe('XOAUTH2', () => {
  it('accepts Google’s format with a good token, for the token’s user', async () => {
    const credentials = memoryCredentials(
      {},
      { tokens: { 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg': 'someuser@example.com' } },
    );
    const message =
      'user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01';
    expect(await session(XOAUTH2, { credentials }).start(bytes(message))).toMatchObject({
      type: 'success',
      identity: { user: 'someuser@example.com' },
    });
  });

  it('refuses a token of another user', async () => {
    const credentials = memoryCredentials({}, { tokens: { tok: 'other@example.com' } });
    const message = 'user=someuser@example.com\x01auth=Bearer tok\x01\x01';
    expect(await session(XOAUTH2, { credentials }).start(bytes(message))).toMatchObject({
      type: 'failure',
      reason: 'authorization-denied',
    });
  });
});
