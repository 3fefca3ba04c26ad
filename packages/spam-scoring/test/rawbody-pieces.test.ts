// rawbody rules read each decoded part in Message.pm's pieces (split_into_array_of_short_paragraphs),
// not line by line: checked against SpamAssassin's own function, and on a pattern spanning lines.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rawBodyPieces } from '../src/spamassassin/scan-size.js';
import { ruleFirer } from './helpers.js';

const MESSAGE_PM = '/usr/share/perl5/Mail/SpamAssassin/Message.pm';

/** SpamAssassin's pieces of each text, lengths only (texts hold no NUL). */
function perlPieceLengths(texts: string[]): number[][] {
  const run = spawnSync(
    'perl',
    [
      '-MMail::SpamAssassin::Message',
      '-0',
      '-ne',
      'chomp; print join(",", map { length } Mail::SpamAssassin::Message::split_into_array_of_short_paragraphs($_)), "\\n"',
    ],
    { input: texts.map((t) => `${t}\0`).join(''), encoding: 'latin1', maxBuffer: 1 << 28 },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout
    .split('\n')
    .slice(0, texts.length)
    .map((line) => (line === '' ? [] : line.split(',').map(Number)));
}

describe('rawbody pieces', () => {
  it.skipIf(!existsSync(MESSAGE_PM))(
    "are Message.pm's, on texts around 2,048 and 4,096 octets",
    () => {
      const chunk = fc.constantFrom(
        'a'.repeat(500),
        'b'.repeat(2047),
        ' ',
        '\n',
        '>',
        'x y',
        '<p>',
      );
      const texts = fc.sample(
        fc.array(chunk, { minLength: 0, maxLength: 12 }).map((c) => c.join('')),
        { seed: 15, numRuns: 400 },
      );
      texts.push(
        '',
        'a'.repeat(2048),
        'a'.repeat(4097),
        'a'.repeat(4096) + '\n',
        'c'.repeat(20_000),
      );
      const expected = perlPieceLengths(texts);
      const ours = texts.map((text) => rawBodyPieces(text).map((piece) => piece.length));
      expect(ours).toEqual(expected.map((lengths, i) => (texts[i] === '' ? [0] : lengths)));
      for (const text of texts) expect(rawBodyPieces(text).join('')).toBe(text);
    },
  );

  it('let a pattern span lines, as __CONTENT_AFTER_HTML does on spam-1/00078', () => {
    const fire = ruleFirer('rawbody CONTENT_AFTER /<\\/html>\\s*[a-z0-9]/i', { sorted: false });
    const fired = (html: string) =>
      fire(`From: a@b.example\r\nContent-Type: text/html\r\n\r\n${html}`);
    expect(fired('<html>1gate\r\n</html>\r\n5297gdqK6\r\n')).toEqual(['CONTENT_AFTER']);
    expect(fired('<html>1gate\r\n</html>\r\n')).toEqual([]);
  });

  it('cut a long line without a break just past 2,048 octets, linear in the text', () => {
    const text = 'z'.repeat(2_000_000);
    const pieces = rawBodyPieces(text);
    expect(pieces.join('')).toBe(text);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(4096);
  });
});
