// SpamAssassin's uri_list_canonicalize (Util.pm) and HTML.pm's link handling (base href,
// which tags' attributes are links, white space around them), checked against its own Perl.
import { execFileSync } from 'node:child_process';
import { summarize } from '@mailyard/mime';
import { describeWithPeer } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';
import { renderHtml } from '../src/spamassassin/html-text.js';
import {
  canonicalizeUri,
  MAX_REDIRECT_DEPTH,
  MAX_URI_LENGTH,
} from '../src/spamassassin/uri-canonicalize.js';
import { extractUris } from '../src/spamassassin/uri-extract.js';
import { targetUri } from '../src/spamassassin/uri-resolve.js';
import { TEST_REGISTRY, debianRegistry, debianSpamAssassin } from './helpers.js';

const viewOf = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  return new SaMessageView(bytes, summarize(bytes));
};
const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: links\nMessage-ID: <u@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\n';
const htmlMail = (html: string) => `${HEADER}Content-Type: text/html\n\n${html}\n`;

/** A message whose links hide an IP address as spam-1/00049, 00354, 00426 and 00412 do. */
const HIDDEN_IP_LINKS = htmlMail(
  [
    '<html><head><base href="http://198.51.100.5/index.html"></head><body>',
    '<a href="http://rd.yahoo.com/*http://203.0.113.88/farm/?aid=1">farm</a>',
    '<a href="\n http://%31%30%31@%34%2E%34%37%2E%39%36%2E%31%34%31/msga.html\n">hex</a>',
    '<img src="/ads/images/one.jpg"><script src="js/x.js"></script>',
    '<meta http-equiv="refresh" content="0; URL=http://3232235777/r">',
    '</body></html>',
  ].join('\n'),
);

// URIs whose canonical spellings are compared with SpamAssassin 4.0.1's (Util.pm's
// uri_list_canonicalize with no redirector patterns), as the Perl below prints them.
const CANONICALIZED = [
  // A bare name is also guessed as www.NAME.com, but not with a user, another port, https,
  // localhost or a dot in it.
  'http://top',
  'top',
  'index.html',
  'http://www.foo/x?y',
  'http://FooBar:80/p',
  'http://user@bare/',
  'http://localhost/',
  'https://bare/',
  'http://bare:8080/',
  'http://bare!/',
  'http://rd.yahoo.com/*http://80.71.71.88/farm/?aid=818932',
  'http://n62.go2net.com/adclick?cid=180713&site=dp&cp=nbci&clickurl=http://211.167.74.101/mortg/',
  'http://%31%30%31@%34%2E%34%37%2E%39%36%2E%31%34%31/msga.html',
  'http://3232235777/x',
  'http://0x7f000001/',
  'http://0x4a.0175.0x10.5/path',
  'http://www.example.com:80/a',
  'https://www.example.com:443/a',
  'HTTP://www.example.com:80/a',
  'http:www.example.com',
  'www.example.com?id=3',
  'ftp.example.com/pub',
  'http://example.com&#46;evil.example/',
  'http://user:pass@www.example.com/',
  'http://www.example.com!!!/x',
  'mailto:a@b.example?subject=hi',
  'mailto:%20a@b.example',
  'mailto:"Foo" <foo@bar.example>',
  'a@b.example&x.example',
  'http:\\\\www.example.com\\x',
  '  http://www.exa\nmple.com/  ',
  '/relative/path',
  '#frag',
  'http://4294967296/',
  'http://a.example/r?u=http://b.example/r?u=https://c.example/x&y',
];

describe('URIs as SpamAssassin canonicalizes them', () => {
  it('adds redirect targets, decoded hosts, dotted IPs; resolves links against <base href>', () => {
    const uris = viewOf(HIDDEN_IP_LINKS).uris(TEST_REGISTRY);
    for (const uri of [
      'http://203.0.113.88/farm/?aid=1',
      'http://4.47.96.141/msga.html',
      'http://198.51.100.5/ads/images/one.jpg',
      'http://198.51.100.5/js/x.js',
      'http://192.168.1.1/r',
    ])
      expect(uris).toContain(uri);
    expect(uris).not.toContain('/ads/images/one.jpg');
    const config = emptySaConfig();
    parseCfFile(
      config,
      'uri.cf',
      String.raw`uri NORMAL_HTTP_TO_IP m{^https?://(?!1(?:0|27|69\.254|72\.(?:1[6-9]|2\d|3[01])|92\.168)\.)\d+\.\d+\.\d+\.\d+\b(?![.-])}i`,
    );
    const rules = SaRuleSet.compile(config);
    expect(rules.evaluate(viewOf(HIDDEN_IP_LINKS), 0).map((hit) => hit.name)).toEqual([
      'NORMAL_HTTP_TO_IP',
    ]);
  });

  it('follows redirect targets inside one another at most MAX_REDIRECT_DEPTH deep', () => {
    const nested = `http://a.example/${'r?u=http://a.example/'.repeat(100)}end`;
    expect(canonicalizeUri(nested).length).toBe(MAX_REDIRECT_DEPTH + 1);
    expect(canonicalizeUri('http://a.example/r?u=http://b.example/x').sort()).toEqual([
      'http://a.example/r?u=http://b.example/x',
      'http://b.example/x',
    ]);
  });
});

