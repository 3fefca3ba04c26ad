// HTML_FONT_FACE_BAD (`html_test('font_face_bad')`): a `<font face>` that is not a list of font
// names, as HTML.pm's html_tests decides it. Mail::SpamAssassin::HTML itself is the oracle.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { htmlStatisticsOf } from '../src/spamassassin/html-statistics.js';

/** HTML.pm's font_face_bad for each document (documents as octets, no newline but `\n`). */
function perlFontFaceBad(documents: string[]): boolean[] {
  const script = `
    use strict; use warnings; use Mail::SpamAssassin::HTML;
    while (my $l = <STDIN>) { chomp $l; $l =~ s/\\\\n/\\n/g;
      my $h = Mail::SpamAssassin::HTML->new(0, 1); $h->parse($l);
      print(($h->get_results->{font_face_bad} ? 1 : 0), "\\n"); }`;
  const perl = spawnSync('perl', ['-e', script], {
    input: documents.map((d) => d.replace(/\n/g, '\\n')).join('\n') + '\n',
    encoding: 'latin1',
  });
  if (perl.status !== 0) throw new Error(perl.stderr);
  return perl.stdout
    .trim()
    .split('\n')
    .map((line) => line === '1');
}

const spamassassin = {
  name: 'Mail::SpamAssassin::HTML',
  available: commandAvailable('perl') && existsSync('/usr/share/perl5/Mail/SpamAssassin/HTML.pm'),
  install: 'apt-get install spamassassin',
};

describeWithPeer(spamassassin, 'HTML_FONT_FACE_BAD', () => {
  it('judges the faces seen in ham and spam as HTML.pm does', () => {
    const documents = [
      '<font face="Arial">x</font>',
      '<font face="Arial, Helvetica, sans-serif">x',
      '<font face="&quot;Tahoma&quot;, Verdana">x',
      '<font face=Verdana2>x',
      '<font face="Times New Roman 12">x',
      '<font face="1Arial">x',
      '<font face=".SFUIDisplay">x',
      '<font face="a">x',
      '<font face="">x',
      '<font face>x',
      '<FONT FACE="x_y">x',
      '<font face="Arial;">x',
      '<font face="Arial\n">x',
      '<font color=red>x',
      '</font face="1">x',
      '<basefont face="1">x',
    ];
    const ours = documents.map((html) => htmlStatisticsOf(html).fontFaceBad);
    expect(ours).toEqual(perlFontFaceBad(documents));
    expect(ours.filter(Boolean).length).toBeGreaterThan(2);
  });

  it('agrees with HTML.pm on faces made of the pattern own pieces', () => {
    const piece = fc.constantFrom(
      'Arial',
      'a',
      ' ',
      '-',
      ',',
      ', ',
      '"',
      "'",
      '.',
      ';',
      '2',
      '22',
      '_',
      '\t',
      '\n',
      'Sans Serif',
      '&amp;',
    );
    const documents = fc.sample(
      fc
        .tuple(fc.array(piece, { maxLength: 8 }), fc.constantFrom('"', "'"))
        .map(([p, q]) => `<p>t<font size=2 face=${q}${p.join('').replaceAll(q, '')}${q}>x</font>`),
      { seed: 22, numRuns: 1500 },
    );
    const perl = perlFontFaceBad(documents);
    expect(documents.filter((html, i) => htmlStatisticsOf(html).fontFaceBad !== perl[i])).toEqual(
      [],
    );
    expect(new Set(perl)).toEqual(new Set([true, false]));
  });

  it('reads a face 100 times a long one, near misses all along, in one pass', () => {
    const face = `${'Arial Narrow, '.repeat(2_000)}Arial!`;
    const documents = [`<font face="${face}">x`, `<font face="${face.slice(0, -1)}">x`];
    expect(documents.map((html) => htmlStatisticsOf(html).fontFaceBad)).toEqual(
      perlFontFaceBad(documents),
    );
  });
});
