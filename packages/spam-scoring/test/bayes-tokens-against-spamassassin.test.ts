import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { SaMessageView, bayesTokens } from '../src/index.js';
import { message } from './helpers.js';

// The body's Bayes tokens against SpamAssassin's own tokenizer (Plugin/Bayes.pm, asked through
// fixtures/sa-bayes-tokens.pl), on the paragraph starts where it lowers a Title Case word or
// not, and on HTML raw text. One difference is Mailyard's own, on purpose: invisible HTML text.

const htmlMessage = (body: string) =>
  'From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n' +
  `Content-Type: text/html; charset=us-ascii\r\n\r\n<html><body>${body}</body></html>\r\n`;
const plainMessage = (body: string) =>
  'From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n' +
  `Content-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`;

const tokensOf = (text: string) => {
  const m = message(text);
  return bayesTokens(new SaMessageView(m.bytes, m.summary));
};

/** The tokens of the body: neither header (`H...`) nor MIME structure (`MIME...`, Mailyard's own). */
const bodyTokens = (tokens: Iterable<string>) =>
  [...tokens].filter((token) => !/^(?:H|MIME)/.test(token)).sort();

// [what it shows, message]
const SAME: [string, string][] = [
  [
    'a paragraph after a run of blank lines and spaces starts at its first word',
    plainMessage('First line.\r\n\r\n  \r\n\r\nSecond Paragraph here'),
  ],
  ['an indented paragraph keeps its space', plainMessage('One.\r\n\r\n   Indented Words')],
  [
    "text right after a tag's white space loses its space, other text keeps it",
    htmlMessage('<p>\r\n Kept Lower</p><b> Spaced Capital</b> <br>Broken Line'),
  ],
  [
    "an iframe's content is text, tags and all",
    htmlMessage('<iframe src="f"><script language="JavaScript" src="j"></script></iframe> After'),
  ],
];

// Hidden by colour, by size, by style: SpamAssassin makes `I*:word` of such text, Mailyard the
// word itself (measured on the training sets: the I*: tokens missed more spam).
const HIDDEN = htmlMessage(
  // Each hidden word ends in a space: hidden pieces run together in Bayes.pm's hidden text.
  '<p>shown words</p><font color="#ffffff">hiddenwhite </font><font size="1">tinyfont </font>' +
    '<span style="display: none">displaynone </span>',
);
const HIDDEN_WORDS = ['hiddenwhite', 'tinyfont', 'displaynone'];

describeWithPeer(
  {
    name: 'spamassassin',
    available: commandAvailable('spamassassin'),
    install: 'apt-get install spamassassin',
  },
  "Bayes body tokens against SpamAssassin's own tokenizer",
  () => {
    const directory = mkdtempSync(join(tmpdir(), 'mailyard-bayes-tokens-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    /** SpamAssassin's body tokens of each message, asked of one Perl process. */
    const theirTokens = (messages: string[]): string[][] => {
      const files = messages.map((text, i) => {
        writeFileSync(join(directory, `m${i}.eml`), text);
        return `m${i}.eml`;
      });
      const output = execFileSync(
        'perl',
        [join(import.meta.dirname, 'fixtures', 'sa-bayes-tokens.pl'), ...files],
        { cwd: directory, encoding: 'utf8' },
      );
      const byFile = new Map(
        output
          .split('\n')
          .filter((line) => line.includes('\t'))
          .map((line) => line.split('\t') as [string, string]),
      );
      return files.map((file) => {
        const tokens = byFile.get(file);
        if (tokens === undefined) throw new Error(`SpamAssassin gave no tokens for ${file}`);
        return bodyTokens(tokens.split(' '));
      });
    };

    it('makes the body tokens Bayes.pm makes, case by case', () => {
      const theirs = theirTokens(SAME.map(([, text]) => text));
      SAME.forEach(([what, text], i) =>
        expect(bodyTokens(tokensOf(text)), what).toEqual(theirs[i]),
      );
      // The cases do show what they are about.
      expect(theirs[1]).toContain('Indented');
      expect(theirs[2]).toContain('kept');
      expect(theirs[2]).not.toContain('Kept');
      expect(theirs[3]).toEqual(expect.arrayContaining(['script', 'JavaScript', 'After']));
    });

    it('reads hidden HTML text as words where Bayes.pm makes I*: tokens of it', () => {
      const [theirs] = theirTokens([HIDDEN]);
      const ours = bodyTokens(tokensOf(HIDDEN));
      for (const word of HIDDEN_WORDS) {
        expect(theirs).toContain(`I*:${word}`);
        expect(theirs).not.toContain(word);
        expect(ours).toContain(word);
        expect(ours).not.toContain(`I*:${word}`);
      }
      // Everything else is the same.
      const hiddenForms = new Set(HIDDEN_WORDS.flatMap((word) => [word, `I*:${word}`]));
      const rest = (tokens: string[]) => tokens.filter((token) => !hiddenForms.has(token));
      expect(rest(ours)).toEqual(rest(theirs!));
    });
  },
);
