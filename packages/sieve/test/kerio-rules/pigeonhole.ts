import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandPeer } from '@mailyard/test-kit';

/** Pigeonhole's `sieve-test` (Debian `dovecot-sieve`): runs a script on a message, prints actions. */
export const SIEVE_TEST = commandPeer('sieve-test', 'dovecot-sieve');

/**
 * Runs Pigeonhole's sieve-test on a script and a message in a directory of their own, and
 * returns what it did in the compact form our tests compare (`fileinto:Y`, `redirect:a@x`,
 * `discard`, `reject`, `notify:to`, `vacation:<text>`, `implicit-keep`). sieve-test refuses to run
 * mail access as root, so as root it runs as nobody (and the directory is open to it).
 */
export async function pigeonholeActions(
  script: string,
  message: string,
  options: { recipient?: string; sender?: string } = {},
): Promise<string[]> {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-pigeonhole-'));
  try {
    chmodSync(directory, 0o777);
    const asRoot = process.getuid?.() === 0;
    writeFileSync(
      join(directory, 'dovecot.conf'),
      (asRoot ? 'mail_uid = nobody\nmail_gid = nogroup\n' : '') +
        `mail_location = maildir:${join(directory, 'mail')}\n`,
    );
    writeFileSync(join(directory, 'script.sieve'), script, { mode: 0o644 });
    writeFileSync(join(directory, 'message.eml'), message.replace(/\r?\n/g, '\r\n'), {
      mode: 0o644,
    });
    const args = ['-c', join(directory, 'dovecot.conf')];
    if (options.recipient) args.push('-a', options.recipient, '-r', options.recipient);
    if (options.sender) args.push('-f', options.sender);
    args.push(join(directory, 'script.sieve'), join(directory, 'message.eml'));
    const output = await new Promise<string>((resolve, reject) => {
      execFile('sieve-test', args, { encoding: 'utf8' }, (error, stdout, stderr) =>
        error
          ? reject(new Error(`sieve-test failed: ${stderr || error.message}`))
          : resolve(stdout),
      );
    });
    return summarize(output);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function summarize(output: string): string[] {
  const actions: string[] = [];
  const [performed = '', implicit = ''] = output.split('\nImplicit keep:');
  const lines = performed.split('\n');
  lines.forEach((line, i) => {
    let m: RegExpExecArray | null;
    if ((m = /^ \* store message in folder: (.*)$/.exec(line))) actions.push(`fileinto:${m[1]}`);
    else if ((m = /^ \* redirect message to: <(.*)>$/.exec(line))) actions.push(`redirect:${m[1]}`);
    else if (/^ \* discard$/.test(line)) actions.push('discard');
    else if (/^ \* reject message/.test(line)) actions.push('reject');
    else if (/^ \* send notification/.test(line)) {
      const to = lines.slice(i).find((l) => /^\s+\+ To: /.test(l));
      actions.push(`notify:${to?.replace(/^\s+\+ To: /, '') ?? '?'}`);
    } else if (/^ \* send vacation message/.test(line)) {
      const start = lines.indexOf('START MESSAGE', i);
      const end = lines.indexOf('END MESSAGE', start);
      actions.push(`vacation:${lines.slice(start + 1, end).join('\n')}`);
    }
  });
  if (/store message in folder/.test(implicit)) actions.push('implicit-keep');
  return actions;
}
