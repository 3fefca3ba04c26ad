import type { Arguments } from '../compiler/arguments.js';
import type { CompiledBlock, CompiledScript, CompiledTest } from '../compiler/program.js';
import type { SieveString, SieveStringList, VariableReference } from '../compiler/strings.js';
import type { MatchContext, SieveExtension } from '../compiler/definitions.js';
import type { SourcePosition } from '../protocol/diagnostic.js';
import type { KeepAction, SieveAction } from './actions.js';
import type { SieveEnvelope } from './envelope.js';
import { DEFAULT_HOST, type SieveHost } from './host.js';
import { DEFAULT_RUNTIME_LIMITS, type RuntimeLimits } from './limits.js';
import { SieveMessage } from './message.js';
import { SieveResult } from './result.js';
import type { SieveRuntime, SieveRuntimeError } from './runtime.js';

export interface SieveRunInput {
  /** The message: its bytes, or a SieveMessage (reuse one across scripts of one delivery). */
  readonly message: SieveMessage | Uint8Array;
  readonly envelope: SieveEnvelope;
}

export interface RunOptions {
  readonly host?: SieveHost;
  readonly limits?: Partial<RuntimeLimits>;
  /** Append to this result (several scripts acting on one message) instead of a new one. */
  readonly result?: SieveResult;
}

export interface SieveRunResult {
  /** `completed` (also after `stop`), or `error` (a runtime error: the message must be kept). */
  readonly status: 'completed' | 'error';
  readonly error: SieveRuntimeError | null;
  /**
   * What the host carries out, in order: the script's actions, then the implicit keep
   * (`{ type: 'keep', implicit: true }`) when it is still in force. After an error, only the
   * implicit keep (RFC 5228 section 2.10.6): no action of a failed script is carried out.
   */
  readonly actions: readonly SieveAction[];
  /** Whether the implicit keep is in force (always after an error). */
  readonly implicitKeep: boolean;
  /** The result the script's actions went into (shared when one was passed in). */
  readonly result: SieveResult;
  /** CPU steps used. */
  readonly steps: number;
}

const STOP = { signal: 'stop' };
const ERROR = { signal: 'error' };
const NO_ORIGIN: SourcePosition = { line: 0, column: 0 };

/**
 * Runs a compiled script against a message and an envelope. Synchronous and sans-I/O: what it
 * needs from outside comes from `options.host`. Never throws: a runtime error, an exceeded budget
 * or a failing extension ends the run with status `error`.
 */
export function runScript(
  script: CompiledScript,
  input: SieveRunInput,
  options: RunOptions = {},
): SieveRunResult {
  const limits = { ...DEFAULT_RUNTIME_LIMITS, ...options.limits };
  const message =
    input.message instanceof SieveMessage ? input.message : new SieveMessage(input.message);
  const result = options.result ?? new SieveResult();
  const run = new Interpreter(
    script,
    message,
    input.envelope,
    options.host ?? DEFAULT_HOST,
    limits,
    result,
  );
  try {
    run.runBlock(script.commands);
  } catch (error) {
    run.fail(`internal error: ${error instanceof Error ? error.message : String(error)}`);
  }
  const error = run.error;
  if (error) {
    return {
      status: 'error',
      error,
      actions: [{ type: 'keep', implicit: true, origin: NO_ORIGIN }],
      implicitKeep: true,
      result,
      steps: run.steps,
    };
  }
  const actions: SieveAction[] = [...result.actions];
  if (result.implicitKeep) actions.push(run.implicitKeep());
  return {
    status: 'completed',
    error: null,
    actions,
    implicitKeep: result.implicitKeep,
    result,
    steps: run.steps,
  };
}

