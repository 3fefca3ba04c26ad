/**
 * Sieve throughput: the 6,046 messages of the SpamAssassin public corpus through a 50-rule script
 * (headers, addresses, sizes, variables, and body and regex rules when @mailyard/sieve has those
 * extensions), compiled once and run on each message in process, against Pigeonhole (Debian
 * `dovecot-sieve`): `sieve-filter` running the same script over the same messages in a maildir
 * (a dry run: it evaluates and reports, stores nothing). Pigeonhole's figure includes reading
 * each message from disk, ours starts from the bytes in memory; a one-message run of sieve-filter
 * is subtracted as its start-up. Both runs' actions are counted per folder and compared: the
 * benchmark says how many messages were filed the same way.
 *
 * Then the compile time of a 1,000-rule script (median of rounds), ours and sievec's.
 *
 * Usage: npm run bench:sieve -w @mailyard/bench [-- --rounds N]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDARD_EXTENSIONS, SieveMessage, compileSieve, runScript } from '@mailyard/sieve';
import { commandAvailable } from '@mailyard/test-kit';
import { loadSpamAssassinCorpus } from './corpus.js';
import { formatRate, measure } from './measure.js';

const option = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

const has = (capability: string) => STANDARD_EXTENSIONS.some((e) => e.capability === capability);

/** The 50 rules: each files into a folder of its own and goes on, so every rule is evaluated. */
export function benchScript(rules = 50): string {
  const words = [
    'free',
    'money',
    'offer',
    'click',
    'win',
    'credit',
    'loan',
    'cheap',
    'sale',
    'urgent',
  ];
  const domains = ['yahoo.com', 'hotmail.com', 'aol.com', 'msn.com', 'example.com'];
  const tests: string[] = [
    ...words.map((w) => `header :contains "subject" "${w}"`),
    ...domains.map((d) => `address :domain :is "from" "${d}"`),
    ...domains.map((d) => `address :domain :is ["to", "cc"] "${d}"`),
    ...['*Outlook*', '*Mozilla*', '*Mutt*', '*Eudora*', '*Microsoft*'].map(
      (p) => `header :matches "x-mailer" "${p}"`,
    ),
    ...['list-id', 'list-unsubscribe', 'x-spam-status', 'in-reply-to', 'references'].map(
      (h) => `exists "${h}"`,
    ),
    ...['5K', '10K', '20K', '50K', '100K'].map((s) => `size :over ${s}`),
    // Pigeonhole's string test defaults to i;octet, against RFC 5228 2.7.3: name the comparator.
    ...words
      .slice(0, 5)
      .map(
        (w) => `string :contains :comparator "i;ascii-casemap" "\${subject}" "${w.toUpperCase()}"`,
      ),
  ];
  if (has('body'))
    tests.push(
      ...['unsubscribe', 'remove', 'viagra', 'mortgage', 'guarantee'].map(
        (w) => `body :text :contains "${w}"`,
      ),
    );
  else
    tests.push(
      ...['Hello', 'Dear', 'Re:', 'Fwd:', 'Re: Re:'].map(
        (w) => `header :contains "subject" "${w}"`,
      ),
    );
  if (has('regex'))
    tests.push(
      ...['[0-9]{3,}', '^re:', '!!+', '\\\\$[0-9]', '[A-Z]{5,}'].map(
        (r) => `header :regex "subject" "${r}"`,
      ),
    );
  else
    tests.push(
      ...['*!!*', 're:*', '*$*', '*?*', '[*]*'].map((p) => `header :matches "subject" "${p}"`),
    );
  const require = [
    'fileinto',
    'variables',
    ...(has('body') ? ['body'] : []),
    ...(has('regex') ? ['regex'] : []),
  ];
  const lines = [
    `require ${JSON.stringify(require)};`,
    'set "subject" "";',
    'if header :matches "subject" "*" { set "subject" "${1}"; }',
  ];
  for (let i = 0; i < rules; i++) lines.push(`if ${tests[i % tests.length]} { fileinto "F${i}"; }`);
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const rounds = option('rounds', 3);
  const corpus = loadSpamAssassinCorpus();
  const script = benchScript();
  const compiled = compileSieve(script);
  if (!compiled.script)
    throw new Error(compiled.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  const program = compiled.script;
  console.log(
    `${corpus.length} messages, a ${script.split('\n').length}-line script (body: ${has('body')}, regex: ${has('regex')})`,
  );

  const ours = new Map<string, number>();
  const run = () => {
    ours.clear();
    for (const bytes of corpus) {
      const result = runScript(program, {
        message: new SieveMessage(bytes),
        envelope: { from: 'a@b.c', to: 'me@x.test' },
      });
      for (const action of result.actions) {
        const folder =
          action.type === 'fileinto'
            ? action.mailbox
            : action.type === 'keep'
              ? 'INBOX'
              : action.type;
        ours.set(folder, (ours.get(folder) ?? 0) + 1);
      }
    }
  };
  const mine = await measure('mailyard', rounds, async () => run());
  console.log(`Mailyard   ${formatRate(corpus.length / mine.seconds, 'msg/s')}`);

  if (!commandAvailable('sieve-filter')) {
    console.log(
      'Pigeonhole: sieve-filter is not installed (apt-get install dovecot-sieve); no comparison',
    );
    return;
  }
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-bench-sieve-'));
  try {
    const pigeonhole = pigeonholeRunner(directory, corpus, script);
    const startup = await measure('startup', rounds, async () => void pigeonhole.run('one'));
    const whole = await measure('pigeonhole', rounds, async () => void pigeonhole.run('all'));
    const seconds = Math.max(whole.seconds - startup.seconds, 1e-6);
    console.log(
      `Pigeonhole ${formatRate(corpus.length / seconds, 'msg/s')}  (sieve-filter, start-up ${(startup.seconds * 1000).toFixed(0)} ms subtracted)`,
    );
    console.log(`ratio      ${(seconds / mine.seconds).toFixed(2)}x`);
    const theirs = countActions(pigeonhole.run('all', true));
    const folders = new Set([...ours.keys(), ...theirs.keys()]);
    const differing = [...folders].filter((f) => (ours.get(f) ?? 0) !== (theirs.get(f) ?? 0));
    console.log(
      differing.length === 0
        ? `actions    the same: ${[...ours.values()].reduce((a, b) => a + b, 0)} in ${folders.size} folders`
        : `actions    differ in ${differing.map((f) => `${f} (ours ${ours.get(f) ?? 0}, Pigeonhole ${theirs.get(f) ?? 0})`).join(', ')}`,
    );

    const big = benchScript(1000);
    writeFileSync(join(directory, 'big.sieve'), big);
    const compileOurs = await measure('compile', rounds, async () => void compileSieve(big));
    const compileTheirs = await measure('sievec', rounds, async () => {
      execFileSync('sievec', [
        '-c',
        join(directory, 'dovecot.conf'),
        join(directory, 'big.sieve'),
        join(directory, 'big.svbin'),
      ]);
    });
    console.log(
      `compile of a 1,000-rule script: Mailyard ${(compileOurs.seconds * 1000).toFixed(1)} ms, sievec ${(compileTheirs.seconds * 1000).toFixed(1)} ms (a process, start-up included)`,
    );
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** A maildir of the corpus and a config for sieve-filter, which will not read mail as root. */
function pigeonholeRunner(directory: string, corpus: readonly Buffer[], script: string) {
  const asRoot = process.getuid?.() === 0;
  const own = (path: string) => {
    if (asRoot) chownSync(path, 65534, 65534);
  };
  for (const [name, messages] of [
    ['all', corpus],
    ['one', corpus.slice(0, 1)],
  ] as const) {
    const maildir = join(directory, name);
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
    messages.forEach((bytes, i) => writeFileSync(join(maildir, 'cur', `${i + 1}.bench:2,`), bytes));
    writeFileSync(
      join(directory, `${name}.conf`),
      (asRoot ? 'mail_uid = nobody\nmail_gid = nogroup\n' : '') +
        `mail_location = maildir:${maildir}\n`,
    );
  }
  writeFileSync(
    join(directory, 'dovecot.conf'),
    asRoot ? 'mail_uid = nobody\nmail_gid = nogroup\n' : '',
  );
  writeFileSync(join(directory, 'bench.sieve'), script);
  chmodSync(directory, 0o777);
  if (asRoot) execFileSync('chown', ['-R', 'nobody:nogroup', directory]);
  own(directory);
  return {
    run(name: 'all' | 'one', verbose = false): string {
      const args = [
        '-c',
        join(directory, `${name}.conf`),
        ...(verbose ? ['-v'] : []),
        join(directory, 'bench.sieve'),
        'INBOX',
      ];
      return execFileSync('sieve-filter', args, {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
  };
}

/** Pigeonhole's -v report, counted like ours: every `store message in folder: X`. */
function countActions(report: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of report.matchAll(/^ \* store message in folder: (.*)$/gm)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}

await main();
