import { createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SaslServer, decodeSaslBase64, deriveScramCredentials, saslPrep } from '../src/index.js';
import { memoryCredentials } from './credentials-fixture.js';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const server = (options: Partial<ConstructorParameters<typeof SaslServer>[0]> = {}) =>
  new SaslServer({
    credentials: memoryCredentials({ tim: 'tanstaaftanstaaf', user: 'pencil' }),
    hostname: 'mail.example.com',
    service: 'imap',
    nonce: () => 'servernonce',
    ...options,
  });

describe('advertising', () => {
  it('offers the strongest mechanisms first, and plaintext ones only over TLS', () => {
    expect(server().advertise({ secure: false })).toEqual([
      'SCRAM-SHA-256',
      'SCRAM-SHA-1',
      'CRAM-MD5',
      'DIGEST-MD5',
    ]);
    expect(server().advertise({ secure: true })).toEqual([
      'SCRAM-SHA-256',
      'SCRAM-SHA-1',
      'OAUTHBEARER',
      'XOAUTH2',
      'CRAM-MD5',
      'DIGEST-MD5',
      'LOGIN',
      'PLAIN',
    ]);
  });

  it('offers the PLUS variants only with channel binding, and EXTERNAL only with an identity', () => {
    const names = server().advertise({
      secure: true,
      channelBinding: { type: 'tls-exporter', data: Buffer.from('x') },
      externalIdentity: 'tim',
    });
    expect(names.slice(0, 5)).toEqual([
      'SCRAM-SHA-256-PLUS',
      'SCRAM-SHA-256',
      'SCRAM-SHA-1-PLUS',
      'SCRAM-SHA-1',
      'EXTERNAL',
    ]);
  });

  it('offers only the configured mechanisms, in the configured order (Kerio’s list)', () => {
    const kerio = server({
      mechanisms: ['CRAM-MD5', 'DIGEST-MD5', 'LOGIN', 'PLAIN'],
      allowPlaintext: true,
    });
    expect(kerio.advertise({ secure: false })).toEqual([
      'CRAM-MD5',
      'DIGEST-MD5',
      'LOGIN',
      'PLAIN',
    ]);
  });

  it('does not offer what the credentials cannot serve', () => {
    const onlyPasswords = server({ credentials: { verifyPassword: async () => null } });
    expect(onlyPasswords.advertise({ secure: true })).toEqual(['LOGIN', 'PLAIN']);
  });

  it('starts nothing for unknown or disabled mechanisms, and matches names case-insensitively', () => {
    expect(server().start('GSSAPI', { secure: true })).toBeNull();
    expect(server({ mechanisms: ['PLAIN'] }).start('LOGIN', { secure: true })).toBeNull();
    expect(server().start('plain', { secure: true })).not.toBeNull();
  });
});

