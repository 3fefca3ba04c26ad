// The include extension (RFC 6609): `include`, `return` and `global`. Included scripts come from
// the host (`host.includedScript(name, 'personal' | 'global')`), are compiled once per run with
// the including script's registry, and run in the same run: the same message, result and global
// variables, their own variables otherwise.
import { compileWithRegistry } from '../compiler/compile.js';
import type { CommandDefinition, SieveExtension } from '../compiler/definitions.js';
import type { CompiledScript } from '../compiler/program.js';
import { isVariableName } from '../compiler/strings.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

export interface IncludeOptions {
  /** Scripts included inside included scripts, at most this deep. Default 10 (Pigeonhole's). */
  readonly maxIncludeDepth: number;
  /** Distinct scripts one run may include. Default 255 (Pigeonhole's). */
  readonly maxIncludes: number;
}

export const DEFAULT_INCLUDE_OPTIONS: IncludeOptions = { maxIncludeDepth: 10, maxIncludes: 255 };

/** A script name (RFC 6609 section 3.2; RFC 5804's names): not empty, no '/', no controls. */
export function scriptNameProblem(name: string): string | undefined {
  if (name === '' || /[/\x00-\x1f\x7f]/.test(name))
    return `invalid script name '${name.replace(/[\x00-\x1f\x7f]/g, '?')}'`;
  return undefined;
}

const RETURN = { signal: 'return' };

interface IncludeState {
  /** Compiled scripts by location and name (a failure is kept as its message). */
  readonly compiled: Map<string, CompiledScript | string>;
  /** Scripts run with :once. */
  readonly once: Set<string>;
  /** The scripts being run, innermost last: a script may not include itself. */
  readonly active: string[];
}
const STATE = {};

/** The include extension with its options. */
export function includeExtension(options: Partial<IncludeOptions> = {}): SieveExtension {
  const resolved = { ...DEFAULT_INCLUDE_OPTIONS, ...options };

  const load = (
    runtime: SieveRuntime,
    state: IncludeState,
    key: string,
    name: string,
    location: 'personal' | 'global',
    optional: boolean,
  ): CompiledScript | string | null => {
    let compiled = state.compiled.get(key);
    if (compiled !== undefined) return compiled;
    const source = runtime.host.includedScript?.(name, location);
    if (source === undefined) {
      if (optional) return null;
      return `include: ${location} script '${name}' does not exist`;
    }
    if (state.compiled.size >= resolved.maxIncludes)
      return `include: the script includes more than ${resolved.maxIncludes} scripts`;
    const result = compileWithRegistry(source, runtime.script.registry, { name });
    compiled = result.script
      ? result.script
      : `include: ${location} script '${name}' does not compile: ${result.errors
          .slice(0, 3)
          .map((error) => `line ${error.line}: ${error.message}`)
          .join('; ')}`;
    state.compiled.set(key, compiled);
    return compiled;
  };

  const include: CommandDefinition = {
    name: 'include',
    tags: [
      { name: 'personal', group: 'location' },
      { name: 'global', group: 'location' },
      { name: 'once' },
      { name: 'optional' },
    ],
    positional: [{ name: 'script-name', kind: 'string' }],
    validate(args, context) {
      const name = args.string(0);
      const problem = name.parts === null ? scriptNameProblem(name.text) : undefined;
      if (problem) context.error(name, `include: ${problem}`);
    },
    execute(args, _data, runtime) {
      const name = runtime.string(args.string(0));
      const problem = scriptNameProblem(name);
      if (problem) {
        runtime.fail(`include: ${problem}`);
        return;
      }
      const location = args.has('global') ? 'global' : 'personal';
      const key = `${location}:${name}`;
      const state = runtime.state<IncludeState>(STATE, () => ({
        compiled: new Map(),
        once: new Set(),
        active: [],
      }));
      if (args.has('once') && state.once.has(key)) return;
      if (state.active.includes(key)) {
        runtime.fail(`include: ${location} script '${name}' includes itself`);
        return;
      }
      if (state.active.length >= resolved.maxIncludeDepth) {
        runtime.fail(`include: scripts nested more than ${resolved.maxIncludeDepth} deep`);
        return;
      }
      const script = load(runtime, state, key, name, location, args.has('optional'));
      if (script === null) return;
      if (typeof script === 'string') {
        runtime.fail(script);
        return;
      }
      if (args.has('once')) state.once.add(key);
      state.active.push(key);
      try {
        runtime.runIncluded(script, RETURN);
      } finally {
        state.active.pop();
      }
    },
  };

  /** `return`: ends the included script being run (in the main script, ends the run). */
  const returnCommand: CommandDefinition = {
    name: 'return',
    execute: (_args, _data, runtime) => runtime.unwind(RETURN),
  };

  const global: CommandDefinition<readonly string[]> = {
    name: 'global',
    positional: [{ name: 'value', kind: 'string-list', literal: true }],
    validate(args, context) {
      if (!context.has('variables'))
        context.error(
          args,
          "the global command needs the 'variables' extension: add it to require",
        );
      const names: string[] = [];
      for (const item of args.stringList(0).items) {
        if (!isVariableName(item.text) || item.text.includes('.'))
          context.error(item, `global: invalid variable name '${item.text}'`);
        else names.push(item.text.toLowerCase());
      }
      return names;
    },
    execute(_args, names, runtime) {
      for (const name of names) runtime.declareGlobal(name);
    },
  };

  return {
    capability: 'include',
    commands: [include, returnCommand, global as CommandDefinition],
    // RFC 6609 3.5: `${global.name}` and `set "global.name"` are the global variable `name`,
    // without a `global` declaration.
    variableNamespaces: [
      {
        name: 'global',
        get: (name, runtime) => runtime.globalVariable(name),
        set: (name, value, runtime) => runtime.setGlobalVariable(name, value),
        settable: (name) => !name.includes('.'),
      },
    ],
  };
}

/** The include extension with the default options. */
export const include: SieveExtension = includeExtension();
