import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clientMechanism } from '../../src/client/sasl-client.js';

describe('client SASL responses', () => {
  it('CRAM-MD5 answers the RFC 2195 example exactly', () => {
    const steps = clientMechanism('CRAM-MD5', { username: 'tim', password: 'tanstaaftanstaaf' })!;
    expect(steps.initialResponse).toBeNull();
    const challenge = Buffer.from('<1896.697170952@postoffice.reston.mci.net>');
    expect(Buffer.from(steps.respond(challenge, 0)!).toString()).toBe(
      'tim b913a602c7eda7a495b4e6e7334d3890',
    );
    expect(steps.respond(challenge, 1)).toBeNull();
  });

  it('PLAIN sends authzid NUL authcid NUL password as the initial response', () => {
    const steps = clientMechanism('PLAIN', { username: 'alice', password: 'wonder land' })!;
    expect(Buffer.from(steps.initialResponse!).toString()).toBe('\0alice\0wonder land');
  });

  it('LOGIN answers the user name, then the password, then nothing', () => {
    const steps = clientMechanism('LOGIN', { username: 'alice', password: 'pw' })!;
    expect(steps.initialResponse).toBeNull();
    expect(Buffer.from(steps.respond(Buffer.from('Username:'), 0)!).toString()).toBe('alice');
    expect(Buffer.from(steps.respond(Buffer.from('Password:'), 1)!).toString()).toBe('pw');
    expect(steps.respond(Buffer.from('?'), 2)).toBeNull();
  });

  it('XOAUTH2 sends the user and bearer token, and an empty line after an error challenge', () => {
    const steps = clientMechanism('XOAUTH2', { username: 'a@b.test', accessToken: 'ya29.token' })!;
    expect(Buffer.from(steps.initialResponse!).toString()).toBe(
      'user=a@b.test\x01auth=Bearer ya29.token\x01\x01',
    );
    expect(steps.respond(Buffer.from('{"status":"401"}'), 0)).toEqual(new Uint8Array(0));
  });

  it('has no steps for a mechanism that does not fit the credentials', () => {
    expect(clientMechanism('XOAUTH2', { username: 'a', password: 'b' })).toBeNull();
    expect(clientMechanism('PLAIN', { username: 'a', accessToken: 'b' })).toBeNull();
  });

  it('CRAM-MD5 is HMAC-MD5 over the raw challenge bytes', () => {
    const steps = clientMechanism('CRAM-MD5', { username: 'u', password: 'p' })!;
    const challenge = Uint8Array.of(0, 255, 10, 13);
    const expected = createHmac('md5', 'p').update(challenge).digest('hex');
    expect(Buffer.from(steps.respond(challenge, 0)!).toString()).toBe(`u ${expected}`);
  });
});
