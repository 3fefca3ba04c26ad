import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '@mailyard/mime';
import { commandAvailable } from '@mailyard/test-kit';
import {
  type MessageInput,
  type RegistryLists,
  type SmtpFacts,
  type SpamStage,
  type SpamTest,
  type TestHit,
  type ViewEnvelope,
  SaMessageView,
  SaRuleSet,
  emptySaConfig,
  parseCfFile,
} from '../src/index.js';

export function message(text: string | Uint8Array): MessageInput {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return { bytes, summary: summarize(bytes) };
}

export const FACTS: SmtpFacts = {
  clientIp: '198.51.100.7',
  helo: 'mx.example.net',
  mailFrom: 'sender@example.net',
  rcptTo: ['bob@example.com'],
  authenticated: false,
};

/** A test module that always finds the given hits: the engine's own logic under test. */
export function fixedTest(
  name: string,
  stage: SpamStage,
  hits: readonly Omit<TestHit, 'name'>[],
  extra: Partial<SpamTest> = {},
): SpamTest & { runs: number } {
  const test = {
    name,
    stage,
    kind: 'rating' as const,
    runs: 0,
    run() {
      test.runs++;
      return hits.map((hit) => ({ name, ...hit }));
    },
    ...extra,
  };
  return test;
}

export function scoring(name: string, score: number, stage: SpamStage = 'content') {
  return fixedTest(name, stage, [{ effect: 'score', score, description: `${name} fired` }]);
}

export const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Debian's SpamAssassin, the oracle the rule tests compare with (its rules and its command). */
export const debianSpamAssassin = {
  name: "Debian's spamassassin",
  available: existsSync('/usr/share/spamassassin/50_scores.cf') && commandAvailable('spamassassin'),
  install: 'apt-get install spamassassin',
};

/**
 * One of Debian's rule files (latin1), or null where the spamassassin package is not installed
 * (ENOENT only: any other failure to read fails the test).
 */
