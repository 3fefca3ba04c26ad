// What `if can(...)` answers in the rule files: as SpamAssassin 4.0.1 itself answers (its
// Conf/Parser.pm: the sub exists and returns true, after the default plugins are loaded), but
// for the features Mailyard leaves out on purpose (FEATURES_NOT_BUILT).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandAvailable, describeWithPeer } from '@mailyard/test-kit';
import { expect, it } from 'vitest';
import { DEFAULT_ENVIRONMENT, FEATURES_NOT_BUILT, evaluateCondition } from '../src/index.js';

const RULES = '/usr/share/spamassassin';
/** Asks SpamAssassin, as its parser asks, about each name given. */
const ASK_PERL = `
use Mail::SpamAssassin;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1 });
$sa->init(1);
no strict 'refs';
for my $name (@ARGV) {
  my ($module, $sub) = $name =~ /^(.*)::(\\w+)$/;
  print "$name ", (($module->can($sub) && &{$name}()) ? 1 : 0), "\\n";
}
`;

const spamassassin = {
  name: "Debian's spamassassin",
  available: existsSync(`${RULES}/50_scores.cf`) && commandAvailable('spamassassin'),
  install: 'apt-get install spamassassin',
};

describeWithPeer(spamassassin, "can() in Debian's rule files", () => {
  it('answers as SpamAssassin 4.0.1 does, but for the features not built', () => {
    const names = new Set<string>();
    for (const file of readdirSync(RULES).filter((f) => f.endsWith('.cf')))
      for (const match of readFileSync(join(RULES, file), 'latin1').matchAll(
        /can\(([A-Za-z_:]+)\)/g,
      ))
        names.add(match[1]!);
    expect(names.size).toBeGreaterThan(10);
    const answers = execFileSync('perl', ['-e', ASK_PERL, ...names]).toString();
    const theirs = new Map(
      answers
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
    expect(theirs.size).toBe(names.size);
    for (const name of names) {
      const expected = theirs.get(name) === '1' && !FEATURES_NOT_BUILT.has(name);
      expect([name, evaluateCondition(`can(${name})`, DEFAULT_ENVIRONMENT)]).toEqual([
        name,
        expected,
      ]);
    }
    // The ones left out are features SpamAssassin has.
    for (const name of FEATURES_NOT_BUILT) expect([name, theirs.get(name)]).toEqual([name, '1']);
  });
});
