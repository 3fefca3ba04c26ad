// Scripts built at random from the grammar and the registered extensions, with fixed seeds: every
// one either fails to compile with errors, or runs to `completed` or to a runtime error, within its
// budget. None may throw, hang, or end in an internal error (an exception an extension let out).
import { describe, expect, it } from 'vitest';
import { compileSieve, runScript } from '../src/index.js';
import { bytes, DEFAULT_MESSAGE } from './helpers.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 400);

function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  const pick = <T>(items: readonly T[]): T => items[next() % items.length]!;
  const chance = (percent: number) => next() % 100 < percent;
  return { next, pick, chance };
}

function script(seed: number): string {
  const { next, pick, chance } = generator(seed);
  const strings = [
    '',
    'a',
    '*',
    '?',
    '\\\\*',
    'frop',
    'FROP*',
    '*@*',
    '${1}',
    '${a}',
    '${unknown}',
    '${hex:41}',
    '${unicode:1F600}',
    '0',
    '10',
    '999999999999999999999',
    'é',
    '${',
    '}',
  ];
  const headers = ['subject', 'from', 'to', 'cc', 'x-missing', 'date', 'received'];
  const str = () => JSON.stringify(pick(strings)).replace(/\\\\/g, '\\\\');
  const list = () =>
    chance(50) ? str() : `[${Array.from({ length: 1 + (next() % 3) }, str).join(', ')}]`;
  const headerList = () =>
    chance(60) ? `"${pick(headers)}"` : `["${pick(headers)}", "${pick(headers)}"]`;
  const comparator = () =>
    chance(50) ? '' : `:comparator "${pick(['i;octet', 'i;ascii-casemap', 'i;ascii-numeric'])}" `;
  const matchType = () =>
    chance(40)
      ? ''
      : `${pick([':is', ':contains', ':matches', ':count "ge"', ':value "lt"', ':value "eq"', ':count "ne"'])} `;
  const addressPart = () => (chance(50) ? '' : `${pick([':all', ':localpart', ':domain'])} `);
  const test = (depth: number): string => {
    const kind = next() % (depth > 3 ? 6 : 9);
    switch (kind) {
      case 0:
        return `header ${comparator()}${matchType()}${headerList()} ${list()}`;
      case 1:
        return `address ${addressPart()}${comparator()}${matchType()}${pick(['"from"', '"to"', '["to", "cc"]'])} ${list()}`;
      case 2:
        return `envelope ${addressPart()}${matchType()}${pick(['"from"', '"to"'])} ${list()}`;
      case 3:
        return `string ${comparator()}${matchType()}${list()} ${list()}`;
      case 4:
        return `size ${pick([':over', ':under'])} ${pick(['0', '1K', '10', '1M'])}`;
      case 5:
        return pick(['true', 'false', `exists ${headerList()}`]);
      case 6:
        return `not ${test(depth + 1)}`;
      default:
        return `${pick(['anyof', 'allof'])}(${Array.from({ length: 1 + (next() % 3) }, () => test(depth + 1)).join(', ')})`;
    }
  };
  const command = (depth: number): string => {
    const kind = next() % (depth > 3 ? 8 : 10);
    switch (kind) {
      case 0:
        return 'keep;';
      case 1:
        return 'discard;';
      case 2:
        return `fileinto ${str()};`;
      case 3:
        return `redirect "${pick(['a@example.com', 'b@example.org', '${a}@example.com'])}";`;
      case 4:
        return `${pick(['reject', 'ereject'])} ${str()};`;
      case 5:
        return `set ${pick(['', ':lower ', ':upper ', ':length ', ':quotewildcard ', ':upperfirst :lower '])}"${pick(['a', 'b', 'A'])}" "\${a}\${a}${pick(strings)}";`;
      case 6:
        return chance(20) ? 'stop;' : 'keep;';
      case 7:
        return `fileinto "lists.\${1}";`;
      default: {
        const branches = [`if ${test(0)} { ${block(depth + 1)} }`];
        while (chance(30)) branches.push(`elsif ${test(0)} { ${block(depth + 1)} }`);
        if (chance(40)) branches.push(`else { ${block(depth + 1)} }`);
        return branches.join(' ');
      }
    }
  };
  const block = (depth: number) =>
    Array.from({ length: next() % 4 }, () => command(depth)).join(' ');
  const requires =
    'require ["fileinto", "reject", "ereject", "envelope", "variables", "relational", "encoded-character", "comparator-i;ascii-numeric"];';
  return `${requires}\n${Array.from({ length: 1 + (next() % 12) }, () => command(0)).join('\n')}\n`;
}

describe('fuzzed scripts (fixed seeds)', () => {
  it(`${RUNS} random scripts compile with errors or run to an outcome`, () => {
    const message = bytes(DEFAULT_MESSAGE);
    let compiled = 0;
    let ran = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const source = script(seed);
      const result = compileSieve(source);
      if (!result.script) {
        expect(result.errors.length, source).toBeGreaterThan(0);
        continue;
      }
      compiled++;
      for (const from of ['sender@example.com', '']) {
        const run = runScript(
          result.script,
          { message, envelope: { from, to: 'recipient@example.org' } },
          { limits: { maxSteps: 20_000 } },
        );
        expect(run.error?.message ?? '', source).not.toMatch(/^internal error/);
        expect(run.actions.length, source).toBeGreaterThan(0);
        ran++;
      }
    }
    // The generator must reach the interpreter, not only the compiler's errors.
    expect(compiled).toBeGreaterThan(RUNS / 4);
    expect(ran).toBe(compiled * 2);
  });
});
