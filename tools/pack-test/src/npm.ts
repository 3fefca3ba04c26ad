import { execFile } from 'node:child_process';

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for a program run in the fresh project: ours, less npm's `npm_*` variables.
 * This test runs under `npm test`, and a child npm that inherited them would take the
 * repository's workspace settings (its prefix, its workspaces) for its own.
 */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.toLowerCase().startsWith('npm_')) environment[name] = value;
  return { ...environment, ...extra };
}

/** Runs a program to its end; resolves with its exit code and output whatever the code. */
export function run(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv },
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? cleanEnvironment(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** npm, the one on the PATH (the one the README's commands use). */
export async function npm(args: readonly string[], cwd: string): Promise<CommandRun> {
  const result = await run('npm', args, { cwd });
  if (result.code !== 0)
    throw new Error(`npm ${args.join(' ')} failed (${result.code}):\n${result.stderr}`);
  return result;
}