class Interpreter implements SieveRuntime, MatchContext {
  steps = 0;
  error: SieveRuntimeError | null = null;
  unwinding: object | null = null;
  private position: SourcePosition = NO_ORIGIN;
  /** The variables of the script being run (each included script has its own, RFC 6609). */
  private variables = new Map<string, string>();
  /** The names the script being run declared `global` (include, RFC 6609 section 3.3). */
  private globalNames = new Set<string>();
  private readonly globalValues = new Map<string, string>();
  private matchValues: readonly string[] = [];
  private readonly states = new Map<object, unknown>();
  /** The message as the script changed it (editheader), or null while unchanged. */
  private edited: SieveMessage | null = null;
  captures: boolean;
  /** The required extensions that adjust every action (imap4flags). */
  private readonly actionDecorators: readonly SieveExtension[];

  constructor(
    public script: CompiledScript,
    public message: SieveMessage,
    public envelope: SieveEnvelope,
    readonly host: SieveHost,
    readonly limits: RuntimeLimits,
    readonly result: SieveResult,
  ) {
    this.captures = script.usesVariables;
    this.actionDecorators = [...script.capabilities]
      .map((capability) => script.registry.extension(capability))
      .filter((extension) => extension?.decorateAction !== undefined) as SieveExtension[];
  }

  runBlock(block: CompiledBlock): void {
    for (const node of block) {
      if (this.unwinding !== null) return;
      this.step();
      this.position = node;
      if (node.kind === 'command') {
        node.definition.execute(node.args, node.data, this, node.block);
        continue;
      }
      let taken = node.otherwise;
      for (const branch of node.branches) {
        if (this.test(branch.test)) {
          taken = branch.block;
          break;
        }
        if (this.unwinding !== null) return;
      }
      if (taken !== null && this.unwinding === null) this.runBlock(taken);
    }
  }

  test(test: CompiledTest): boolean {
    if (this.unwinding !== null) return false;
    this.step();
    const before = this.position;
    this.position = test;
    const outcome = test.definition.evaluate(test.args, test.data, this);
    this.position = before;
    return outcome;
  }

  get stopped(): boolean {
    return this.unwinding !== null;
  }

  step(count = 1): void {
    this.steps += count;
    if (this.steps > this.limits.maxSteps && this.error === null) {
      this.fail(`script exceeded its CPU budget of ${this.limits.maxSteps} steps`);
    }
  }