describe('the base64 wire', () => {
  it('takes an initial response, "=" for an empty one, and "*" to cancel', async () => {
    const plain = server().start('PLAIN', { secure: true })!;
    expect(await plain.start(b64('\0tim\0tanstaaftanstaaf'))).toMatchObject({ type: 'success' });
    const empty = server().start('PLAIN', { secure: true })!;
    expect(await empty.start('=')).toMatchObject({ type: 'failure', reason: 'malformed' });
    const cancelled = server().start('LOGIN', { secure: true })!;
    expect(await cancelled.start()).toEqual({ type: 'challenge', challenge: b64('Username:') });
    expect(await cancelled.respond('*')).toMatchObject({ type: 'failure', reason: 'cancelled' });
  });

  it('refuses bad base64 strictly', async () => {
    for (const bad of ['dGlt=', 'dGltAA', 'dG!t', 'dGlt AA==', ' dGlt']) {
      const login = server().start('LOGIN', { secure: true })!;
      await login.start();
      expect(await login.respond(bad)).toMatchObject({ type: 'failure', reason: 'malformed' });
    }
    expect(decodeSaslBase64('')?.length).toBe(0);
  });

  it('refuses responses over the size limit without decoding them', async () => {
    const login = server({ maxResponse: 100 }).start('LOGIN', { secure: true })!;
    await login.start();
    expect(await login.respond(b64('x'.repeat(101)))).toMatchObject({
      type: 'failure',
      reason: 'too-long',
    });
    const huge = server().start('PLAIN', { secure: true })!;
    expect(await huge.start('A'.repeat(10 * 1024 * 1024))).toMatchObject({
      type: 'failure',
      reason: 'too-long',
    });
  });

  it('sends SCRAM’s server signature as a last challenge, then succeeds on the empty answer', async () => {
    const scram = server().start('SCRAM-SHA-256', { secure: false })!;
    const serverFirst = await scram.start(b64('n,,n=user,r=clientnonce'));
    const final = clientFinal(
      'SHA-256',
      'pencil',
      'n,,n=user,r=clientnonce',
      Buffer.from((serverFirst as { challenge: string }).challenge, 'base64').toString(),
      Buffer.from('n,,'),
    );
    const signature = await scram.respond(b64(final));
    expect(signature.type).toBe('challenge');
    expect(
      Buffer.from((signature as { challenge: string }).challenge, 'base64').toString(),
    ).toMatch(/^v=/);
    expect(await scram.respond('')).toMatchObject({
      type: 'success',
      identity: { user: 'user@example.com' },
    });
  });

  it('can send SCRAM’s server signature with the success instead', async () => {
    const scram = server({ finalData: 'with-success' }).start('SCRAM-SHA-1', { secure: false })!;
    const serverFirst = await scram.start(b64('n,,n=user,r=abc'));
    const final = clientFinal(
      'SHA-1',
      'pencil',
      'n,,n=user,r=abc',
      Buffer.from((serverFirst as { challenge: string }).challenge, 'base64').toString(),
      Buffer.from('n,,'),
    );
    expect(await scram.respond(b64(final))).toMatchObject({
      type: 'success',
      additionalData: expect.any(String),
    });
  });

  it('binds SCRAM-SHA-256-PLUS to the TLS channel', async () => {
    const channelBinding = {
      type: 'tls-exporter' as const,
      data: Buffer.from('keying material of this connection'),
    };
    const plus = server().start('SCRAM-SHA-256-PLUS', { secure: true, channelBinding })!;
    const first = 'p=tls-exporter,,n=user,r=clientnonce';
    const serverFirst = await plus.start(b64(first));
    const header = Buffer.concat([Buffer.from('p=tls-exporter,,'), channelBinding.data]);
    const final = clientFinal(
      'SHA-256',
      'pencil',
      first,
      Buffer.from((serverFirst as { challenge: string }).challenge, 'base64').toString(),
      header,
    );
    expect((await plus.respond(b64(final))).type).toBe('challenge');
    expect(await plus.respond('')).toMatchObject({ type: 'success' });
  });
});

describe('SCRAM stored keys and SASLprep', () => {
  it('derives keys with a fresh salt and RFC 5802’s minimum iterations unless told otherwise', () => {
    const first = deriveScramCredentials('pencil', 'SHA-256');
    const second = deriveScramCredentials('pencil', 'SHA-256');
    expect(first.iterations).toBe(4096);
    expect(Buffer.from(first.salt)).not.toEqual(Buffer.from(second.salt));
    expect(first.storedKey).toHaveLength(32);
    expect(() => deriveScramCredentials('bell\u0007', 'SHA-1')).toThrow(RangeError);
  });

  it('normalises as RFC 4013 section 3 shows', () => {
    expect(saslPrep('I\u00ADX')).toBe('IX');
    expect(saslPrep('user')).toBe('user');
    expect(saslPrep('USER')).toBe('USER');
    expect(saslPrep('\u00AA')).toBe('a');
    expect(saslPrep('\u2168')).toBe('IX');
    expect(saslPrep('\u0007')).toBeNull();
    expect(saslPrep('\u0627\u0031')).toBeNull();
    expect(saslPrep('a\u00A0b')).toBe('a b');
  });
});

/** A SCRAM client-final message, computed the RFC 5802 way, for tests that play the client. */
function clientFinal(
  hash: 'SHA-1' | 'SHA-256',
  password: string,
  clientFirst: string,
  serverFirst: string,
  binding: Buffer,
): string {
  const algorithm = hash === 'SHA-1' ? 'sha1' : 'sha256';
  const attributes = Object.fromEntries(serverFirst.split(',').map((a) => [a[0], a.slice(2)]));
  const stored = deriveScramCredentials(password, hash, {
    salt: Buffer.from(attributes.s!, 'base64'),
    iterations: Number(attributes.i),
  });
  const bare = clientFirst.slice(
    clientFirst.indexOf('n=', clientFirst.indexOf(',', clientFirst.indexOf(',') + 1)),
  );
  const withoutProof = `c=${binding.toString('base64')},r=${attributes.r}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const signature = createHmac(algorithm, stored.storedKey).update(authMessage).digest();
  // ClientKey is not stored, so recover it the long way: from the salted password.
  const salted = pbkdf2Sync(
    password,
    Buffer.from(attributes.s!, 'base64'),
    Number(attributes.i),
    hash === 'SHA-1' ? 20 : 32,
    algorithm,
  );
  const clientKey = createHmac(algorithm, salted).update('Client Key').digest();
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
  return `${withoutProof},p=${proof.toString('base64')}`;
}
