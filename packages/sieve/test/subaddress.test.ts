import { describe, expect, it } from 'vitest';
import { compileSieve, createSubaddress, runScript, standardRegistry } from '../src/index.js';
import { DEFAULT_MESSAGE, bytes, compileErrors, run, summary } from './helpers.js';

const RFC_EXAMPLE = [
  'require ["envelope", "subaddress", "fileinto"];',
  'if envelope :user "to" "postmaster" {',
  '    fileinto "inbox.postmaster";',
  '    stop;',
  '}',
  'if envelope :detail "to" "mta-filters" {',
  '    fileinto "inbox.ietf-mta-filters";',
  '}',
  'if envelope :detail "to" "foo" {',
  '    redirect "ken@example.net";',
  '}',
  '',
].join('\r\n');

const to = (address: string) =>
  summary(run(RFC_EXAMPLE, DEFAULT_MESSAGE, { from: 'a@example.com', to: address }).actions);

describe('subaddress (RFC 5233)', () => {
  it('runs the example of RFC 5233 section 6', () => {
    expect(to('postmaster+x@example.com')).toEqual(['fileinto:inbox.postmaster']);
    expect(to('postmaster@example.com')).toEqual(['fileinto:inbox.postmaster']);
    expect(to('ken+mta-filters@example.com')).toEqual(['fileinto:inbox.ietf-mta-filters']);
    expect(to('ken+foo@example.com')).toEqual(['redirect:ken@example.net']);
    expect(to('ken@example.com')).toEqual(['implicit-keep']);
  });

  it(':detail of an address without a separator is not compared; an empty detail is ""', () => {
    const test = (key: string, address: string) =>
      summary(
        run(
          `require ["envelope", "subaddress"];\r\nif envelope :detail "to" "${key}" { discard; }\r\n`,
          DEFAULT_MESSAGE,
          { from: 'a@example.com', to: address },
        ).actions,
      )[0] === 'discard';
    expect(test('', 'ken+@example.com')).toBe(true);
    expect(test('', 'ken@example.com')).toBe(false);
    expect(test('*', 'ken@example.com')).toBe(false);
    expect(test('a+b', 'ken+a+b@example.com')).toBe(true);
    expect(
      summary(
        run('require "subaddress";\r\nif address :user "from" "sender" { discard; }\r\n').actions,
      ),
    ).toEqual(['discard']);
  });

  it('takes its separator as an option (several characters: any of them)', () => {
    const registry = standardRegistry.with(createSubaddress({ separator: '-+' }));
    const compiled = compileSieve(
      'require ["envelope", "subaddress"];\r\nif envelope :detail "to" "list" { discard; }\r\n',
      { registry },
    );
    const detail = (address: string) =>
      runScript(compiled.script!, {
        message: bytes(DEFAULT_MESSAGE),
        envelope: { from: 'a@example.com', to: address },
      }).actions[0]!.type;
    expect(detail('ken-list@example.com')).toBe('discard');
    expect(detail('ken+list@example.com')).toBe('discard');
    expect(detail('ken.list@example.com')).toBe('keep');
    expect(() => createSubaddress({ separator: '' })).toThrow(/empty/);
  });

  it('needs require', () => {
    expect(compileErrors('if address :user "from" "x" { discard; }\r\n')[0]).toMatch(/user/);
  });
});
