// The oracle the rule tests compare with (helpers.ts's spamAssassinFiredEach and
// spamassassin-oracle.pl): one SpamAssassin process answers for every message, in order, and a
// failure or a missing answer throws rather than reading as "nothing fired".
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeer } from '@mailyard/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { debianSpamAssassin, readOracleAnswers, spamAssassinFiredEach } from './helpers.js';

const HEAD = 'From: a@b.example\nTo: c@d.example\nSubject: hello\nMessage-ID: <o@b.example>\n';
const PLAIN = `${HEAD}\nJust a few words.\n`;
const GTUBE = `${HEAD}\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n`;

describe("the oracle's answers", () => {
  it('are read per message file, in the order of the files, an empty list where none hit', () => {
    const output = 'b.eml\tGTUBE,NO_RELAYS\na.eml\t\n';
    expect(readOracleAnswers(output, ['a.eml', 'b.eml'])).toEqual([[], ['GTUBE', 'NO_RELAYS']]);
  });

  it('throw when a message has no answer, rather than reading as one that fired nothing', () => {
    expect(() => readOracleAnswers('a.eml\tGTUBE\n', ['a.eml', 'b.eml'])).toThrow(
      /no answer for message 1/,
    );
    expect(() => readOracleAnswers('', ['a.eml'])).toThrow(/no answer for message 0/);
  });

  it('throw on a line that is no answer', () => {
    expect(() => readOracleAnswers('a.eml\t\nsomething else\n', ['a.eml'])).toThrow(
      /a line of no answer/,
    );
  });

  it('are never asked for about no message', () => {
    expect(() => spamAssassinFiredEach([], '', /./)).toThrow(/no message/);
  });
});

describeWithPeer(debianSpamAssassin, 'SpamAssassin as the oracle, one process', () => {
  let temporary = '';
  const savedTmpdir = process.env.TMPDIR;
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    if (temporary !== '') rmSync(temporary, { recursive: true, force: true });
  });

  it("answers for each message with Debian's rules and the lines given", () => {
    const rules = 'body T_FEW_WORDS /a few words/\nscore T_FEW_WORDS 0.01';
    expect(spamAssassinFiredEach([PLAIN, GTUBE, PLAIN], rules, /^(?:GTUBE|T_FEW_WORDS)$/)).toEqual([
      ['T_FEW_WORDS'],
      ['GTUBE'],
      ['T_FEW_WORDS'],
    ]);
  });

  it('reads the lines given alone, none of Debian’s rules, in `alone` mode', () => {
    const rules = [
      'loadplugin Mail::SpamAssassin::Plugin::Check',
      'body T_FEW_WORDS /a few words/',
      'score T_FEW_WORDS 0.01',
    ].join('\n');
    expect(spamAssassinFiredEach([GTUBE, PLAIN], rules, /./, { rules: 'alone' })).toEqual([
      [],
      ['T_FEW_WORDS'],
    ]);
  });

  it('fails loudly when SpamAssassin fails, and removes its temporary directory', () => {
    // Its own temporary directory (tmpdir() reads TMPDIR), so other test files' oracles are not seen.
    temporary = mkdtempSync(join(tmpdir(), 'mailyard-oracle-test-'));
    process.env.TMPDIR = temporary;
    // Alone, without the Check plugin, SpamAssassin dies: "no loaded plugin implements 'check_main'".
    expect(() => spamAssassinFiredEach([PLAIN], '', /./, { rules: 'alone' })).toThrow(/check_main/);
    expect(readdirSync(temporary)).toEqual([]);
  });
});