export function debianRuleFile(name: string): string | null {
  try {
    return readFileSync(`/usr/share/spamassassin/${name}`, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** A few TLDs, for views whose text URIs a test reads (`uris(TEST_REGISTRY)`). */
export const TEST_REGISTRY: RegistryLists = {
  validTlds: new Set(['com', 'net', 'org', 'ie', 'uk', 'kr', 'example']),
  twoLevelDomains: new Set(['co.uk']),
  threeLevelDomains: new Set(),
};

/**
 * Debian's TLD and registry lists (20_aux_tlds.cf), as Debian's SpamAssassin reads them, for a
 * test that compares URIs with it; TEST_REGISTRY where the package is not installed.
 */
export function debianRegistry(): RegistryLists {
  const text = debianRuleFile('20_aux_tlds.cf');
  if (text === null) return TEST_REGISTRY;
  const config = emptySaConfig();
  parseCfFile(config, '20_aux_tlds.cf', text);
  return config;
}

/**
 * What SpamAssassin's own Perl gives for each message, all asked in one process (compiling the
 * rules costs seconds): `expression` is Perl over `$pms` (the message's PerMsgStatus) that gives
 * an array reference of strings, such as `$pms->get_decoded_stripped_body_text_array()`.
 * Octets in and out: the messages are binary strings, and so are the answers (characters over
 * U+00FF come back in UTF-8).
 */
export function spamAssassinEach(messages: readonly string[], expression: string): string[][] {
  const harness = String.raw`
use Mail::SpamAssassin; use JSON::PP; local $/;
my $sa = Mail::SpamAssassin->new({ local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => "/dev/null" });
$sa->init(1);
my @out;
for my $text (@{ JSON::PP->new->latin1->decode(<STDIN>) }) {
  utf8::downgrade($text);
  my $msg = $sa->parse($text);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  push @out, [ map { my $o = $_; utf8::encode($o) if utf8::is_utf8($o); $o } @{ ${expression} } ];
  $pms->finish(); $msg->finish();
}
print JSON::PP->new->latin1->encode(\@out);`;
  return JSON.parse(
    execFileSync('perl', ['-e', harness], {
      input: Buffer.from(JSON.stringify(messages), 'latin1'),
      maxBuffer: 1 << 28,
    }).toString('latin1'),
  ) as string[][];
}

/** How ruleFirer reports the names: the defaults are what most rule tests compare with. */
export interface RuleFirerOptions {
  /** Keep the `__` sub-rules among the names (default false). */
  readonly subrules?: boolean;
  /** Sort the names (default true); false keeps the order the rule set gives them in. */
  readonly sorted?: boolean;
}

/** What a message fires, and the rule set compiled (for its `unsupported` rules). */
export interface RuleFirer {
  (text: string | Uint8Array, envelope?: ViewEnvelope): string[];
  readonly rules: SaRuleSet;
}

/**
 * A rule set of its own, compiled from `.cf` text, and what it fires on a message (with the
 * envelope given, if any): the rule names, sorted, without the `__` sub-rules, unless the
 * options say otherwise.
 */
export function ruleFirer(cfText: string, options: RuleFirerOptions = {}): RuleFirer {
  const { subrules = false, sorted = true } = options;
  const config = emptySaConfig();
  parseCfFile(config, 'test.cf', cfText);
  const rules = SaRuleSet.compile(config);
  const fire = (text: string | Uint8Array, envelope: ViewEnvelope = { mailFrom: null }) => {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const names = rules
      .evaluate(new SaMessageView(bytes, summarize(bytes), envelope), 0)
      .map((hit) => hit.name)
      .filter((name) => subrules || !name.startsWith('__'));
    return sorted ? names.sort() : names;
  };
  return Object.assign(fire, { rules });
}

/** Which rule files the oracle reads besides the `.cf` text it is given. */
export interface OracleOptions {
  /**
   * `debian` (the default): Debian's rule files, its site configuration and the user's prefs,
   * the text added after them, as `spamassassin -L -t --cf=LINE...` reads them. `alone`: the
   * text only, as `spamassassin -L -t -C DIR --siteconfigpath=EMPTY -p EMPTY` reads a DIR that
   * holds it: no rule and no plugin the text does not load itself.
   */
  readonly rules?: 'debian' | 'alone';
}

/**
 * The oracle's answer: the rules among `names` that Debian's `spamassassin -L -t` (Bayes off)
 * fires on a message, with the `.cf` lines given added to its own rule files (give each rule
 * a score: the report lists only rules that score), sorted.
 */
export function spamAssassinFired(
  mail: string | Uint8Array,
  cfText: string,
  names: RegExp,
  options: OracleOptions = {},
): string[] {
  return spamAssassinFiredEach([mail], cfText, names, options)[0]!;
}

/**
 * spamAssassinFired for many messages, in one SpamAssassin process (spamassassin-oracle.pl):
 * each `spamassassin` run compiles the whole rule set again, seconds of CPU, so a test with a
 * hundred fixtures took minutes that way. Ask once per test file (in a `beforeAll`), not once
 * per message. Throws, never answers "nothing fired", when SpamAssassin fails or leaves a message
 * unanswered: a test comparing "we fire nothing" with its answer must not pass on a silent oracle.
 */
export function spamAssassinFiredEach(
  mails: readonly (string | Uint8Array)[],
  cfText: string,
  names: RegExp,
  options: OracleOptions = {},
): string[][] {
  // No message to ask about is a test that would assert nothing (an empty fixture directory).
  if (mails.length === 0) throw new Error("SpamAssassin's oracle asked about no message");
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-sa-oracle-'));
  try {
    // The rules in a directory of their own: in `alone` mode it is the whole configuration.
    const rules = join(directory, 'rules');
    const site = join(directory, 'site');
    mkdirSync(rules);
    mkdirSync(site);
    const cf = join(rules, 'rules.cf');
    writeFileSync(cf, cfText);
    const files = mails.map((mail, index) => {
      const file = join(directory, `${index}.eml`);
      writeFileSync(file, mail);
      return file;
    });
    const mode = options.rules === 'alone' ? [`--alone=${site}`] : [];
    const output = execFileSync(
      'perl',
      [join(import.meta.dirname, 'spamassassin-oracle.pl'), ...mode, cf, ...files],
      { maxBuffer: 1 << 26 },
    ).toString();
    return readOracleAnswers(output, files).map((fired) =>
      [...new Set(fired.filter((name) => names.test(name)))].sort(),
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * The rules spamassassin-oracle.pl says each message file hit, in the files' order, from its
 * "FILE<TAB>RULE,RULE" lines. Throws on a line of another shape and on a file it did not answer
 * for: a missing answer is a failure, not a message that fired nothing.
 */
export function readOracleAnswers(output: string, files: readonly string[]): string[][] {
  const answers = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error(`SpamAssassin's oracle printed a line of no answer: ${line}`);
    const rules = line.slice(tab + 1);
    answers.set(
      line.slice(0, tab),
      rules.split(',').filter((name) => name !== ''),
    );
  }
  return files.map((file, index) => {
    const fired = answers.get(file);
    if (fired === undefined)
      throw new Error(`SpamAssassin's oracle gave no answer for message ${index} (${file})`);
    return fired;
  });
}
