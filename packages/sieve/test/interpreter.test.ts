import { describe, expect, it } from 'vitest';
import {
  compileSieve,
  ExtensionRegistry,
  matchGlob,
  parseGlob,
  runScript,
  SieveMessage,
  SieveResult,
  standardRegistry,
  type SieveExtension,
} from '../src/index.js';
import { bytes, DEFAULT_MESSAGE, run, summary } from './helpers.js';

const ENVELOPE = { from: 'sender@example.com', to: 'recipient@example.org' };

describe('results (RFC 5228 section 2.10)', () => {
  it('a runtime error keeps the message and drops the other actions (2.10.6)', () => {
    const result = run('require ["fileinto", "reject"]; fileinto "A"; reject "no";');
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ line: 1, column: 47 });
    expect(result.error!.message).toContain('conflicts with the fileinto action');
    expect(summary(result.actions)).toEqual(['implicit-keep']);
  });

  it(':copy-style actions keep the implicit keep; others cancel it', () => {
    expect(summary(run('redirect "a@example.com";').actions)).toEqual(['redirect:a@example.com']);
    expect(summary(run('require "fileinto"; fileinto "A"; keep;').actions)).toEqual([
      'fileinto:A',
      'keep',
    ]);
  });

  it('appends several scripts into one result', () => {
    const shared = new SieveResult();
    const first = compileSieve('require "fileinto"; fileinto "A";').script!;
    const second = compileSieve('require "fileinto"; fileinto "A"; fileinto "B";').script!;
    const message = new SieveMessage(bytes(DEFAULT_MESSAGE));
    runScript(first, { message, envelope: ENVELOPE }, { result: shared });
    const outcome = runScript(second, { message, envelope: ENVELOPE }, { result: shared });
    expect(summary(outcome.actions)).toEqual(['fileinto:A', 'fileinto:B']);
  });
});

describe('budgets (limit options)', () => {
  it('maxActions', () => {
    const script =
      'require "fileinto";' + Array.from({ length: 40 }, (_, i) => `fileinto "m${i}";`).join('');
    const result = run(script);
    expect(result.status).toBe('error');
    expect(result.error!.message).toBe('total number of actions exceeds the limit of 32');
  });

  it('maxRedirects', () => {
    const script = Array.from({ length: 5 }, (_, i) => `redirect "u${i}@example.com";`).join('');
    expect(run(script).error!.message).toBe('number of redirect actions exceeds the limit of 4');
  });

  it('maxSteps stops a script that does too much work', () => {
    const keys = JSON.stringify(Array.from({ length: 500 }, (_, i) => `*k${i}*`));
    const script = `if header :matches "subject" ${keys} { keep; }`.repeat(50);
    const compiled = compileSieve(script).script!;
    const result = runScript(
      compiled,
      { message: bytes(DEFAULT_MESSAGE), envelope: ENVELOPE },
      { limits: { maxSteps: 10_000 } },
    );
    expect(result.status).toBe('error');
    expect(result.error!.message).toBe('script exceeded its CPU budget of 10000 steps');
    expect(summary(result.actions)).toEqual(['implicit-keep']);
    const unlimited = runScript(compiled, { message: bytes(DEFAULT_MESSAGE), envelope: ENVELOPE });
    expect(unlimited.status).toBe('completed');
    expect(unlimited.steps).toBeGreaterThan(10_000);
  });

  it('maxExpandedString stops a string of many long references before it takes memory', () => {
    const script = `require "variables"; set "a" "${'x'.repeat(4000)}"; if string :is "${'${a}'.repeat(100_000)}" "" { keep; }`;
    const result = run(script);
    expect(result.status).toBe('error');
    expect(result.error!.message).toBe('a string expands to more than 1048576 characters');
    const small = compileSieve(
      'require "variables"; set "a" "0123456789"; set "b" "${a}${a}${a}";',
    ).script!;
    const limited = runScript(
      small,
      { message: bytes(DEFAULT_MESSAGE), envelope: ENVELOPE },
      { limits: { maxExpandedString: 25 } },
    );
    expect(limited.error!.message).toBe('a string expands to more than 25 characters');
  });

  it('many expanded strings at once are bounded by the step budget', () => {
    const item = `"${'${a}'.repeat(200)}"`;
    const list = `[${Array.from({ length: 1000 }, () => item).join(', ')}]`;
    const script = `require "variables"; set "a" "${'x'.repeat(4000)}"; if string :is ${list} "" { keep; }`;
    const result = run(script);
    expect(result.status).toBe('error');
    expect(result.error!.message).toBe('script exceeded its CPU budget of 10000000 steps');
  });

  it('maxVariableSize cuts values; maxVariables caps names', () => {
    const doubling =
      'require "variables"; set "a" "0123456789";' + 'set "a" "${a}${a}";'.repeat(30);
    const compiled = compileSieve(
      doubling + 'set :length "n" "${a}"; if string :is "${n}" "4096" { keep; }',
    ).script!;
    expect(
      summary(runScript(compiled, { message: bytes(DEFAULT_MESSAGE), envelope: ENVELOPE }).actions),
    ).toEqual(['keep']);
    const many =
      'require "variables";' + Array.from({ length: 300 }, (_, i) => `set "v${i}" "x";`).join('');
    expect(run(many).error!.message).toBe('script sets more than 255 variables');
  });
});

