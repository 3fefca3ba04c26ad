/**
 * Address lists in ENVELOPE, compared with what a real Dovecot answers for the same header: a
 * table of tricky values, and random values built from the pieces that make parsers stumble.
 */
import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { type AddressGrammar, envelopeAddressList, parseAddressList } from '../src/index.js';
import { describeWithDovecot, fetchFromDovecot, type ImapValue } from './oracle/dovecot.js';

/** Values for a From field, each with what it exercises. */
const CASES: Record<string, string> = {
  'addr-spec': 'a@b',
  'quoted name': '"John Doe" <john@example.com>',
  'name from a trailing comment': 'john@example.com (John Doe)',
  'name from the last of two comments': 'a@b (c1) (c2)',
  'name from a nested comment': 'a(b(c(d)))@e',
  'comment with quoted-pairs': 'x@y (a\\(b), x@y (a\\\\b), x@y (\\a\\b)',
  'comment with extra whitespace': 'a@b (  comment  with   spaces )',
  'leading comment': '(lead) a@b, (lead) Name <a@b>',
  'comment between name and address': 'Name (comm) <a@b>, "Name" (comm) <a@b> (trail)',
  'RFC 5322 A.1.2': '<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>',
  'RFC 5322 A.1.2 Who?': 'Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>',
  'RFC 5322 A.1.3 group': 'A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;',
  'RFC 5322 A.1.3 empty group': 'Undisclosed recipients:;',
  'RFC 5322 A.5 comments': 'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>',
  'RFC 5322 A.5 group': `A Group(Some people)     :Chris Jones <c@(Chris's host.)public.example>,         joe@example.org,  John <jdoe@one.test> (my dear friend); (the end of the group)`,
  'RFC 5322 A.5 hidden group': '(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;',
  'RFC 5322 A.6.1 obs-phrase': 'Joe Q. Public <john.q.public@example.com>',
  'RFC 5322 A.6.3 CFWS in domain': 'John Doe <jdoe@machine(comment).  example>',
  'source route': '<@a,@b:user@host>',
  'route without colon': 'Name <@route a@b>, Name <@a,@b a@b>',
  'empty route': '<@>',
  'undisclosed recipients': 'undisclosed-recipients:;',
  'group without semicolon': 'Group: a@b',
  'group with trailing comma': 'Group: a@b,',
  'group with garbage after it': 'Group: a@b, c@d; e@f',
  'address after a group': 'g:a@b,c@d;, e@f',
  'nested groups': 'G1: G2: a@b;;',
  'group with a comment member': 'g:(c);, g: a@b (c); ',
  'empty group name': ':a@b;, "": a@b;',
  'group of angle-addrs': 'g: <a@b>;',
  'group member with broken angle-addr': 'g: Name <a@b;',
  'colon inside an addr-spec': 'a:b@c',
  'semicolon after an address': 'a@b;',
  'lone word': 'foo',
  'words without an address': 'foo bar',
  'name and bare addr-spec': 'foo bar baz@x',
  'lone quoted word': '"quoted"',
  'quoted word and atom': '"quoted" bar',
  'quoted word, comment, address': '"a" (c) d@e',
  'empty quoted string': '""',
  'empty quoted name': '"" <a@b>',
  'empty quoted local part': '""@b, <""@b>, Name <""@b>',
  'quoted local part with space': '"a b"@c',
  'quoted local part with quoted-pair': '"a\\"b"@c',
  'quoted local part with @': '"a@b"@c',
  'quoted name with specials': '"Mary Smith: Personal Account" <smith@home.example>',
  'quoted name with extra spaces': '"  spaced   name  " <a@b>',
  'quoted-pair space in name': '"a\\ b" <c@d>',
  'tabs in name': 'name\twith\ttabs <a@b>',
  'obs-phrase with spaced dot': 'john . doe <x@y>',
  'space before a dot': 'john .doe@example.com, john.doe @ example.com',
  'leading dot': '.user@example.com',
  'double dot': 'us..er@example.com',
  'trailing dot': 'user.@example.com, a.@b.c',
  'missing domain': 'a@',
  'missing local part': '@b',
  'lone at sign': '@',
  'empty angle-addr': '<>, Name <>',
  'domain with trailing dot': 'a@b.',
  'domain with leading dot': 'a@.b',
  'domain with double dot': 'a@b..c',
  'domain literal': 'a@[1.2.3.4]',
  'domain literal with spaces': 'a@[1.2 .3.4], a@ [ipv6:::1 ]',
  'unclosed domain literal': 'a@[1.2.3.4',
  'text after a domain literal': 'a@[b]c',
  'bracket after a domain': 'a@b[c]',
  'bracketed local part': '[a]@b',
  'two at signs': 'a@b@c',
  'unclosed angle-addr': 'Name <a@b',
  'space inside angle-addr': 'Name <a b@c>',
  'junk inside angle-addr': 'Name <a@b c>',
  'unclosed angle-addr with route': '<@a b',
  'text after angle-addr': 'Name <a@b>x, Name <a@b> x, c@d',
  'comment after angle-addr': 'Name <a@b>(c)',
  'double angle brackets': '<<a@b>>',
  'angle-addr without space': 'a<b@c>, a<b@c>d',
  'stray closing bracket': 'a@b>, a>b@c',
  'angle-addr after at': 'a@<b>',
  'two angle-addrs': '<a@b> <c@d>',
  'missing comma': 'a@b c@d, <a@b> trailing, a@b trailing',
  'trailing comma': 'a@b,',
  'trailing comma and space': 'a@b, ',
  'unclosed comment': 'a@b (unclosed comment',
  'only a comment': '(only comment)',
  'unclosed quote': '"unclosed quote',
  'unclosed quote after a comma': 'a@b, "x',
  'unclosed comment after a comma': 'a@b, (x',
  'backslash at the end': 'a@b (x\\',
  'encoded-word name': '=?utf-8?q?J=C3=B6rg?= <j@x>',
  'encoded word in quotes': '"=?utf-8?B?SsO2cmc=?=" <j@x>',
  'UTF-8 everywhere (RFC 6532)': 'Jörg Müller <jörg@müller.de>, Ä <ä@ö>, 用户@例子.广告',
  'UTF-8 name, punycode domain': '"Jörg" <j@xn--mller-kva.de>',
  'NUL in a quoted name': '"x\0y" <a@b>',
  'NUL after an address': 'a@b\0c',
};

