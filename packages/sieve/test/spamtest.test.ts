import { describe, expect, it } from 'vitest';
import { compileSieve, createSpamtest, runScript, standardRegistry } from '../src/index.js';
import { bytes, compileErrors } from './helpers.js';

const message = (head: string) =>
  `${head}From: a@example.com\r\nTo: b@example.org\r\nSubject: offer\r\n\r\nBuy.\r\n`;

function mailbox(script: string, head: string, registry = standardRegistry): string {
  const compiled = compileSieve(script, { registry });
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const run = runScript(compiled.script, {
    message: bytes(message(head)),
    envelope: { from: 'a@example.com', to: 'b@example.org' },
  });
  const action = run.actions[0]!;
  return action.type === 'fileinto' ? action.mailbox : action.type;
}

const SPAMTEST = [
  'require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];',
  'if spamtest :value "eq" :comparator "i;ascii-numeric" "0"',
  '{ fileinto "INBOX.unclassified"; }',
  'elsif spamtest :value "ge" :comparator "i;ascii-numeric" "3"',
  '{ fileinto "INBOX.spam-trap"; }',
  '',
].join('\r\n');

const SPAMTESTPLUS = [
  'require ["spamtestplus", "fileinto", "relational", "comparator-i;ascii-numeric"];',
  'if spamtest :value "eq" :comparator "i;ascii-numeric" "0"',
  '{ fileinto "INBOX.unclassified"; }',
  'elsif spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0"',
  '{ fileinto "INBOX.not-spam"; }',
  'elsif spamtest :percent :value "lt" :comparator "i;ascii-numeric" "37"',
  '{ fileinto "INBOX.spam-trap"; }',
  'else',
  '{ discard; }',
  '',
].join('\r\n');

describe('spamtest and spamtestplus (RFC 5235), on Kerio X-Spam-Score 0-10', () => {
  it('runs the example of RFC 5235 section 3.2', () => {
    expect(mailbox(SPAMTEST, '')).toBe('INBOX.unclassified');
    expect(mailbox(SPAMTEST, 'X-Spam-Score: 0.0\r\n')).toBe('keep');
    expect(mailbox(SPAMTEST, 'X-Spam-Score: 2.3\r\n')).toBe('INBOX.spam-trap');
    expect(mailbox(SPAMTEST, 'X-Spam-Score: 1.0\r\n')).toBe('keep');
  });

  it('runs the example of RFC 5235 section 3.3', () => {
    expect(mailbox(SPAMTESTPLUS, '')).toBe('INBOX.unclassified');
    expect(mailbox(SPAMTESTPLUS, 'X-Spam-Score: 0\r\n')).toBe('INBOX.not-spam');
    expect(mailbox(SPAMTESTPLUS, 'X-Spam-Score: 3.6\r\n')).toBe('INBOX.spam-trap');
    expect(mailbox(SPAMTESTPLUS, 'X-Spam-Score: 3.7\r\n')).toBe('discard');
  });

  it('maps the score onto 1-10 and 0-100, clamped; an unreadable score is untested', () => {
    const value = (head: string, percent = false) =>
      mailbox(
        `require ["spamtestplus", "fileinto", "variables"];\r\nif spamtest ${percent ? ':percent ' : ''}:comparator "i;octet" :matches "*" { fileinto "\${1}"; }\r\n`,
        head,
      );
    expect(value('X-Spam-Score: 0\r\n')).toBe('1');
    expect(value('X-Spam-Score: 5\r\n')).toBe('5');
    expect(value('X-Spam-Score: 9.9\r\n')).toBe('9');
    expect(value('X-Spam-Score: 10\r\n')).toBe('10');
    expect(value('X-Spam-Score: 25\r\n')).toBe('10');
    expect(value('X-Spam-Score: -3\r\n')).toBe('1');
    expect(value('X-Spam-Score: 4.2\r\n', true)).toBe('42');
    expect(value('X-Spam-Score: lots\r\n')).toBe('0');
    expect(value('')).toBe('0');
  });

  it('reads the header and scale the host names', () => {
    const registry = standardRegistry.with(
      ...createSpamtest({
        spam: {
          header: 'X-Spam-Status',
          parse: (text) => Number(/score=(-?[\d.]+)/.exec(text)?.[1] ?? Number.NaN),
          min: -5,
          max: 15,
        },
        virus: {
          header: 'X-Virus-Status',
          level: (text) => (/^infected/i.test(text) ? 5 : /^clean/i.test(text) ? 1 : undefined),
        },
      }),
    );
    const script =
      'require ["spamtestplus", "virustest", "fileinto", "variables"];\r\n' +
      'if spamtest :percent :comparator "i;octet" :matches "*" { set "s" "${1}"; }\r\n' +
      'if virustest :comparator "i;octet" :matches "*" { fileinto "${s}-${1}"; }\r\n';
    expect(
      mailbox(
        script,
        'X-Spam-Status: Yes, score=5.0 required=5.0\r\nX-Virus-Status: Infected\r\n',
        registry,
      ),
    ).toBe('50-5');
    const virus =
      'require ["virustest", "fileinto", "variables"];\r\nif virustest :comparator "i;octet" :matches "*" { fileinto "${1}"; }\r\n';
    expect(mailbox(virus, 'X-Virus-Status: Infected: EICAR\r\n', registry)).toBe('5');
    expect(mailbox(virus, 'X-Virus-Status: clean\r\n', registry)).toBe('1');
    expect(mailbox(virus, 'X-Virus-Status: who knows\r\n', registry)).toBe('0');
    expect(mailbox(virus, '', registry)).toBe('0');
    // The default configuration has no virus scanner: always "not tested".
    expect(mailbox(virus, 'X-Virus-Status: Infected\r\n')).toBe('0');
  });

  it('runs the example of RFC 5235 section 3.4 (virustest)', () => {
    const registry = standardRegistry.with(
      ...createSpamtest({ virus: { header: 'X-Virus', level: (text) => Number(text) } }),
    );
    const script = [
      'require ["virustest", "fileinto", "relational", "comparator-i;ascii-numeric"];',
      'if virustest :value "eq" :comparator "i;ascii-numeric" "0"',
      '{ fileinto "INBOX.unclassified"; }',
      'if virustest :value "eq" :comparator "i;ascii-numeric" "4"',
      '{ fileinto "INBOX.quarantine"; }',
      'elsif virustest :value "eq" :comparator "i;ascii-numeric" "5"',
      '{ discard; }',
      '',
    ].join('\r\n');
    expect(mailbox(script, '', registry)).toBe('INBOX.unclassified');
    expect(mailbox(script, 'X-Virus: 4\r\n', registry)).toBe('INBOX.quarantine');
    expect(mailbox(script, 'X-Virus: 5\r\n', registry)).toBe('discard');
    expect(mailbox(script, 'X-Virus: 1\r\n', registry)).toBe('keep');
  });

  it(':percent needs spamtestplus', () => {
    expect(
      compileErrors('require "spamtest";\r\nif spamtest :percent "1" { stop; }\r\n')[0],
    ).toMatch(/spamtestplus/);
  });
});