describe('the :matches glob matcher', () => {
  const never = () => {};
  it('captures leftmost-shortest', () => {
    const captures: number[] = [];
    expect(
      matchGlob(parseGlob('*<*@*'), 'Acme <a.b@example.com>', captures, {
        step: never,
        stopped: false,
      }),
    ).toBe(true);
    expect(captures).toEqual([0, 5, 6, 9, 10, 22]);
  });

  it('takes time polynomial in the worst case (no exponential backtracking)', () => {
    const value = 'a'.repeat(20_000);
    let steps = 0;
    expect(
      matchGlob(parseGlob('*a*a*a*a*a*a*a*a*b'), value, null, {
        step: (n: number) => (steps += n),
        stopped: false,
      }),
    ).toBe(false);
    expect(steps).toBeLessThan(20_000 * 20);
  });

  it('charges its whole walk, long literals included, to the budget', () => {
    const literal = 'b'.repeat(100_000);
    let steps = 0;
    const budget = {
      step: (n: number) => void (steps += n),
      get stopped() {
        return steps > 1_000_000;
      },
    };
    expect(matchGlob(parseGlob(`*${literal}c`), 'b'.repeat(200_000), null, budget)).toBe(false);
    // Each starting point compares a 100,000-character literal: charged (6,250 a time), so the
    // budget runs out after some 160 of the 100,000 starting points, and the matcher gives up.
    expect(steps).toBeGreaterThan(1_000_000);
    expect(steps).toBeLessThan(1_100_000);
  });
});

