import {
  type ExtensionRegistry,
  type RuntimeLimits,
  compileSieve,
  runScript,
  type SieveAction,
  type SieveEnvelope,
  type SieveHost,
  type SieveRunResult,
} from '../src/index.js';

export const DEFAULT_MESSAGE = [
  'From: Sender <sender@example.com>',
  'To: recipient@example.org, other@example.net',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  'Date: Tue, 1 Apr 1997 09:06:31 -0800',
  '',
  'Body text.',
  '',
].join('\r\n');

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Compiles (failing the test on errors) and runs a script on a message. */
export function run(
  script: string,
  message = DEFAULT_MESSAGE,
  envelope: SieveEnvelope = { from: 'sender@example.com', to: 'recipient@example.org' },
): SieveRunResult {
  const compiled = compileSieve(script);
  if (!compiled.script)
    throw new Error(
      `compile errors: ${compiled.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`,
    );
  return runScript(compiled.script, { message: bytes(message), envelope });
}

/** The actions in a compact form: `fileinto:Junk`, `keep`, `implicit-keep`, ... */
export function summary(actions: readonly SieveAction[]): string[] {
  return actions.map((action) => {
    switch (action.type) {
      case 'keep':
        return action.implicit ? 'implicit-keep' : 'keep';
      case 'fileinto':
        return `fileinto:${action.mailbox}${action.copy ? ':copy' : ''}`;
      case 'redirect':
        return `redirect:${action.address}`;
      case 'reject':
        return `${action.extended ? 'ereject' : 'reject'}:${action.reason}`;
      default:
        return action.type;
    }
  });
}

/** The error messages of compiling a script. */
export function compileErrors(script: string): string[] {
  return compileSieve(script).errors.map(
    (error) => `${error.line}:${error.column}: ${error.message}`,
  );
}

/** What `runWith` may change from `run`'s defaults. */
export interface RunWithOptions {
  readonly message?: string;
  readonly envelope?: SieveEnvelope;
  readonly host?: SieveHost;
  readonly registry?: ExtensionRegistry;
  readonly limits?: Partial<RuntimeLimits>;
}

/** `run` with a host, a registry and limits of the test's own (extensions that ask the host). */
export function runWith(script: string, options: RunWithOptions = {}): SieveRunResult {
  const compiled = compileSieve(script, options.registry ? { registry: options.registry } : {});
  if (!compiled.script)
    throw new Error(
      `compile errors: ${compiled.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('; ')}`,
    );
  return runScript(
    compiled.script,
    {
      message: bytes(options.message ?? DEFAULT_MESSAGE),
      envelope: options.envelope ?? { from: 'sender@example.com', to: 'recipient@example.org' },
    },
    {
      ...(options.host ? { host: options.host } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
    },
  );
}