const CANONICALIZE_HARNESS =
  'use strict; use warnings;' +
  'use JSON::PP;' +
  'use Mail::SpamAssassin::Util qw(uri_list_canonicalize);' +
  'local $/; my $uris = decode_json(<STDIN>);' +
  'print encode_json([ map { [ sort(uri_list_canonicalize([], [$_])) ] } @$uris ]);' +
  '';
const URI_LIST_HARNESS =
  'use Mail::SpamAssassin; local $/; my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, ' +
  'dont_copy_prefs => 1, userprefs_filename => "/dev/null" }); my $msg = $sa->parse(<STDIN>); ' +
  'my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg); ' +
  'print join("\\n", sort $pms->get_uri_list()), "\\n";';

describeWithPeer(debianSpamAssassin, "URIs against SpamAssassin's Perl", () => {
  it('canonicalizes each URI as uri_list_canonicalize does', () => {
    const theirs = JSON.parse(
      execFileSync('perl', ['-e', CANONICALIZE_HARNESS], {
        input: JSON.stringify(CANONICALIZED),
      }).toString(),
    ) as string[][];
    expect(CANONICALIZED.map((uri) => [uri, canonicalizeUri(uri).sort()])).toEqual(
      CANONICALIZED.map((uri, n) => [uri, theirs[n]]),
    );
  });

  it("gives an HTML message's links the URI list PerMsgStatus's get_uri_list gives", () => {
    const report = execFileSync('perl', ['-e', URI_LIST_HARNESS], {
      input: HIDDEN_IP_LINKS,
    }).toString();
    const theirs = report.split('\n').filter((line) => line !== '');
    expect([...viewOf(HIDDEN_IP_LINKS).uris(debianRegistry())].sort()).toEqual(theirs);
  });
});

// Links resolved against a base, as HTML.pm's target_uri resolves them (dot segments included).
const RESOLVED: readonly [string, string][] = [
  ['http://198.51.100.5/dir/', '/ads/x.jpg'],
  ['http://198.51.100.5/dir/', 'img/../a/./b.gif'],
  ['http://198.51.100.5/dir/page', '../../up/x'],
  ['http://198.51.100.5/dir/', '?q=1'],
  ['http://198.51.100.5/dir/', '#frag'],
  ['http://198.51.100.5/dir/', '//www.example.com/x'],
  ['http://198.51.100.5/dir/', 'http:rel/./x'],
  ['', '0'],
  ['', 'a/b/../../../c/.'],
  ['', '//www2.example.com/p/..'],
  ['ftp://f.example/', 'x/..'],
];
const TARGET_URI_HARNESS = String.raw`
use Mail::SpamAssassin::HTML; use JSON::PP; local $/;
print encode_json([ map { Mail::SpamAssassin::HTML::target_uri($_->[0], $_->[1]) }
  @{ decode_json(<STDIN>) } ]);`;

describeWithPeer(debianSpamAssassin, "links against HTML.pm's target_uri", () => {
  it('resolves each link as target_uri does', () => {
    const theirs = JSON.parse(
      execFileSync('perl', ['-e', TARGET_URI_HARNESS], {
        input: JSON.stringify(RESOLVED),
      }).toString(),
    ) as string[];
    expect(RESOLVED.map(([base, link]) => [base, link, targetUri(base, link)])).toEqual(
      RESOLVED.map(([base, link], n) => [base, link, theirs[n]]),
    );
  });
});

// Trimming the end of a link or host with a `[class]+$` regex costs time quadratic in a run of
// that class which does not reach the end (V8 tries the run from each of its octets): 80 KB of
// spaces before an `x` took 6 s. Each trim now starts only where a run starts: linear.
describe('trailing white space and punctuation on hostile links, 100 times MAX_URI_LENGTH', () => {
  const RUN = 100 * MAX_URI_LENGTH;
  const spaces = ' '.repeat(RUN);
  const dashes = '-'.repeat(RUN);

  it('canonicalizes URIs with long runs in linear time', () => {
    expect(canonicalizeUri(`http://a.example/x${spaces}`)[0]).toBe('http://a.example/x');
    expect(canonicalizeUri(`http://a.example${dashes}/`)).toContain('http://a.example/');
    for (const uri of [`http://a.example/${spaces}x`, `http://a.example${dashes}b/`]) {
      const canonical = canonicalizeUri(uri);
      expect(canonical.every((each) => each.length <= MAX_URI_LENGTH)).toBe(true);
      expect(canonical[0]!.startsWith('http://a.example')).toBe(true);
    }
  }, 60_000);

  it("trims an HTML link's white space in linear time", () => {
    expect(renderHtml(`<a href="http://a.example/${spaces}">t</a>`).links).toEqual([
      'http://a.example/',
    ]);
    const [link] = renderHtml(`<a href="http://a.example/${spaces}x">t</a>`).links;
    expect(link!.startsWith('http://a.example/')).toBe(true);
  }, 60_000);

  it('trims the punctuation after a URI in text in linear time', () => {
    // A link in text runs to 2,048 characters at most (longer, it is no link, as there): 400
    // links each ending in 2,000 punctuation characters.
    const link = `http://a.example/x${'.,'.repeat(1_000)}`;
    const text = `see ${`${link} `.repeat(400)}and`;
    expect(extractUris([text], [], TEST_REGISTRY)).toContain('http://a.example/x');
  }, 60_000);
});
