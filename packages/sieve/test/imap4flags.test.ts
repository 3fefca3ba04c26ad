import { describe, expect, it } from 'vitest';
import { compileErrors, run } from './helpers.js';

const flagsOf = (script: string, message?: string) =>
  run(script, message).actions.map((action) =>
    action.type === 'keep' || action.type === 'fileinto'
      ? `${action.type === 'keep' ? (action.implicit ? 'implicit-keep' : 'keep') : action.mailbox}:${(action.flags ?? []).join(' ')}`
      : action.type,
  );

const BOSS = [
  'From: boss@frobnitzm.example.edu',
  'To: me@example.org',
  'Subject: now',
  '',
  'Come here.',
  '',
].join('\r\n');

describe('imap4flags (RFC 5232)', () => {
  it('runs the example of RFC 5232 section 6 (flags through variables and :flags)', () => {
    const script = [
      'require ["imap4flags", "fileinto", "variables"];',
      'if header :contains "from" "boss@frobnitzm.example.edu" {',
      '    setflag "flagvar" "\\\\Flagged";',
      '    fileinto :flags "${flagvar}" "INBOX.From Boss";',
      '}',
      'if header :contains "from" "ogre@example.com" {',
      '    addflag "MyFlags" "\\\\Deleted";',
      '    fileinto :flags "${MyFlags}" "INBOX.From Ogre";',
      '}',
      '',
    ].join('\r\n');
    expect(flagsOf(script, BOSS)).toEqual(['INBOX.From Boss:\\Flagged']);
  });

  it('setflag, addflag and removeflag on the internal variable give keep, fileinto and the implicit keep their flags', () => {
    const script = [
      'require ["imap4flags", "fileinto"];',
      'setflag "\\\\seen Junk";',
      'addflag ["$Label1", "junk \\\\Flagged"];',
      'removeflag "\\\\Seen";',
      'fileinto :copy "Archive";',
      '',
    ].join('\r\n');
    expect(compileErrors(script)[0]).toMatch(/copy/);
    const ok = script.replace('fileinto :copy "Archive";', 'keep;\r\nfileinto "Archive";');
    expect(flagsOf(ok)).toEqual(['keep:Junk $Label1 \\Flagged', 'Archive:Junk $Label1 \\Flagged']);
    expect(flagsOf('require "imap4flags";\r\naddflag "\\\\Answered";\r\n')).toEqual([
      'implicit-keep:\\Answered',
    ]);
  });

  it(':flags overrides the internal variable for that copy only', () => {
    const script = [
      'require ["imap4flags", "fileinto"];',
      'setflag "\\\\Seen";',
      'fileinto :flags "\\\\Flagged" "Important";',
      'keep;',
      '',
    ].join('\r\n');
    expect(flagsOf(script)).toEqual(['Important:\\Flagged', 'keep:\\Seen']);
    expect(flagsOf('require "imap4flags";\r\nsetflag "a";\r\nkeep :flags "";\r\n')).toEqual([
      'keep:',
    ]);
  });

  it('hasflag matches the flags, one by one, with match types and :count (RFC 5232 section 4)', () => {
    const test = (condition: string) =>
      flagsOf(
        `require ["imap4flags", "variables", "relational", "comparator-i;ascii-numeric"];\r\nset "MyVar" "A B";\r\nsetflag "\\\\Seen X";\r\nif ${condition} { discard; }\r\n`,
      )[0] === 'discard';
    expect(test('hasflag :is "MyVar" "a"')).toBe(true);
    // A key holding two flags matches either (Pigeonhole's reading).
    expect(test('hasflag :is "MyVar" "A B"')).toBe(true);
    expect(test('hasflag :is "MyVar" "C D"')).toBe(false);
    expect(test('hasflag :contains "MyVar" "b"')).toBe(true);
    expect(test('hasflag :count "ge" :comparator "i;ascii-numeric" "MyVar" "2"')).toBe(true);
    expect(test('hasflag :count "ge" :comparator "i;ascii-numeric" "MyVar" "3"')).toBe(false);
    expect(test('hasflag "\\\\seen"')).toBe(true);
    expect(test('hasflag ["MyVar", "Other"] "x"')).toBe(false);
    expect(test('hasflag :matches "*"')).toBe(true);
    expect(test('hasflag :is "y"')).toBe(false);
  });

  it('leaves out invalid flags, and checks variable names at compile time', () => {
    expect(flagsOf('require "imap4flags";\r\nsetflag "\\\\Recent \\\\Frop a(b ok";\r\n')).toEqual([
      'implicit-keep:ok',
    ]);
    expect(compileErrors('require "imap4flags";\r\nsetflag "v" "x";\r\n')).toEqual([
      "2:9: a variable name needs the 'variables' extension: add it to require",
    ]);
    expect(
      compileErrors('require ["imap4flags", "variables"];\r\nsetflag "bad-name" "x";\r\n'),
    ).toEqual(["2:9: invalid variable name 'bad-name'"]);
    expect(compileErrors('require "fileinto";\r\nfileinto :flags "x" "y";\r\n')[0]).toMatch(
      /imap4flags/,
    );
  });
});