  string(value: SieveString): string {
    const parts = value.parts;
    if (parts === null) return value.text;
    const max = this.limits.maxExpandedString;
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const piece = this.reference(part);
      out += piece;
      // Checked as it grows: a string of many references to a long variable must fail before it
      // takes memory, not after. Each reference costs a step per 4 characters it brings, so that
      // a run's expansions together stay within the CPU budget too (a list of many such strings
      // holds at most some 40 million characters under the default budget).
      this.step(1 + (piece.length >>> 2));
      if (out.length > max) {
        this.fail(`a string expands to more than ${max} characters`);
        return out.slice(0, max);
      }
      if (this.error !== null) return out;
    }
    return out;
  }

  private reference(part: VariableReference): string {
    if (part.matchIndex !== null) return this.matchValues[part.matchIndex] ?? '';
    if (part.namespace === null) return this.scopeOf(part.name).get(part.name) ?? '';
    for (const entry of this.script.registry.namespaces(part.namespace)) {
      const found = entry.item.get(part.name, this);
      if (found !== undefined) return found;
    }
    return '';
  }

  stringList(value: SieveStringList): readonly string[] {
    return value.constant ?? value.items.map((item) => this.string(item));
  }

  matches(args: Arguments, values: readonly string[], keys: SieveStringList): boolean {
    const match = args.match;
    const prepared = match.preparedReady
      ? match.prepared
      : match.definition.prepare(this.stringList(keys), args.comparator, match.argument);
    return match.definition.match(values, prepared, args.comparator, match.argument, this);
  }

  addAction(action: SieveAction, args: Arguments): void {
    let decorated = action;
    for (const extension of this.actionDecorators)
      decorated = extension.decorateAction!(decorated, this);
    for (const [tag, value] of args.extensionTags) {
      if (tag.decorateAction) {
        const plain =
          typeof value === 'object'
            ? value.kind === 'string'
              ? this.string(value)
              : this.stringList(value)
            : value;
        decorated = tag.decorateAction(decorated, plain, this);
      }
    }
    if (this.edited !== null && decorated.message === undefined)
      decorated = { ...decorated, message: this.edited };
    const problem = this.result.add(decorated, this.script.registry, this.limits);
    if (problem) this.fail(problem, action.origin);
  }

  fail(message: string, at: SourcePosition = this.position): void {
    if (this.error !== null) return;
    this.error = { message, line: at.line, column: at.column };
    this.unwinding = ERROR;
  }

  /** The implicit keep, as the script's extensions shape it (imap4flags' flags, say). */
  implicitKeep(): KeepAction {
    let keep: KeepAction = {
      type: 'keep',
      implicit: true,
      origin: NO_ORIGIN,
      ...(this.edited !== null ? { message: this.edited } : {}),
    };
    for (const capability of this.script.capabilities) {
      const extension = this.script.registry.extension(capability);
      if (extension?.implicitKeep) keep = extension.implicitKeep(keep, this);
    }
    return keep;
  }

  replaceMessage(message: SieveMessage, envelope: SieveEnvelope): void {
    this.message = message;
    this.envelope = envelope;
    this.edited = null;
  }

  editMessage(message: SieveMessage): void {
    this.message = message;
    this.edited = message;
  }

  stop(): void {
    this.unwind(STOP);
  }

  unwind(signal: object): void {
    if (this.unwinding === null) this.unwinding = signal;
  }

  resume(): void {
    if (this.unwinding !== ERROR) this.unwinding = null;
  }

  state<T>(key: object, create: () => T): T {
    let value = this.states.get(key) as T | undefined;
    if (value === undefined) {
      value = create();
      this.states.set(key, value);
    }
    return value;
  }

  variable(name: string): string {
    return this.scopeOf(name).get(name) ?? '';
  }

  setVariable(name: string, value: string): void {
    this.storeVariable(this.scopeOf(name), name, value);
  }

  globalVariable(name: string): string {
    return this.globalValues.get(name) ?? '';
  }

  setGlobalVariable(name: string, value: string): void {
    this.storeVariable(this.globalValues, name, value);
  }

  private storeVariable(scope: Map<string, string>, name: string, value: string): void {
    if (!scope.has(name) && scope.size >= this.limits.maxVariables) {
      this.fail(`script sets more than ${this.limits.maxVariables} variables`);
      return;
    }
    scope.set(name, truncate(value, this.limits.maxVariableSize));
  }

  private scopeOf(name: string): Map<string, string> {
    return this.globalNames.size > 0 && this.globalNames.has(name)
      ? this.globalValues
      : this.variables;
  }

  declareGlobal(name: string): void {
    this.globalNames.add(name);
  }

  runIncluded(script: CompiledScript, signal: object): void {
    const saved = {
      script: this.script,
      captures: this.captures,
      variables: this.variables,
      globalNames: this.globalNames,
      matchValues: this.matchValues,
    };
    this.script = script;
    this.captures = script.usesVariables;
    this.variables = new Map();
    this.globalNames = new Set();
    this.matchValues = [];
    try {
      this.runBlock(script.commands);
    } finally {
      this.script = saved.script;
      this.captures = saved.captures;
      this.variables = saved.variables;
      this.globalNames = saved.globalNames;
      this.matchValues = saved.matchValues;
    }
    if (this.unwinding === signal) this.resume();
  }

  setMatchValues(values: readonly string[]): void {
    this.matchValues = values.map((value) => truncate(value, this.limits.maxVariableSize));
  }
}

/** Cuts a string to at most `max` characters, never inside a surrogate pair. */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}
