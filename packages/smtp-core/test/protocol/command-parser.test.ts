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
    // RFC 3461 4.1 writes the list as `1#notify-list-element`: a word may repeat (Postfix agrees).
    expect(parseCommand('RCPT TO:<b@example.com> NOTIFY=SUCCESS,success')).toMatchObject({
      parameters: { notify: ['SUCCESS'] },
    });
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

  it('takes local parts and paths beyond the RFC 5321 4.5.3.1 minimums, but not names DNS cannot carry', () => {
    // 4.5.3.1: "implementation techniques that impose no limits ... should be used"; SRS and VERP
    // senders exceed 64 octets, and Postfix takes them.
    expect(code(`RCPT TO:<${'a'.repeat(64)}@example.com>`)).toBe('RCPT');
    expect(code(`RCPT TO:<${'a'.repeat(65)}@example.com>`)).toBe('RCPT');
    expect(
      code(`MAIL FROM:<SRS0=HHH=TT=${'d'.repeat(60)}.example=${'u'.repeat(40)}@b.example>`),
    ).toBe('MAIL');
    expect(
      code(`RCPT TO:<${'a'.repeat(100)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}>`),
    ).toBe('RCPT');
    expect(code(`RCPT TO:<a@${'b'.repeat(64)}.com>`)).toBe(501);
    expect(code(`RCPT TO:<a@${Array.from({ length: 5 }, () => 'b'.repeat(63)).join('.')}>`)).toBe(
      501,
    );
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
    // BODY's values grow with extensions (RFC 6152, 3030): one not implemented is 555, as Postfix.
    expect(code('MAIL FROM:<a@b.example> BODY=9BIT')).toBe(555);
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

  it('reads address literals as RFC 5321 4.1.3 writes them', () => {
    // Snum is 1*3DIGIT: leading zeros are allowed.
    expect(code('RCPT TO:<a@[192.000.002.001]>')).toBe('RCPT');
    expect(code('RCPT TO:<a@[192.0.2.256]>')).toBe(501);
    // `::` stands for at least two groups: at most 6 others, or 4 before an IPv4 tail.
    expect(code('RCPT TO:<a@[IPv6:1:2:3:4:5:6::]>')).toBe('RCPT');
    expect(code('RCPT TO:<a@[IPv6:1:2:3:4:5:6:7::]>')).toBe(501);
    expect(code('RCPT TO:<a@[IPv6:::1:2:3:4:5:6:7]>')).toBe(501);
    expect(code('RCPT TO:<a@[IPv6:1:2:3:4::192.0.2.1]>')).toBe('RCPT');
    expect(code('RCPT TO:<a@[IPv6:1:2:3:4:5::192.0.2.1]>')).toBe(501);
    expect(code('RCPT TO:<a@[IPv6:1:2:3:4:5:6:192.0.2.1]>')).toBe('RCPT');
  });

  it('refuses an address posing as a domain name (RFC 1123 2.1: the top label is not numeric)', () => {
    expect(code('RCPT TO:<a@192.0.2.1>')).toBe(501);
    expect(code('RCPT TO:<a@example.123>')).toBe(501);
    expect(code('RCPT TO:<a@123.example>')).toBe('RCPT');
    expect(code('EHLO 192.0.2.1')).toBe('EHLO'); // a client name is logged, not refused
  });

  it('takes UTF-8 of every plane in addresses (RFC 6532 UTF8-non-ascii)', () => {
    expect(parseCommand('RCPT TO:<😀@example.com>')).toMatchObject({ nonAscii: true });
    expect(parseCommand('RCPT TO:<"𝒜 b"@例え.テスト>')).toMatchObject({ nonAscii: true });
  });

  it('tells a missing address from a mangled one', () => {
    // Nothing after the colon is a malformed command (Postfix: 501 5.5.4 Syntax: ...).
    for (const line of ['MAIL FROM:', 'MAIL FROM:   ', 'RCPT TO:', 'RCPT TO: ']) {
      expect(parseCommand(line), line).toMatchObject({ reply: { code: 501, enhanced: '5.5.4' } });
    }
    // Text glued to the path is part of a bad address, not a parameter.
    expect(parseCommand('MAIL FROM:<a@b.example>x')).toMatchObject({
      reply: { code: 501, enhanced: '5.1.7' },
    });
    expect(parseCommand('RCPT TO:<b@example.com>>')).toMatchObject({
      reply: { code: 501, enhanced: '5.1.3' },
    });
  });

  it('reads BDAT sizes of any number of digits, and marks a size it cannot read as fatal', () => {
    expect(parseCommand('BDAT 000000000000000000000042 last')).toEqual({
      verb: 'BDAT',
      size: 42,
      last: true,
    });
    for (const line of ['BDAT', 'BDAT x', 'BDAT 1 2', 'BDAT 3 LAST now']) {
      expect(parseCommand(line), line).toMatchObject({ verb: 'error', fatal: true });
    }
    expect(parseCommand(`BDAT ${'9'.repeat(16)}`)).toMatchObject({
      reply: { code: 552 },
      fatal: true,
    });
    expect(parseCommand('MAIL FROM:<a@b.example> SIZE=x')).not.toHaveProperty('fatal');
  });

  it('refuses DSN text that stands for control characters (RFC 3461 4.2, 4.4: printable only)', () => {
    expect(code('MAIL FROM:<a@b.example> ENVID=a+0D+0Ab')).toBe(501);
    expect(code('MAIL FROM:<a@b.example> ENVID=a+00')).toBe(501);
    expect(code('RCPT TO:<b@example.com> ORCPT=rfc822;x+0D+0AX-Injected:+20yes')).toBe(501);
    expect(
      parseCommand('RCPT TO:<b@example.com> ORCPT=rfc822;Bob+20Smith+09<b@example.com>'),
    ).toMatchObject({
      parameters: { originalRecipient: 'rfc822;Bob Smith\t<b@example.com>' },
    });
  });

  it('recognises HTTP requests and header fields as not SMTP', () => {
    for (const line of ['GET / HTTP/1.1', 'POST /x HTTP/1.0', 'CONNECT a:25 HTTP/1.1']) {
      expect(parseCommand(line), line).toMatchObject({ verb: 'non-smtp' });
    }
    for (const line of ['Subject: hello', 'From:<a@b.example>', 'X-Mailer:x']) {
      expect(parseCommand(line), line).toMatchObject({ verb: 'non-smtp' });
    }
    expect(parseCommand('XYZZY a:b')).toEqual({ verb: 'unknown', name: 'XYZZY' });
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
