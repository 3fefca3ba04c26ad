// Differential test against Pigeonhole (Dovecot's Sieve): the same scripts on the same messages
// through Debian's `sieve-test`, which prints the actions it would perform, and through runScript.
// Both are reduced to one form: `store:MAILBOX` (keep, implicit keep and fileinto alike),
// `redirect:ADDRESS`, `discard`, `reject:REASON`, and `error` for a runtime error.
import { execFile } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPeer } from '@mailyard/test-kit';
import { SIEVE_TEST } from './pigeonhole-run.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileSieve, runScript, type SieveAction } from '../src/index.js';
import { EXT_A_CASES } from './pigeonhole-ext-a-cases.js';
import { MORE_CASES, PIGEONHOLE_CASES } from './pigeonhole-cases.js';
import { EXT_B_CASES } from './pigeonhole-ext-b.js';

function ours(
  script: string,
  message: string,
  from: string,
  to: string,
  included: Readonly<Record<string, string>> = {},
): string[] {
  const compiled = compileSieve(script);
  if (!compiled.script) return ['compile-error'];
  const result = runScript(
    compiled.script,
    { message: Buffer.from(message), envelope: { from, to } },
    { host: { includedScript: (name, location) => included[`${location}:${name}`] } },
  );
  const actions = result.actions.map((action: SieveAction) => {
    switch (action.type) {
      case 'keep':
        return 'store:INBOX';
      case 'fileinto':
        return `store:${action.mailbox}`;
      case 'redirect':
        return `redirect:${action.address}`;
      case 'reject':
        return `reject:${action.reason}`;
      default:
        return action.type;
    }
  });
  return result.status === 'error' ? ['error', ...actions] : actions;
}

/** The actions `sieve-test` printed, in our form. */
function theirs(stdout: string, stderr: string, code: number): string[] {
  if (/failed to compile|validation failed|parse failed/.test(stderr)) return ['compile-error'];
  const actions: string[] = [];
  for (const line of stdout.split('\n')) {
    const item = /^ \* (.*)$/.exec(line)?.[1];
    if (item === undefined) continue;
    let found: RegExpExecArray | null;
    if ((found = /^store message in folder: (.*)$/.exec(item))) actions.push(`store:${found[1]}`);
    else if ((found = /^redirect message to: <?([^>]*)>?$/.exec(item)))
      actions.push(`redirect:${found[1]}`);
    else if ((found = /^reject message with reason: (.*)$/.exec(item)))
      actions.push(`reject:${found[1]}`);
    else if (item === 'discard') actions.push('discard');
    else if (item.startsWith('send notification with method')) actions.push('notify');
    else actions.push(item);
  }
  if (/final result: failed/.test(stderr) || (code !== 0 && actions.length === 0))
    return ['error', 'store:INBOX'];
  return actions;
}

describeWithPeer(SIEVE_TEST, "differential: Pigeonhole's sieve-test", () => {
  let directory = '';
  const asRoot = process.getuid?.() === 0;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'mailyard-sieve-'));
    // Dovecot refuses mail access as root: there it drops to nobody, who must reach the files.
    const config = [
      `mail_location = maildir:${directory}/Maildir`,
      ...(asRoot ? ['mail_uid = nobody', 'mail_gid = nogroup'] : []),
      // editheader is off in Pigeonhole unless named (batch B's cases use it).
      'plugin {',
      '  sieve_extensions = +editheader',
      // Where include finds :personal and :global scripts (the cases' `included`).
      `  sieve = file:${directory}/personal`,
      `  sieve_global = ${directory}/global`,
      '}',
      '',
    ].join('\n');
    writeFileSync(join(directory, 'dovecot.conf'), config);
    mkdirSync(join(directory, 'personal'));
    mkdirSync(join(directory, 'global'));
  });

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  function sieveTest(
    script: string,
    message: string,
    from: string,
    to: string,
    index: number,
    included: Readonly<Record<string, string>> = {},
  ): Promise<string[]> {
    for (const [key, text] of Object.entries(included)) {
      const [location, name] = key.split(':') as [string, string];
      writeFileSync(join(directory, location, `${name}.sieve`), text);
    }
    const scriptFile = join(directory, `case${index}.sieve`);
    const messageFile = join(directory, `case${index}.eml`);
    writeFileSync(scriptFile, script);
    writeFileSync(messageFile, message);
    if (asRoot) {
      chownSync(directory, 65534, 65534);
      for (const file of readdirSync(directory)) chownSync(join(directory, file), 65534, 65534);
    }
    const args = [
      '-c',
      join(directory, 'dovecot.conf'),
      '-f',
      from,
      '-r',
      to,
      scriptFile,
      messageFile,
    ];
    return new Promise((resolve) => {
      execFile(
        'sieve-test',
        args,
        { env: { ...process.env, HOME: directory } },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve(theirs(stdout, stderr, code));
        },
      );
    });
  }

  it.each(
    [...PIGEONHOLE_CASES, ...MORE_CASES, ...EXT_A_CASES, ...EXT_B_CASES].map(
      (c, index) => [c.name, c, index] as const,
    ),
  )('%s', async (_name, c, index) => {
    const from = c.from ?? 'sender@example.com';
    const to = c.to ?? 'recipient@example.org';
    const expected = await sieveTest(c.script, c.message, from, to, index, c.included);
    expect(ours(c.script, c.message, from, to, c.included)).toEqual(expected);
  });
});
