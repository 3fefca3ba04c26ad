// MPART_ALT_DIFF and MPART_ALT_DIFF_COUNT: BodyEval's _multipart_alternative_difference, the
// share of the HTML rendering's words that the plain text lacks. SpamAssassin's own plugin,
// run on the same messages, is the oracle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '@mailyard/mime';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { SaMessageView } from '../src/spamassassin/message-view.js';
import {
  differenceOf,
  multipartAlternativeDifference,
  multipartAlternativeDifferenceCount,
} from '../src/spamassassin/multipart-alternative-eval-tests.js';

const PERL = `
use strict; use warnings;
use Mail::SpamAssassin; use Mail::SpamAssassin::Plugin::BodyEval;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => '/dev/null' });
$sa->init(1);
my $plugin = Mail::SpamAssassin::Plugin::BodyEval->new($sa);
for my $f (@ARGV) {
  local $/; open my $fh, '<', $f or die; my $raw = <$fh>; close $fh;
  my $msg = $sa->parse($raw);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $plugin->_multipart_alternative_difference($pms);
  printf "%.6f %d %d\\n", $pms->{madiff}, $pms->{madiff_html}, $pms->{madiff_text};
  $pms->finish(); $msg->finish();
}`;

const spamassassin = {
  name: 'SpamAssassin (Mail::SpamAssassin::Plugin::BodyEval)',
  available:
    commandAvailable('perl') && existsSync('/usr/share/perl5/Mail/SpamAssassin/Plugin/BodyEval.pm'),
  install: 'apt-get install spamassassin',
};

const part = (type: string, body: string) => `Content-Type: ${type}\r\n\r\n${body}\r\n`;
const alternative = (boundary: string, ...parts: string[]) =>
  `Content-Type: multipart/alternative; boundary=${boundary}\r\n\r\n` +
  parts.map((p) => `--${boundary}\r\n${p}`).join('') +
  `--${boundary}--\r\n`;
const message = (body: string) =>
  `From: a@example.net\r\nTo: b@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n${body}`;

const FIXED = [
  // Words alike, words missing, counts that differ, an image-only HTML part.
  message(
    alternative(
      'b',
      part('text/plain', 'Buy now, buy NOW'),
      part('text/html', '<p>Buy now, buy NOW</p>'),
    ),
  ),
  message(
    alternative(
      'b',
      part('text/plain', 'hello there'),
      part('text/html', '<p>Cheap pills here</p>'),
    ),
  ),
  message(
    alternative('b', part('text/plain', 'win win'), part('text/html', 'win win win <b>prize</b>')),
  ),
  message(
    alternative('b', part('text/plain', 'see the picture'), part('text/html', '<img src="a.gif">')),
  ),
  message(
    alternative('b', part('text/plain', ''), part('text/html', '<p>-- ** --</p><img src=x>')),
  ),
  // A meeting request, left alone; a nested alternative inside a mixed message.
  message(
    alternative('b', part('text/html', '<p>Meet me</p>'), part('text/calendar', 'BEGIN:VCALENDAR')),
  ),
  message(
    'Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\n' +
      alternative(
        'a',
        part('text/plain', 'one two three four five'),
        part('text/html', 'one two <i>six</i>'),
      ) +
      '--m\r\n' +
      part('application/octet-stream', 'xx') +
      '--m--\r\n',
  ),
  // Many text words per HTML word (MPART_ALT_DIFF_COUNT).
  message(
    alternative(
      'b',
      part('text/plain', 'a b c d e f g h i j k l m n o p'),
      part('text/html', 'x y'),
    ),
  ),
];

describeWithPeer(spamassassin, 'multipart_alternative_difference', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mpart-alt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Perl's and our madiff, madiff_html and madiff_text for each message. */
  function compare(messages: string[]): { perl: string[]; ours: string[] } {
    const files = messages.map((text, n) => {
      const file = join(dir, `${n}.eml`);
      writeFileSync(file, text, 'latin1');
      return file;
    });
    const perl = spawnSync('perl', ['-e', PERL, ...files], { encoding: 'latin1' });
    if (perl.status !== 0) throw new Error(perl.stderr);
    const ours = messages.map((text) => {
      const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
      const { percent, htmlWords, textWords } = differenceOf(
        new SaMessageView(bytes, summarize(bytes)),
      );
      return `${percent.toFixed(6)} ${htmlWords} ${textWords}`;
    });
    return { perl: perl.stdout.trim().split('\n'), ours };
  }

  it('computes the difference BodyEval computes', () => {
    const { perl, ours } = compare(FIXED);
    expect(ours).toEqual(perl);
    // The cases reach both answers of each rule.
    const mpartAltDiff = multipartAlternativeDifference(['99', '100'])!;
    const mpartAltDiffCount = multipartAlternativeDifferenceCount(['3', '1'])!;
    const fired = FIXED.map((text) => {
      const bytes = new Uint8Array(Buffer.from(text, 'latin1'));
      const view = new SaMessageView(bytes, summarize(bytes));
      return [mpartAltDiff(view, []), mpartAltDiffCount(view, [])];
    });
    expect(new Set(fired.map(([d]) => d))).toEqual(new Set([0, 1]));
    expect(new Set(fired.map(([, c]) => c))).toEqual(new Set([0, 1]));
  });

  it('agrees with BodyEval on messages made of the same words', () => {
    const words = fc.array(
      fc.constantFrom('buy', 'Buy', 'now', 'cheap', 'pills', '**', '-', 'a_b', '&amp;', 'x'),
      {
        maxLength: 8,
      },
    );
    const messages = fc.sample(
      fc
        .tuple(words, words, fc.constantFrom('', '<img src=i.gif>', '<br>'))
        .map(([text, html, extra]) =>
          message(
            alternative(
              'b',
              part('text/plain', text.join(' ')),
              part('text/html', `<p>${html.join(' ')}</p>${extra}`),
            ),
          ),
        ),
      { seed: 22, numRuns: 200 },
    );
    const { perl, ours } = compare(messages);
    expect(messages.filter((_, i) => ours[i] !== perl[i])).toEqual([]);
  });
});
