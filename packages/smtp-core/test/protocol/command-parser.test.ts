import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/protocol/command-parser.js';

const FUZZ_RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

const code = (line: string) => {
  const command = parseCommand(line);
  return command.verb === 'error' ? command.reply.code : command.verb;
};

describe('parseCommand', () => {
  it('reads verbs case-insensitively', () => {
    expect(parseCommand('ehlo client.example')).toEqual({ verb: 'EHLO', domain: 'client.example' });
    expect(parseCommand('HeLo [192.0.2.1]')).toEqual({ verb: 'HELO', domain: '[192.0.2.1]' });
    expect(parseCommand('quit')).toEqual({ verb: 'QUIT' });
    expect(parseCommand('FOO bar')).toEqual({ verb: 'unknown', name: 'FOO' });
  });

  it('reads MAIL FROM with every parameter it knows', () => {
    expect(
      parseCommand(
        'MAIL FROM:<a@example.com> SIZE=1000 BODY=8bitmime SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=a+2Bb@example.com REQUIRETLS',
      ),
    ).toEqual({
      verb: 'MAIL',
      address: 'a@example.com',
      nonAscii: false,
      parameters: {
        size: 1000,
        body: '8BITMIME',
        smtpUtf8: true,
        ret: 'HDRS',
        envelopeId: 'QQ+1',
        auth: 'a+b@example.com',
        requireTls: true,
      },
    });
    expect(parseCommand('MAIL FROM:<>')).toMatchObject({ verb: 'MAIL', address: '' });
    expect(parseCommand('mail from: <a@b.example>')).toMatchObject({
      verb: 'MAIL',
      address: 'a@b.example',
    });
    expect(parseCommand('MAIL FROM:<> AUTH=<>')).toMatchObject({ parameters: { auth: '' } });
  });

  it('reads RCPT TO with DSN parameters, and the bare Postmaster', () => {
    expect(
      parseCommand('RCPT TO:<b@example.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b+2Bx@example.com'),
    ).toEqual({
      verb: 'RCPT',
      address: 'b@example.com',
      nonAscii: false,
      parameters: { notify: ['SUCCESS', 'DELAY'], originalRecipient: 'rfc822;b+x@example.com' },
    });
    expect(parseCommand('RCPT TO:<b@example.com> NOTIFY=NEVER')).toMatchObject({
      parameters: { notify: 'NEVER' },
    });
    expect(parseCommand('RCPT TO:<Postmaster>')).toMatchObject({
      verb: 'RCPT',
      address: 'postmaster',
    });
    expect(code('RCPT TO:<b@example.com> NOTIFY=NEVER,SUCCESS')).toBe(501);
    expect(code('RCPT TO:<b@example.com> NOTIFY=SUCCESS,SUCCESS')).toBe(501);
    expect(code('RCPT TO:<b@example.com> ORCPT=nosemicolon')).toBe(501);
  });

  it('drops source routes (RFC 5321 4.1.1.3)', () => {
    expect(parseCommand('RCPT TO:<@relay.example,@other.example:user@example.com>')).toMatchObject({
      address: 'user@example.com',
    });
    expect(code('RCPT TO:<@relay.example user@example.com>')).toBe(501);
  });

  it('keeps relay tricks as the plain, unknown local parts they are, or refuses them', () => {
    // The percent hack, bang paths and quoted @ are local parts at the last domain: never a route.
    expect(parseCommand('RCPT TO:<victim%remote.example@local.example>')).toMatchObject({
      address: 'victim%remote.example@local.example',
    });
    expect(parseCommand('RCPT TO:<remote.example!victim@local.example>')).toMatchObject({
      address: 'remote.example!victim@local.example',
    });
    expect(parseCommand('RCPT TO:<"victim@remote.example"@local.example>')).toMatchObject({
      address: '"victim@remote.example"@local.example',
    });
    // Two @, trailing dots, empty labels and unterminated quotes are not addresses at all.
    for (const bad of [
      'victim@remote.example@local.example',
      'victim@local.example.',
      'victim@local..example',
      'victim.@local.example',
      '"victim@local.example',
      'victim@',
      '@local.example',
      'victim',
      'vic tim@local.example',
      'victim@[300.1.1.1]',
      'victim@[IPv6:::1::2]',
    ]) {
      expect(code(`RCPT TO:<${bad}>`), bad).toBe(501);
    }
    expect(parseCommand('RCPT TO:<victim@[192.0.2.1]>')).toMatchObject({
      address: 'victim@[192.0.2.1]',
    });
    expect(parseCommand('RCPT TO:<victim@[IPv6:2001:db8::1]>')).toMatchObject({
      address: 'victim@[IPv6:2001:db8::1]',
    });
  });

  it('enforces the RFC 5321 4.5.3.1 sizes of local part and domain', () => {
    expect(code(`RCPT TO:<${'a'.repeat(64)}@example.com>`)).toBe('RCPT');
    expect(code(`RCPT TO:<${'a'.repeat(65)}@example.com>`)).toBe(501);
    expect(code(`RCPT TO:<a@${'b'.repeat(64)}.com>`)).toBe(501);
  });

  it('marks non-ASCII addresses (they need SMTPUTF8)', () => {
    expect(parseCommand('RCPT TO:<jöran@bücher.example>')).toMatchObject({
      nonAscii: true,
      address: 'jöran@bücher.example',
    });
  });

  it('refuses unknown, repeated and malformed parameters', () => {
    expect(code('MAIL FROM:<a@b.example> FOO=1')).toBe(555);
    expect(code('MAIL FROM:<a@b.example> SIZE=1 SIZE=2')).toBe(501);
    expect(code('MAIL FROM:<a@b.example> SIZE=big')).toBe(501);
    expect(code('MAIL FROM:<a@b.example>SIZE=1')).toBe(501);
    expect(code('MAIL FROM:<a@b.example> BODY=9BIT')).toBe(501);
    expect(code('MAIL FROM:<a@b.example> ENVID=a=b')).toBe(501);
    expect(code('MAIL FROM:<a@b.example> ENVID=+zz')).toBe(501);
    expect(code('MAIL FROM:a@b.example')).toBe(501);
    expect(code('MAIL TO:<a@b.example>')).toBe(501);
  });

  it('reads AUTH, BDAT, ETRN, VRFY and the argument rules of the rest', () => {
    expect(parseCommand('AUTH plain AGFsaWNlAHNlY3JldA==')).toEqual({
      verb: 'AUTH',
      mechanism: 'PLAIN',
      initialResponse: 'AGFsaWNlAHNlY3JldA==',
    });
    expect(parseCommand('AUTH LOGIN')).toEqual({ verb: 'AUTH', mechanism: 'LOGIN' });
    expect(parseCommand('BDAT 100 LAST')).toEqual({ verb: 'BDAT', size: 100, last: true });
    expect(parseCommand('BDAT 0')).toEqual({ verb: 'BDAT', size: 0, last: false });
    expect(code('BDAT -1')).toBe(501);
    expect(parseCommand('ETRN @example.com')).toEqual({ verb: 'ETRN', node: '@example.com' });
    expect(parseCommand('ETRN #queue1')).toEqual({ verb: 'ETRN', node: '#queue1' });
    expect(code('ETRN')).toBe(501);
    expect(parseCommand('VRFY alice')).toEqual({ verb: 'VRFY', argument: 'alice' });
    expect(code('DATA now')).toBe(501);
    expect(code('NOOP anything')).toBe('NOOP');
    expect(code('EHLO')).toBe(501);
    expect(code('NOOP \0')).toBe(501);
  });

  it('property: any line gives a command or a reply, never an exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc
            .constantFrom('MAIL FROM:', 'RCPT TO:', 'EHLO ', 'AUTH ', 'BDAT ', 'ETRN ')
            .chain((verb) => fc.string({ maxLength: 200 }).map((rest) => verb + rest)),
        ),
        (line) => {
          const command = parseCommand(line);
          expect(typeof command.verb).toBe('string');
          if (command.verb === 'error') expect(command.reply.code).toBeGreaterThanOrEqual(500);
        },
      ),
      { seed: 99, numRuns: FUZZ_RUNS * 5 },
    );
  });
});
