// The rule files' redirector_patterns, against Util.pm's own uri_list_canonicalize with
// Debian's configuration (its patterns and TLD lists).
import { execFileSync } from 'node:child_process';
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type SaConfig,
  emptySaConfig,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
  parseCfFile,
} from '../src/index.js';
import { compiledRedirectors } from '../src/spamassassin/redirector-patterns.js';
import { canonicalizeUri } from '../src/spamassassin/uri-canonicalize.js';
import { debianSpamAssassin } from './helpers.js';

const URIS = [
  'http://chkpt.zdnet.com/chkpt/abc/www.spam.example/x',
  'http://www2.nate.com/r/abc/spam.example.com',
  'http://www.foo.gov/externalLink.jhtml?x=1&url=http://spam.example/&y=2',
  'http://redir.internet.com/a/b/spam.example.com/',
  'http://ads.adtech.de/x;link=spam.example.com;y',
  'http://h.example/redirect.php?a=1&goto=spam.example.com&b=2',
  'http://h.example/redirect.php?goto=first.example&goto=second.example',
  'http://emf1.com/r.cfm?x=1&r=www.spam.example',
  'http://h.example/index.php?x=1&URL=www.spam.example&z=1',
  'http://h.example/?URL=www.spam.example',
  'http://www.google.com/url?sa=t&q=http://spam.example/&usg=x',
  'http://google.co.uk/url?q=spam.example.com&q=other.example',
  'http://www.google.com/translate?u=http://spam.example/',
  'http://www.google.com/pagead/iclk?sa=1&adurl=http://spam.example/',
  'http://aol.com/redir.adp?_url=http://spam.example/',
  // Google's searches: a look-behind at `%20` or two characters and one of `=+` or a space.
  'http://www.google.com/search?q=foo%20site:spam.example.com&x=1',
  'http://www.google.com/search?hl=en&q=a+inurl:spam.example.com',
  'http://www.google.com/search?q=%22spam.example.com%22',
  'http://www.google.com/search?q=x+"spam.example.com"+y',
  'https://facebook.com/l/;www.spam.example',
  // No dot in the pattern's target: the generic `http://` inside is followed instead.
  'http://h.example/redirect.php?goto=nodot&x=http://generic.example/',
  'http://rd.yahoo.com/x/*http://spam.example/',
];

const HARNESS = String.raw`
use Mail::SpamAssassin; use Mail::SpamAssassin::Util qw(uri_list_canonicalize); use JSON::PP;
local $/;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => "/dev/null" });
$sa->init(1);
print encode_json([ map { [ sort(uri_list_canonicalize($sa->{conf}->{redirector_patterns}, [$_],
  $sa->{registryboundaries})) ] } @{ decode_json(<STDIN>) } ]);`;

describe('redirector_pattern', () => {
  it('reads the patterns and runs them, a look-behind included', () => {
    const config = emptySaConfig();
    parseCfFile(
      config,
      'r.cf',
      "redirector_pattern m'^http.*?/redirect\\.php\\?.*(?<=[?&])goto=(.*?)(?:$|[&\\#])'i\nutil_rb_tld example",
    );
    expect(config.redirectorPatterns).toHaveLength(1);
    expect(compiledRedirectors(config.redirectorPatterns)).toHaveLength(1);
    expect(canonicalizeUri('http://h.example/redirect.php?goto=t.example', config)).toContain(
      'http://t.example',
    );
  });
});

describeWithPeer(debianSpamAssassin, 'redirector patterns against Util.pm', () => {
  let config: SaConfig;
  beforeAll(async () => {
    const directory = await findDebianRuleDirectory();
    if (!directory) throw new Error("Debian's rules are not installed");
    config = (await loadSpamAssassinConfig(directory)).config;
  });

  it('runs every one of Debian’s patterns', () => {
    expect(config.redirectorPatterns.length).toBeGreaterThan(10);
    expect(compiledRedirectors(config.redirectorPatterns)).toHaveLength(
      config.redirectorPatterns.length,
    );
  });

  it('runs the patterns in time linear in a hostile URI', () => {
    for (const uri of [
      `http://www.google.com/search?q=${'%20a+&'.repeat(2_000)}`,
      `http://h.example/redirect.php?${'&goto'.repeat(2_000)}=x.example`,
      `http://h.example/index.php?${'?&'.repeat(4_000)}URL=x.example`,
    ])
      expect(canonicalizeUri(uri, config).length).toBeGreaterThan(0);
  }, 60_000);

  it('gives the spellings uri_list_canonicalize gives', () => {
    const theirs = JSON.parse(
      execFileSync('perl', ['-e', HARNESS], { input: JSON.stringify(URIS) }).toString(),
    ) as string[][];
    expect(URIS.map((uri) => [uri, canonicalizeUri(uri, config).sort()])).toEqual(
      URIS.map((uri, n) => [uri, theirs[n]]),
    );
  });
});
