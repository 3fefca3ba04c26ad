// Random scripts over batch B's extensions (regex, editheader, enotify, mime, foreverypart,
// extracttext, include, extlists, metadata, special-use, mailboxid, fcc, redirect-dsn), with fixed
// seeds: each fails to compile with errors or runs to an outcome; none throws or ends in an
// internal error (an exception an extension let out). MAILYARD_FUZZ_RUNS sets the count.
import { describe, expect, it } from 'vitest';
import { compileSieve, runScript, type SieveHost } from '../src/index.js';
import { bytes } from './helpers.js';
import { MULTIPART } from './pigeonhole-ext-b.js';

const RUNS = Number(process.env.MAILYARD_FUZZ_RUNS ?? 300);

function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[next() % items.length]! };
}

const STRINGS = [
  '',
  'a',
  '(a)\\\\1',
  '^[[:lower:]]+$',
  '(a|a)*b',
  'a(b',
  '${1}',
  '${v}',
  'mailto:x@example.com',
  'mailto:%zz',
  'xmpp:x@example.com',
  '\\\\Junk',
  'Junk',
  ':addrbook:default',
  '/private/x',
  'X-Tag',
  'Received',
  'bad name',
  'content-type',
  'text/html',
  'NEVER',
  'FULL',
  'é',
  'inc',
];

function script(seed: number): string {
  const { next, pick } = generator(seed);
  const str = () => JSON.stringify(pick(STRINGS));
  const list = () => (next() % 2 ? str() : `[${str()}, ${str()}]`);
  const test = (): string =>
    pick([
      () => `header :regex ${list()} ${list()}`,
      () =>
        `header :mime ${pick([':type', ':subtype', ':contenttype', `:param ${list()}`, ''])} ${pick(['', ':anychild'])} ${list()} ${list()}`,
      () => `exists :mime :anychild ${list()}`,
      () => `address :list ${list()} ${list()}`,
      () => `valid_notify_method ${list()}`,
      () => `notify_method_capability ${str()} ${str()} ${list()}`,
      () => `metadata ${str()} ${str()} ${list()}`,
      () => `servermetadataexists ${list()}`,
      () => `specialuse_exists ${list()}`,
      () => `mailboxidexists ${list()}`,
      () => `valid_ext_list ${list()}`,
      () => `string :regex ${list()} ${list()}`,
    ])();
  const command = (depth: number): string =>
    pick([
      () => `addheader ${pick(['', ':last '])}${str()} ${str()};`,
      () =>
        `deleteheader ${pick(['', ':index 1 ', ':index 2 :last ', ':regex ', ':matches '])}${str()}${next() % 2 ? ` ${list()}` : ''};`,
      () =>
        `notify ${pick(['', ':importance "1" ', ':importance "9" ', ':fcc "Sent" ', `:message ${str()} `])}${str()};`,
      () => `set ${pick([':quoteregex ', ':encodeurl ', ''])}"v" ${str()};`,
      () => `fileinto ${pick([':specialuse ', ':mailboxid '])}${str()} ${str()};`,
      () => `redirect ${pick([':notify ', ':ret ', ':bymode '])}${str()} "r@example.com";`,
      () => `include ${pick(['', ':once ', ':optional ', ':global '])}${str()};`,
      () =>
        depth < 3
          ? `foreverypart { extracttext :first 3 "t"; ${command(depth + 1)} ${pick(['break;', ''])} }`
          : 'keep;',
      () =>
        depth < 3
          ? `if ${test()} { ${command(depth + 1)} } else { ${command(depth + 1)} }`
          : 'stop;',
      () => 'return;',
      () => 'global "v";',
    ])();
  const require =
    'require ["regex", "editheader", "enotify", "mime", "foreverypart", "extracttext", "include", "extlists", "mboxmetadata", "servermetadata", "special-use", "mailboxid", "fcc", "redirect-dsn", "redirect-deliverby", "variables", "fileinto"];';
  return [require, ...Array.from({ length: 1 + (next() % 6) }, () => command(0))].join('\n');
}

const host: SieveHost = {
  mailboxExists: () => true,
  includedScript: (name) => (name === 'inc' ? script(name.length) : undefined),
  listContains: (list, value) => list === ':addrbook:default' && value.length > 3,
  listExists: (list) => list === ':addrbook:default',
  metadata: (mailbox, name) => (name === '/private/x' ? `${mailbox ?? ''}x` : undefined),
  specialUseExists: (attribute) => attribute === '\\Junk',
  mailboxIdExists: () => false,
};

describe('fuzzing batch B extensions (fixed seeds)', () => {
  it(`${RUNS} random scripts compile with errors or run to an outcome`, () => {
    let compiled = 0;
    for (let seed = 1; seed <= RUNS; seed++) {
      const source = script(seed);
      const result = compileSieve(source);
      if (!result.script) {
        expect(result.errors.length, source).toBeGreaterThan(0);
        continue;
      }
      compiled++;
      for (const message of [MULTIPART, 'Subject: x\r\n\r\nbody\r\n']) {
        const run = runScript(
          result.script,
          { message: bytes(message), envelope: { from: 'a@example.com', to: 'b@example.org' } },
          { host, limits: { maxSteps: 50_000 } },
        );
        expect(run.error?.message ?? '', source).not.toMatch(/^internal error/);
        expect(run.actions.length, source).toBeGreaterThan(0);
      }
    }
    expect(compiled).toBeGreaterThan(RUNS / 4);
  });
});
