import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';
import { formatMailserverCfg, parseMailserverCfg } from '../src/mailserver-cfg.js';
import { defaultConfig } from '../src/server-config.js';
import { StartupError } from '../src/startup-error.js';
import { runProgram, temporaryDataDirectory } from './harness/server-process.js';

const wrap = (body: string) => `<?xml version="1.0" encoding="utf-8"?>\n<config>${body}</config>\n`;

describe('the store a server uses (--store, StoreUrl)', () => {
  it('is the on-disk store by default: StoreUrl is empty', () => {
    expect(defaultConfig().storeUrl).toBe('');
    expect(parseCommandLine([]).store).toBeUndefined();
    expect(formatMailserverCfg(defaultConfig())).toContain('<variable name="StoreUrl"></variable>');
  });

  it('takes a postgres:// URL on the command line, and refuses anything else', () => {
    expect(parseCommandLine(['--store', 'postgres://mail@db.example/mail']).store).toBe(
      'postgres://mail@db.example/mail',
    );
    expect(parseCommandLine(['--store=postgresql://db/mail']).store).toBe('postgresql://db/mail');
    for (const wrong of ['/var/mail', 'mysql://db/mail', 'postgres://']) {
      expect(() => parseCommandLine(['--store', wrong])).toThrow(StartupError);
    }
  });

  it('reads StoreUrl from mailserver.cfg, writes it back, and refuses what is not a URL', () => {
    const url = 'postgres://mail:secret@db.example:5432/mail';
    const { config } = parseMailserverCfg(wrap(`<variable name="StoreUrl">${url}</variable>`));
    expect(config.storeUrl).toBe(url);
    expect(parseMailserverCfg(formatMailserverCfg(config)).config.storeUrl).toBe(url);
    expect(() =>
      parseMailserverCfg(wrap('<variable name="StoreUrl">store/elsewhere</variable>')),
    ).toThrow(/StoreUrl is a postgres:\/\/ URL, or empty/);
  });

  it('stops the start when the database cannot be reached, naming it without the password', async () => {
    const result = await runProgram([
      '--data',
      temporaryDataDirectory(),
      '--smtp=0',
      '--smtps=0',
      '--submission=0',
      '--imap=0',
      '--imaps=0',
      '--pop3=0',
      '--pop3s=0',
      // Port 1 on loopback: nothing listens there.
      '--store',
      'postgres://mail:hunter2@127.0.0.1:1/mail',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /the store at postgres:\/\/mail@127\.0\.0\.1:1\/mail cannot be opened/,
    );
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stdout).not.toMatch(/^ready/m);
  });
});
