import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { afterAll, describe, expect, it } from 'vitest';
import { SaMessageView, bayesTokens } from '../src/index.js';
import { message } from './helpers.js';

const htmlMessage = (body: string) =>
  'From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n' +
  `Content-Type: text/html; charset=us-ascii\r\n\r\n<html><body>${body}</body></html>\r\n`;

const tokensOf = (text: string) => {
  const m = message(text);
  return bayesTokens(new SaMessageView(m.bytes, m.summary));
};

/** The tokens of the body: neither header (`H...`) nor MIME structure (`MIME...`, Mailyard's own). */
const bodyTokens = (tokens: Iterable<string>) =>
  [...tokens].filter((token) => !/^(?:H|MIME)/.test(token)).sort();

// [what it shows, HTML body]: each hides some words and shows others.
const CASES: [string, string][] = [
  ['white on white', '<p>shown words</p><font color="#ffffff">hiddenwhite</font>'],
  ['nearly white', 'shown <font color="#fefefe">nearlywhite</font>'],
  ['a colour no browser reads', 'shown <font color="blurple">badcolour</font>'],
  ['font size 1', 'shown <font size="1">tinyfont</font> after'],
  ['font size -2 from the base of 3', 'shown <font size="-2">relativetiny</font> after'],
  ['three smalls', 'shown <small><small><small>smallsmall</small></small></small> after'],
  ['display: none, inherited', '<div style="display: none">displaynone <b>nested</b></div>after'],
  ['visibility: hidden', 'shown <span style="visibility:hidden">hiddenspan</span>'],
  ['a property name in capitals is not read', 'x <span style="DISPLAY: none">capitals</span>'],
  [
    'two hidden pieces run together, the visible between them apart',
    '<font size=1>one</font> middle words <font size=1>two</font>',
  ],
  ['a blank hidden piece is not hidden text', 'shown<font size=1> </font>more'],
];

describe('invisible HTML text in Bayes', () => {
  it('gives I*: tokens for hidden words and plain tokens for shown ones', () => {
    const tokens = tokensOf(htmlMessage(CASES[0]![1]));
    expect(tokens).toContain('I*:hiddenwhite');
    expect(tokens).not.toContain('hiddenwhite');
    expect(tokens).toEqual(expect.arrayContaining(['shown', 'words', 'hello']));
    expect(tokens).not.toContain('I*:shown');
  });

  it('reads the hidden text without the Subject, and runs separate hidden pieces together', () => {
    const tokens = tokensOf(htmlMessage(CASES[9]![1]));
    expect(tokens).toContain('I*:onetwo');
    expect(tokens).not.toContain('I*:hello');
    expect(tokens).toEqual(expect.arrayContaining(['middle', 'words', 'hello']));
  });

  it('hides nothing in plain text', () => {
    const tokens = tokensOf(
      'Subject: hello\r\nContent-Type: text/plain\r\n\r\n<font size=1>literal</font>\r\n',
    );
    expect(tokens.filter((token) => token.startsWith('I*:'))).toEqual([]);
  });
});

describeWithPeer(
  {
    name: 'spamassassin',
    available: commandAvailable('spamassassin'),
    install: 'apt-get install spamassassin',
  },
  "invisible text against SpamAssassin's own Bayes tokenizer",
  () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailyard-bayes-invisible-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('makes the body tokens Bayes.pm makes, case by case', () => {
      const files = CASES.map(([, body], i) => {
        const name = `case-${i}.eml`;
        writeFileSync(join(directory, name), htmlMessage(body));
        return name;
      });
      // One Perl process for every case: "FILE<TAB>tok tok ..." per message.
      const output = execFileSync(
        'perl',
        [join(import.meta.dirname, 'fixtures', 'sa-bayes-tokens.pl'), ...files],
        { cwd: directory, encoding: 'utf8' },
      );
      const theirs = new Map(
        output
          .split('\n')
          .filter((line) => line.includes('\t'))
          .map((line) => {
            const [file, tokens] = line.split('\t') as [string, string];
            return [file, bodyTokens(tokens.split(' '))];
          }),
      );
      expect(theirs.size).toBe(CASES.length);
      CASES.forEach(([what, body], i) => {
        expect(bodyTokens(tokensOf(htmlMessage(body))), what).toEqual(theirs.get(files[i]!));
      });
    });
  },
);
