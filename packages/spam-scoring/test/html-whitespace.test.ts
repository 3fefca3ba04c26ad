// The whitespace a tag puts in the body rules' text, as SpamAssassin's HTML.pm (html_whitespace)
// puts it: br and div a line break, cells, list items and headings a space, p, hr, title and
// the like a paragraph end, every other tag nothing; only scripts and styles hide their content.
// spam-1/00450 of the training set had a heading end a paragraph that SpamAssassin's goes on
// past, so __FILL_THIS_FORM_LONG2 missed it. SpamAssassin itself is the oracle.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '@mailyard/mime';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { afterAll, expect, it } from 'vitest';
import { SaMessageView } from '../src/spamassassin/message-view.js';

/** SpamAssassin's get_decoded_stripped_body_text_array of each message, paragraphs per line. */
const PERL = `
use strict; use warnings; use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => '/dev/null' });
binmode STDOUT;
for my $f (@ARGV) {
  local $/; open my $fh, '<', $f or die; my $raw = <$fh>; close $fh;
  my $msg = $sa->parse($raw);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  print join("\\x01", @{ $pms->get_decoded_stripped_body_text_array() }), "\\x02";
  $pms->finish(); $msg->finish();
}`;

const DOCUMENTS = [
  // spam-1/00450, cut down: headings inside a form's paragraph.
  '<p>\r\n<FONT COLOR ="#000000"><H5> We\'ll give you all the resources, including <BR>\r\nthe forms, and the phone script! </H5></FONT>\r\n\r\n<FONT COLOR ="FF0000"><H2> The Real Estate Market</H2></FONT>\r\n<p>',
  '<FONT TYPE="ARIEL">Please Send the e-mail notice  to: </FONT></H3><BR>\r\n<H3> polsew246@btamail.net.cn </H3>',
  '<html><head><title>Title words</title><meta name="x"></head><body>one<h2>two</h2>three' +
    '<table><tr><td>four</td><td>five</td></tr></table>six<ul><li>seven</li></ul>eight' +
    '<select><option>nine</option><option>ten</option></select>eleven<embed src="x.swf">twelve' +
    '<object data="y">thirteen</object>fourteen<applet code="z">fifteen</applet>sixteen' +
    '<dl><dt>a</dt><dd>b</dd></dl>y<hr>z<listing>q</listing>w<blockquote>v</blockquote>u' +
    '<pre>t</pre>s<div>r</div>p<br>o<th>n</th>m<h6>l</h6>k</body></html>',
  // Where a paragraph keeps a leading space: the run of white space with line breaks in it is
  // one break, and text right after a tag's white space loses its space.
  '<p>  Title first</p>\r\n\r\n\r\n  Second one<br>  Third <td> x</td>\r\n<p></p>\r\n \r\n Last',
  // Raw text: an iframe's, a textarea's, an xmp's content is text, tags and all; a title left
  // open ends at the next tag; a self-closed script hides the rest.
  '<iframe src="f"><script language="JavaScript" src="j"></script> &amp;</iframe> after ' +
    '<textarea><b>bold</b> &amp; x</textarea> <xmp><i>it</i> &amp;</xmp> end',
  '<title>open title <b>bold</b> rest',
  'seen <script src="s.js" /> unseen <b>words</b>',
  // Invisible text keeps the spaces visible text would lose at a tag's white space.
  '<p><font size=1> hidden </font><br> <font color="#ffffff"> ghost</font><br>shown </p> after',
  // A line over 2,048 octets is cut after its last space within them, else at 2,048.
  `<p>${'word '.repeat(450)}${'x'.repeat(3000)} end</p>`,
  'one <img src="x.gif" alt="Alt words"> two<script>var x = "<p>no</p>";</script>' +
    '<style>p { color: red }</style>three',
];

const spamassassin = {
  name: 'SpamAssassin (Mail::SpamAssassin)',
  available: commandAvailable('perl') && existsSync('/usr/share/perl5/Mail/SpamAssassin.pm'),
  install: 'apt-get install spamassassin',
};

describeWithPeer(spamassassin, 'HTML tags as the white space SpamAssassin puts for them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'html-whitespace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const messages = DOCUMENTS.map((html, n) => {
    const text = `From: a@example.net\r\nTo: b@example.net\r\nSubject: s${n}\r\nContent-Type: text/html\r\n\r\n${html}\r\n`;
    const file = join(dir, `${n}.eml`);
    writeFileSync(file, text, 'latin1');
    return { file, bytes: new Uint8Array(Buffer.from(text, 'latin1')) };
  });

  it('gives the paragraphs SpamAssassin gives', () => {
    const perl = spawnSync('perl', ['-e', PERL, ...messages.map((m) => m.file)], {
      encoding: 'latin1',
    });
    expect(perl.status, perl.stderr).toBe(0);
    const expected = perl.stdout.split('\x02').slice(0, -1);
    expect(expected).toHaveLength(messages.length);
    messages.forEach(({ bytes }, n) => {
      const ours = new SaMessageView(bytes, summarize(bytes)).body();
      // Line for line, each ending in its line break but the last, spaces and all.
      expect(ours, DOCUMENTS[n]).toEqual(expected[n]!.split('\x01'));
    });
  });

  it('keeps the heading of spam-1/00450 inside its paragraph', () => {
    const { bytes } = messages[0]!;
    expect(new SaMessageView(bytes, summarize(bytes)).body()).toContain(
      " We'll give you all the resources, including the forms, and the phone script! The Real Estate Market \n",
    );
  });
});
