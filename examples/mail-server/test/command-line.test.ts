import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';
import { StartupError } from '../src/startup-error.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('the command line', () => {
  it('defaults to ./data and leaves host and ports to mailserver.cfg', () => {
    expect(parseCommandLine([])).toEqual({
      dataDirectory: './data',
      ports: {},
      domains: [],
      users: [],
      help: false,
    });
  });

  it('takes a port for every listener, and "off"', () => {
    const parsed = parseCommandLine([
      '--smtp=25',
      '--smtps',
      '465',
      '--submission',
      '587',
      '--imap',
      '0',
      '--imaps',
      'off',
      '--pop3',
      '110',
      '--pop3s',
      '995',
      '--host',
      '::',
      '--data',
      '/var/mail',
    ]);
    expect(parsed.ports).toEqual({
      smtp: 25,
      smtps: 465,
      submission: 587,
      imap: 0,
      imaps: 'off',
      pop3: 110,
      pop3s: 995,
    });
    expect(parsed.host).toBe('::');
    expect(parsed.dataDirectory).toBe('/var/mail');
  });

  it('collects repeated --domain and --user, passwords with colons included', () => {
    const parsed = parseCommandLine([
      '--domain',
      'Example.COM',
      '--domain',
      'other.test',
      '--user',
      'Carol@Example.com:pa:ss:word',
      '--user',
      'dave@other.test:x',
    ]);
    expect(parsed.domains).toEqual(['example.com', 'other.test']);
    expect(parsed.users).toEqual([
      { address: 'carol@example.com', password: 'pa:ss:word' },
      { address: 'dave@other.test', password: 'x' },
    ]);
  });

  it.each([
    [['--smpt', '25'], /^unknown option --smpt \(the options are below\)\n\nUsage: /],
    [['--smtp=25', '-x'], /^unknown option -x \(the options are below\)\n\nUsage: /],
    [['--smtp'], /argument missing/],
    [['--smtp', '65536'], /--smtp 65536: a port is a number from 0 to 65535, or "off"/],
    [['--pop3=-1'], /--pop3 -1: a port is a number/],
    [['--imap', '1e3'], /--imap 1e3/],
    [['--host', 'example.com'], /--host example.com: give an IP address/],
    [['--domain', 'bad_domain'], /--domain bad_domain: not a domain name/],
    [
      ['--user', 'alice@example.test'],
      /--user alice@example.test: write it as LOGIN@DOMAIN:PASSWORD/,
    ],
    [['--user', 'alice:secret'], /write it as LOGIN@DOMAIN:PASSWORD/],
    [['--user', 'alice@example.test:'], /write it as LOGIN@DOMAIN:PASSWORD/],
    [['serve'], /unexpected argument 'serve'/],
  ])('refuses %j with a clear message', (args, message) => {
    expect(() => parseCommandLine(args)).toThrow(StartupError);
    expect(() => parseCommandLine(args)).toThrow(message);
  });

  it('never echoes a password it refuses', () => {
    expect(() => parseCommandLine(['--user', 'no-at-sign:hunter2'])).toThrow(/^(?![\s\S]*hunter2)/);
  });

  it('answers any arguments with a command line or a StartupError, nothing else', () => {
    const flag = fc.constantFrom(
      '--data',
      '--host',
      '--smtp',
      '--imaps',
      '--domain',
      '--user',
      '--help',
      '-h',
      '--',
      '--bogus',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(flag, fc.string(), fc.integer().map(String))), (args) => {
        try {
          const parsed = parseCommandLine(args);
          for (const port of Object.values(parsed.ports)) {
            expect(port === 'off' || (Number.isInteger(port) && port >= 0 && port <= 65535)).toBe(
              true,
            );
          }
        } catch (error) {
          expect(error).toBeInstanceOf(StartupError);
        }
      }),
      { seed: 7, numRuns: runs },
    );
  });
});