/**
 * Inputs that RFC 5322 reads one way and Dovecot, wrongly, another. We follow the RFC; the
 * dovecot grammar follows Dovecot, and the table checks it does.
 */
const INTENDED_DIFFERENCES: Record<string, { value: string; why: string; ours: ImapValue }> = {
  'CFWS after a dot in a local part': {
    value: 'john. doe@example.com, john . doe @ example . com',
    why: 'obs-local-part (RFC 5322 4.4) allows CFWS around dots; Dovecot makes it a name without an address',
    ours: [
      [null, null, 'john.doe', 'example.com'],
      [null, null, 'john.doe', 'example.com'],
    ],
  },
  'quoted word in a dotted local part': {
    value: '"john".doe@example.com',
    why: 'obs-local-part is word *("." word); Dovecot reads only the quoted word',
    ours: [[null, null, 'john.doe', 'example.com']],
  },
  'empty list members': {
    value: 'Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example',
    why: 'RFC 5322 A.6.1: obs-addr-list members may be empty; Dovecot shows a MISSING_MAILBOX@MISSING_DOMAIN recipient',
    ours: [
      ['Mary Smith', '@node.test', 'mary', 'example.net'],
      [null, null, 'jdoe', 'test.example'],
    ],
  },
  'leading and doubled commas': {
    value: ',a@b,,c@d',
    why: 'as above',
    ours: [
      [null, null, 'a', 'b'],
      [null, null, 'c', 'd'],
    ],
  },
  'empty group members': {
    value: 'g: ,a@b,,c@d, ;',
    why: 'obs-mbox-list and obs-group-list allow empty members too',
    ours: [
      [null, null, 'g', null],
      [null, null, 'a', 'b'],
      [null, null, 'c', 'd'],
      [null, null, null, null],
    ],
  },
};

/** Pieces random values are built from; no line breaks, which would end the header field. */
const PIECES = [
  'a',
  'b.c',
  'Jö',
  '"',
  '"q s"',
  '\\',
  '<',
  '>',
  '@',
  '@d.e',
  ',',
  ';',
  ':',
  '(',
  ')',
  '(c)',
  ' ',
  '\t',
  '.',
  '..',
  '[1.2]',
  '[',
  ']',
  '=?utf-8?q?x?=',
  'g:',
  '@r:',
];

function ours(value: string, grammar: AddressGrammar = 'rfc5322'): ImapValue {
  return envelopeAddressList(parseAddressList(value, grammar)) as ImapValue;
}

/** The From field of each message's ENVELOPE. */
async function dovecotFrom(values: readonly string[]): Promise<ImapValue[]> {
  const messages = values.map((value) =>
    Buffer.from(`From: ${value}\r\nSubject: x\r\n\r\nbody\r\n`),
  );
  const replies = await fetchFromDovecot(messages, '(ENVELOPE)');
  return replies.map((reply) => (reply.get('ENVELOPE') as ImapValue[])[2]!);
}

describeWithDovecot('ENVELOPE address lists agree with Dovecot', () => {
  const names = Object.keys(CASES);
  const differences = Object.keys(INTENDED_DIFFERENCES);
  const random = fc.sample(
    fc
      .array(fc.constantFrom(...PIECES), { maxLength: 14 })
      .map((pieces) => pieces.join('').trimStart()),
    { seed: 42, numRuns: Number(process.env.MAILYARD_FUZZ_RUNS ?? 200) },
  );
  let theirs: ImapValue[] = [];
  beforeAll(async () => {
    theirs = await dovecotFrom([
      ...names.map((name) => CASES[name]!),
      ...differences.map((name) => INTENDED_DIFFERENCES[name]!.value),
      ...random,
    ]);
  }, 120_000);

  names.forEach((name, i) => {
    it(`${name}: ${JSON.stringify(CASES[name])}`, () => {
      expect(ours(CASES[name]!)).toEqual(theirs[i]);
    });
  });

  differences.forEach((name, i) => {
    const { value, why, ours: expected } = INTENDED_DIFFERENCES[name]!;
    it(`differs on purpose, ${name} (${why})`, () => {
      const dovecot = theirs[names.length + i];
      expect(ours(value)).toEqual(expected);
      expect(ours(value)).not.toEqual(dovecot);
      expect(ours(value, 'dovecot')).toEqual(dovecot);
    });
  });

  it('the dovecot grammar agrees on random values (fixed seed)', () => {
    const offset = names.length + differences.length;
    const mismatches = random.filter(
      (value, i) => JSON.stringify(ours(value, 'dovecot')) !== JSON.stringify(theirs[offset + i]),
    );
    expect(mismatches).toEqual([]);
  });
});