describe('the extension API', () => {
  // An extension written outside the package, through the public API only.
  const tally: SieveExtension = {
    capability: 'x-tally',
    commands: [
      {
        name: 'tally',
        positional: [{ name: 'mailbox', kind: 'string' }],
        tags: [{ name: 'times', argument: { name: 'count', kind: 'number' } }],
        validate(args, context) {
          const times = args.tagNumber('times') ?? 1;
          if (times > 3) context.error(args, 'tally :times is at most 3');
          return times;
        },
        execute(args, times, runtime) {
          for (let i = 0; i < (times as number); i++) {
            runtime.addAction(
              {
                type: 'fileinto',
                mailbox: `${runtime.string(args.string(0))}${i}`,
                copy: false,
                create: false,
                origin: args.at,
              },
              args,
            );
          }
        },
      },
    ],
    tests: [{ name: 'always', evaluate: () => true }],
    comparators: [
      {
        name: 'x;reverse',
        equals: (a, b) => a === [...b].reverse().join(''),
        compare: () => 0,
      },
    ],
    tagExtensions: [
      {
        targets: ['fileinto', 'tally'],
        tag: { name: 'copy' },
        decorateAction: (action) =>
          action.type === 'fileinto' ? { ...action, copy: true } : action,
      },
    ],
  };
  const registry: ExtensionRegistry = standardRegistry.with(tally);

  it('registers commands, tests, tags, comparators', () => {
    const compiled = compileSieve(
      'require ["x-tally", "fileinto"]; if allof(always, header :comparator "x;reverse" :is "subject" "tuo si 0.1 noisrev ]dwf[ ]sresu-emca[") { tally :times 2 :copy "T"; fileinto :copy "F"; }',
      { registry },
    );
    expect(compiled.errors).toEqual([]);
    const result = runScript(compiled.script!, {
      message: bytes(DEFAULT_MESSAGE),
      envelope: ENVELOPE,
    });
    expect(summary(result.actions)).toEqual([
      'fileinto:T0:copy',
      'fileinto:T1:copy',
      'fileinto:F:copy',
      'implicit-keep',
    ]);
  });

  it('reports its validation errors, and needs its require', () => {
    expect(
      compileSieve('require "x-tally"; tally :times 5 "T";', { registry }).errors.map(
        (e) => e.message,
      ),
    ).toEqual(['tally :times is at most 3']);
    expect(compileSieve('tally "T";', { registry }).errors.map((e) => e.message)).toEqual([
      "the tally command needs the 'x-tally' extension: add it to require",
    ]);
    expect(
      compileSieve('require "x-tally";', { registry: standardRegistry }).errors.map(
        (e) => e.message,
      ),
    ).toEqual(["unknown Sieve capability 'x-tally'"]);
  });

  it('adds envelope parts and shapes the implicit keep', () => {
    const orcpt: SieveExtension = {
      capability: 'x-orcpt',
      envelopeParts: [
        { name: 'orcpt', paths: (runtime) => [runtime.envelope.originalRecipient ?? ''] },
      ],
      implicitKeep: (keep) => ({ ...keep, flags: ['\\Flagged'] }),
    };
    const withOrcpt = standardRegistry.with(orcpt);
    const script =
      'require ["envelope", "x-orcpt"]; if envelope :localpart :is "orcpt" "alias" { keep; }';
    const compiled = compileSieve(script, { registry: withOrcpt }).script!;
    const envelope = { ...ENVELOPE, originalRecipient: 'alias@example.org' };
    expect(runScript(compiled, { message: bytes(DEFAULT_MESSAGE), envelope }).actions).toEqual([
      { type: 'keep', implicit: false, origin: { line: 1, column: 79 } },
    ]);
    const other = runScript(compiled, { message: bytes(DEFAULT_MESSAGE), envelope: ENVELOPE });
    expect(other.actions).toEqual([
      { type: 'keep', implicit: true, origin: { line: 0, column: 0 }, flags: ['\\Flagged'] },
    ]);
    expect(
      compileSieve('require "envelope"; if envelope :is "orcpt" "a" { keep; }', {
        registry: withOrcpt,
      }).errors[0]!.message,
    ).toBe("unknown envelope part 'orcpt'");
  });

  it('lists capabilities, and can drop some', () => {
    expect(standardRegistry.capabilities()).toEqual([
      'comparator-i;octet',
      'comparator-i;ascii-casemap',
      'comparator-i;ascii-numeric',
      'comparator-i;unicode-casemap',
      'envelope',
      'fileinto',
      'reject',
      'ereject',
      'encoded-character',
      'variables',
      'relational',
      'vacation',
      'vacation-seconds',
      'copy',
      'imap4flags',
      'mailbox',
      'subaddress',
      'environment',
      'ihave',
      'body',
      'date',
      'index',
      'duplicate',
      'spamtest',
      'spamtestplus',
      'virustest',
      'regex',
      'editheader',
      'enotify',
      'mboxmetadata',
      'servermetadata',
      'special-use',
      'mailboxid',
      'redirect-dsn',
      'redirect-deliverby',
      'extlists',
      'include',
      'fcc',
      'foreverypart',
      'extracttext',
      'mime',
    ]);
    expect(standardRegistry.without('reject').capabilities()).not.toContain('reject');
    expect(() => new ExtensionRegistry([tally, tally])).toThrow(
      "Sieve extension 'x-tally' registered twice",
    );
  });
});
