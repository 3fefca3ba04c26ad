import { describe, expect, it } from 'vitest';
import { compileErrors } from './helpers.js';
import { runWithHost } from './host-run.js';

const runWith = (script: string, items: Record<string, string> = {}) =>
  runWithHost(script, { host: { environment: (name) => items[name] } });

describe('environment (RFC 5183)', () => {
  it('runs the example of RFC 5183 section 7', () => {
    const script = [
      'require ["environment", "fileinto"];',
      'if environment :contains "item" "" { fileinto "x"; }',
      'if environment :is "location" "MS" { fileinto "at-store"; }',
      'if environment :matches "remote-host" "*.example.com" { fileinto "local"; }',
      '',
    ].join('\r\n');
    expect(
      runWith(script, { location: 'MS', 'remote-host': 'mx.example.com' }).actions,
    ).toMatchObject([
      { type: 'fileinto', mailbox: 'at-store' },
      { type: 'fileinto', mailbox: 'local' },
    ]);
  });

  it('an unknown item is false; name and version have defaults', () => {
    const test = (condition: string) =>
      runWith(`require "environment";\r\nif ${condition} { discard; }\r\n`).actions[0]!.type;
    expect(test('environment :matches "nothing" "*"')).toBe('keep');
    expect(test('environment :is "name" "Mailyard Sieve"')).toBe('discard');
    expect(compileErrors('if environment "name" "x" { discard; }\r\n')[0]).toMatch(/environment/);
  });
});

describe('ihave (RFC 5463)', () => {
  it('tells which capabilities exist, and error ends the run', () => {
    const test = (condition: string) =>
      runWith(`require "ihave";\r\nif ${condition} { discard; }\r\n`).actions[0]!.type;
    expect(test('ihave "fileinto"')).toBe('discard');
    expect(test('ihave ["fileinto", "vacation"]')).toBe('discard');
    expect(test('ihave ["fileinto", "frobnicate"]')).toBe('keep');
    const failed = runWith(
      'require "ihave";\r\nif not ihave "frobnicate" { error "no frob"; }\r\n',
    );
    expect(failed).toMatchObject({ status: 'error', error: { message: 'no frob', line: 2 } });
  });

  it('lets the block it guards use what it names, and skips a block that needs what is missing', () => {
    const script = [
      'require "ihave";',
      'if ihave "vacation" { vacation :days 3 "I am away."; }',
      'if ihave ["fileinto", "x-frobnicate"] { frobnicate :loudly "now"; fileinto "never"; }',
      'elsif ihave "fileinto" { fileinto "Filed"; }',
      '',
    ].join('\r\n');
    expect(compileErrors(script)).toEqual([]);
    expect(runWith(script).actions.map((action) => action.type)).toEqual(['vacation', 'fileinto']);
    // Outside the guarded block, the capability is not usable.
    expect(
      compileErrors('require "ihave";\r\nif ihave "fileinto" { stop; }\r\nfileinto "x";\r\n')[0],
    ).toMatch(/fileinto/);
    // The capability list is taken as written: no variables.
    expect(
      compileErrors('require ["ihave", "variables"];\r\nif ihave "${x}" { stop; }\r\n'),
    ).toEqual([]);
  });
});
