// The `mailyard-spam` command, run as users run it: the built bin (dist/cli.js) under node, real files.
// turbo's test task builds the package first (turbo.json); a test that ran tsup itself emptied
// dist/ while other packages' tasks read its index.d.ts (a CI run failed so).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACKAGE = join(import.meta.dirname, '..');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'messages');
const SPAM_WORDS =
  'viagra cialis pills cheap offer winner prize casino loan credit discount replica'.split(' ');
const HAM_WORDS =
  'meeting minutes schedule release review patch build agenda lunch project report deadline'.split(
    ' ',
  );

function text(kind: 'spam' | 'ham', n: number): string {
  const words = kind === 'spam' ? SPAM_WORDS : HAM_WORDS;
  const body = Array.from({ length: 30 }, (_, i) => words[(n * 7 + i * 3) % words.length]).join(
    ' ',
  );
  return `From: ${kind}@${kind}.example\nSubject: ${words[n % words.length]} ${n}\nMessage-ID: <${kind}-${n}@x>\n\n${body} unique${n}\n`;
}

async function spamCommand(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/cli.js', ...args], {
      cwd: PACKAGE,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('mailyard-spam', () => {
  let dir: string;
  let db: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailyard-spam-cli-'));
    db = join(dir, 'bayes.json');
    for (const kind of ['spam', 'ham'] as const) {
      await mkdir(join(dir, kind, 'nested'), { recursive: true });
      for (let i = 0; i < 200; i++) {
        const sub = i % 2 ? join(dir, kind, 'nested') : join(dir, kind);
        await writeFile(join(sub, `${kind}-${i}.eml`), text(kind, i));
      }
      await writeFile(join(dir, kind, '.hidden'), 'not a message');
    }
  }, 180_000);

  it('learns spam and ham from directories (recursively) into a database file, each message once', async () => {
    const spam = await spamCommand('learn', '--db', db, '--spam', join(dir, 'spam'));
    expect(spam).toEqual({
      code: 0,
      stdout: 'learned 200 of 200 messages as spam; the database holds 200 spam and 0 ham\n',
      stderr: '',
    });
    const ham = await spamCommand(
      'learn',
      '--db',
      db,
      '--ham',
      join(dir, 'ham'),
      join(dir, 'ham', 'ham-0.eml'),
    );
    expect(ham.stdout).toBe(
      'learned 200 of 201 messages as ham; the database holds 200 spam and 200 ham\n',
    );
    expect(JSON.parse(await readFile(db, 'utf8'))).toMatchObject({
      format: 'mailyard-bayes',
      spam: 200,
      ham: 200,
    });
  });

  it('scores each message: PATH, TAB, the 0-10 score, TAB, spam or ham; exits 0', async () => {
    const spamFile = join(dir, 'new-spam.eml');
    const hamFile = join(dir, 'new-ham.eml');
    const garbage = join(dir, 'garbage.eml');
    await writeFile(spamFile, text('spam', 1000));
    await writeFile(hamFile, text('ham', 1000));
    await writeFile(garbage, Buffer.from([0, 0xff, 0xfe, 10, 13, 0x80, 58, 58, 10, 10, 0xc3]));
    const scored = await spamCommand('score', '--db', db, '--no-rules', spamFile, hamFile, garbage);
    expect(scored.code).toBe(0);
    const lines = scored.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(lines.map(([path, , verdict]) => [path, verdict])).toEqual([
      [spamFile, 'ham'],
      [hamFile, 'ham'],
      [garbage, 'ham'],
    ]);
    // Bayes alone tops out at BAYES_99 + BAYES_999, under the tag score of 5 (as in
    // SpamAssassin): it moves a message, the rules decide.
    expect(lines.map(([, score]) => score)).toEqual(['4.00', '0.00', '0.00']);
  });

  it.skipIf(!existsSync('/usr/share/spamassassin/50_scores.cf'))(
    "scores GTUBE 10 with Debian's SpamAssassin rules, read from where the package puts them",
    async () => {
      const scored = await spamCommand(
        'score',
        '--db',
        join(dir, 'empty.json'),
        join(FIXTURES, 'gtube.eml'),
        join(FIXTURES, 'ham.eml'),
      );
      expect(scored.stdout).toBe(
        `${join(FIXTURES, 'gtube.eml')}\t10.00\tspam\n${join(FIXTURES, 'ham.eml')}\t0.00\tham\n`,
      );
      expect(existsSync(join(dir, 'empty.json'))).toBe(false);
    },
  );

  it('gives a line to a message it cannot read, says why on stderr, and still exits 0', async () => {
    const missing = join(dir, 'missing.eml');
    const scored = await spamCommand(
      'score',
      '--db',
      db,
      '--no-rules',
      missing,
      join(dir, 'ham', 'ham-0.eml'),
    );
    expect(scored.code).toBe(0);
    expect(scored.stdout).toBe(
      `${missing}\t0.00\tham\n${join(dir, 'ham', 'ham-0.eml')}\t0.00\tham\n`,
    );
    expect(scored.stderr).toMatch(/missing\.eml: ENOENT/);
  });

  it('fails a learn from a path it cannot read, and keeps the database as it was', async () => {
    const before = await readFile(db, 'utf8');
    const result = await spamCommand(
      'learn',
      '--db',
      db,
      '--spam',
      join(dir, 'spam', 'spam-0.eml'),
      join(dir, 'missing.eml'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/ENOENT/);
    expect(await readFile(db, 'utf8')).toBe(before);
  });

  it("is the package's bin: a built file that starts with a hashbang", async () => {
    const manifest = JSON.parse(await readFile(join(PACKAGE, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(manifest.bin).toEqual({ 'mailyard-spam': './dist/cli.js' });
    expect(
      (await readFile(join(PACKAGE, 'dist', 'cli.js'), 'utf8')).startsWith('#!/usr/bin/env node\n'),
    ).toBe(true);
  });

  it('explains its usage on a wrong command line (exit 2)', async () => {
    for (const args of [
      [],
      ['frobnicate'],
      ['learn', '--db', db, 'x'],
      ['learn', '--db', db, '--spam', '--ham', 'x'],
      ['score', 'x'],
      ['score', '--db', db],
      ['score', '--bogus'],
      ['score', '--db', db, '--reset', 'x'],
    ]) {
      const result = await spamCommand(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('usage:');
    }
    expect((await spamCommand('--help')).stdout).toContain(
      'mailyard-spam learn --db FILE [--reset] [--rules DIR | --no-rules] (--spam|--ham) PATH...',
    );
  });

  it('refuses a database file that is not one, without touching it', async () => {
    const bogus = join(dir, 'bogus.json');
    await writeFile(bogus, 'hello');
    const result = await spamCommand(
      'learn',
      '--db',
      bogus,
      '--spam',
      join(dir, 'spam', 'spam-0.eml'),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a Bayes database');
    expect(await readFile(bogus, 'utf8')).toBe('hello');
  });

  it('warns of messages it did not learn because the database is at its hard limit', async () => {
    // A database at the hard limit (600,000 tokens), all of them as recent as the new mail: an
    // expiry has nothing old enough to forget, so no new message is learned.
    const full = join(dir, 'full.json');
    const recent = Math.floor(Date.now() / 1000);
    const tokens: Record<string, [number, number, number]> = {};
    for (let i = 0; i < 600_000; i++) tokens[`w${i}`] = [1, 0, recent];
    const fullText = JSON.stringify({
      ...(JSON.parse(await readFile(db, 'utf8')) as object),
      tokens,
      newest: recent,
    });
    await writeFile(full, fullText);
    const fresh = join(dir, 'fresh');
    await mkdir(fresh);
    for (let i = 0; i < 5; i++) await writeFile(join(fresh, `${i}.eml`), text('ham', 5000 + i));
    const learned = await spamCommand('learn', '--db', full, '--no-rules', '--ham', fresh);
    expect(learned.code).toBe(0);
    expect(learned.stdout).toMatch(/^learned 0 of 5 messages as ham;/);
    expect(learned.stderr).toMatch(
      /^mailyard-spam: warning: .*full\.json: 5 messages not learned: the database is at its hard limit/,
    );
    // 600,000 tokens read, expired once (not once per message: nothing changed in between) and
    // written: seconds alone, tens of seconds beside the rest of CI's tests.
  }, 240_000);

  it('on a database of an older tokenizer: score warns and leaves Bayes out, learn refuses unless --reset', async () => {
    // The same counts as the store wrote them before it kept the tokenizer's version.
    const old = join(dir, 'old.json');
    const { tokenizer, ...withoutVersion } = JSON.parse(await readFile(db, 'utf8')) as Record<
      string,
      unknown
    >;
    expect(tokenizer).toBeGreaterThan(1);
    const oldText = JSON.stringify(withoutVersion);
    await writeFile(old, oldText);
    const spamFile = join(dir, 'new-spam.eml');
    await writeFile(spamFile, text('spam', 1000));

    const scored = await spamCommand('score', '--db', old, '--no-rules', spamFile);
    expect(scored).toEqual({
      code: 0,
      stdout: `${spamFile}\t0.00\tham\n`,
      stderr: expect.stringMatching(
        /^mailyard-spam: warning: .*old\.json: the Bayes database was learned with tokenizer version 1, older than this one .*learn --reset/,
      ),
    });

    const refused = await spamCommand('learn', '--db', old, '--spam', join(dir, 'spam'));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /old\.json was learned with Bayes tokenizer version 1, .*--reset/,
    );
    expect(await readFile(old, 'utf8')).toBe(oldText);

    const reset = await spamCommand('learn', '--db', old, '--reset', '--spam', join(dir, 'spam'));
    expect(reset).toEqual({
      code: 0,
      stdout: 'learned 200 of 200 messages as spam; the database holds 200 spam and 0 ham\n',
      stderr: '',
    });
    const ham = await spamCommand('learn', '--db', old, '--ham', join(dir, 'ham'));
    expect(ham.stdout).toBe(
      'learned 200 of 200 messages as ham; the database holds 200 spam and 200 ham\n',
    );
    expect(JSON.parse(await readFile(old, 'utf8'))).toMatchObject({ tokenizer });
    const rescored = await spamCommand('score', '--db', old, '--no-rules', spamFile);
    expect(rescored).toEqual({ code: 0, stdout: `${spamFile}\t4.00\tham\n`, stderr: '' });
  });
});

// The rule files' Bayes settings (bayes_ignore_header, bayes_stopword_xx) must shape the tokens
// learn writes and the tokens score looks up alike; before, learn read no rule files at all and
// score's Bayes ignored the ones it loaded.
describe("mailyard-spam: the rule files' Bayes settings, for learn and score alike", () => {
  let dir: string;
  // Spam and ham differ only by a header the rule files tell Bayes to ignore and by a word they
  // make a stopword; all else is the same words in both, or unique to one message (the number,
  // which also makes each body's MIME:<sha1> token its own).
  const message = (n: number, spam: boolean, extraBody = '') =>
    `From: someone@example.test\nSubject: note ${n}\nMessage-ID: <${n}@example.test>\n` +
    `${spam ? 'X-Campaign: blast\n' : ''}\nweekly agenda review minutes ${n} ${extraBody}\n`;
  const tokensOf = async (db: string) =>
    Object.keys((JSON.parse(await readFile(db, 'utf8')) as { tokens: object }).tokens);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailyard-spam-rules-'));
    await mkdir(join(dir, 'rules'));
    await writeFile(
      join(dir, 'rules', 'bayes.cf'),
      'bayes_ignore_header X-Campaign\nbayes_stopword_en (?:zorgle)\n',
    );
    for (const kind of ['spam', 'ham'] as const) {
      await mkdir(join(dir, kind));
      for (let i = 0; i < 200; i++) {
        const n = kind === 'spam' ? i : 200 + i;
        await writeFile(
          join(dir, kind, `${n}.eml`),
          message(n, kind === 'spam', kind === 'spam' ? 'zorgle' : ''),
        );
      }
    }
    // One message with the ignored header only, one with the stopword only.
    await writeFile(join(dir, 'header.eml'), message(1000, true));
    await writeFile(join(dir, 'stopword.eml'), message(1001, false, 'zorgle'));
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const learnAndScore = async (db: string, rules: string[]) => {
    for (const kind of ['spam', 'ham'] as const)
      expect(
        (await spamCommand('learn', '--db', db, ...rules, `--${kind}`, join(dir, kind))).code,
      ).toBe(0);
    const scored = await spamCommand(
      'score',
      '--db',
      db,
      ...rules,
      join(dir, 'header.eml'),
      join(dir, 'stopword.eml'),
    );
    expect(scored.code).toBe(0);
    return scored.stdout;
  };

  it('learns and scores without the ignored header and the stopword when the rules say so', async () => {
    const db = join(dir, 'with-rules.json');
    const stdout = await learnAndScore(db, ['--rules', join(dir, 'rules')]);
    const tokens = await tokensOf(db);
    expect(tokens.filter((token) => /campaign|zorgle/i.test(token))).toEqual([]);
    expect(tokens).toContain('agenda');
    // Spam and ham learned the same tokens: nothing in either message says spam (no Bayes hit).
    expect(stdout).toBe(
      `${join(dir, 'header.eml')}\t0.00\tham\n${join(dir, 'stopword.eml')}\t0.00\tham\n`,
    );
  });

  it('reads the header and the word without rule files (--no-rules), for learn and score alike', async () => {
    const db = join(dir, 'without-rules.json');
    const stdout = await learnAndScore(db, ['--no-rules']);
    const tokens = await tokensOf(db);
    expect(tokens.filter((token) => /zorgle/.test(token))).toEqual(['zorgle']);
    expect(tokens.some((token) => /^HX-Campaign:/i.test(token))).toBe(true);
    // Tokens seen in 200 spam and no ham, against a few neutral ones: Fisher's combining of so
    // few strong tokens says BAYES_60 (2.5).
    expect(stdout).toBe(
      `${join(dir, 'header.eml')}\t2.50\tham\n${join(dir, 'stopword.eml')}\t2.50\tham\n`,
    );
  });
});
