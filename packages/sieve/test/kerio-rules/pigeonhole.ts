import { sieveTestDirectory } from '../pigeonhole-run.js';

export { SIEVE_TEST } from '../pigeonhole-run.js';

/**
 * Runs Pigeonhole's sieve-test on a script and a message (sender `s@x.com` and recipient
 * `me@company.com` unless given, as the test messages have them), and returns what it did in
 * the compact form our tests compare (`fileinto:Y`, `redirect:a@x`, `discard`, `reject`,
 * `notify:to`, `vacation:<text>`, `implicit-keep`).
 */
export async function pigeonholeActions(
  script: string,
  message: string,
  options: { recipient?: string; sender?: string } = {},
): Promise<string[]> {
  const to = options.recipient ?? 'me@company.com';
  const sieveTest = sieveTestDirectory({
    script,
    message: message.replace(/\r?\n/g, '\r\n'),
    from: options.sender ?? 's@x.com',
    to,
  });
  try {
    const { stdout, stderr } = await sieveTest.run(['-a', to]);
    if (/failed to compile|final result: failed|Fatal:/.test(stderr)) {
      throw new Error(`sieve-test failed: ${stderr}`);
    }
    return summarize(stdout);
  } finally {
    sieveTest.remove();
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
