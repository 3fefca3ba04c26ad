import { describe, expect, it } from 'vitest';
import { compileErrors, run, summary } from './helpers.js';

describe('copy (RFC 3894)', () => {
  it('runs the examples of RFC 3894 section 4: the implicit keep stays', () => {
    const fileinto = run('require ["copy", "fileinto"];\r\nfileinto :copy "incoming";\r\n');
    expect(summary(fileinto.actions)).toEqual(['fileinto:incoming:copy', 'implicit-keep']);
    const redirect = run('require ["copy"];\r\nredirect :copy "sent@example.com";\r\n');
    expect(summary(redirect.actions)).toEqual(['redirect:sent@example.com', 'implicit-keep']);
    expect(redirect.actions[0]).toMatchObject({ type: 'redirect', copy: true });
  });

  it('without :copy the implicit keep goes, and :copy needs require', () => {
    expect(summary(run('require "fileinto";\r\nfileinto "incoming";\r\n').actions)).toEqual([
      'fileinto:incoming',
    ]);
    expect(compileErrors('require "fileinto";\r\nfileinto :copy "x";\r\n')).toEqual([
      "2:10: the :copy tag of the fileinto command needs the 'copy' extension: add it to require",
    ]);
  });

  it('a later fileinto without :copy cancels the implicit keep', () => {
    const both = run('require ["copy", "fileinto"];\r\nfileinto :copy "a";\r\nfileinto "b";\r\n');
    expect(summary(both.actions)).toEqual(['fileinto:a:copy', 'fileinto:b']);
  });
});
