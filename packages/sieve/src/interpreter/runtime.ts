import type { Arguments } from '../compiler/arguments.js';
import type { CompiledBlock, CompiledScript, CompiledTest } from '../compiler/program.js';
import type { SieveString, SieveStringList } from '../compiler/strings.js';
import type { SourcePosition } from '../protocol/diagnostic.js';
import type { KeepAction, SieveAction } from './actions.js';
import type { SieveEnvelope } from './envelope.js';
import type { SieveHost } from './host.js';
import type { RuntimeLimits } from './limits.js';
import type { SieveMessage } from './message.js';
import type { SieveResult } from './result.js';

/** A runtime error: what went wrong, and where in the script. */
export interface SieveRuntimeError extends SourcePosition {
  readonly message: string;
}

/**
 * What commands and tests see of a run: the message, the envelope, the host, the result, and
 * the operations of the language (strings with variables, matching, actions, control flow).
 */
export interface SieveRuntime {
  readonly script: CompiledScript;
  /** The message being filtered (replaced only through `replaceMessage`). */
  readonly message: SieveMessage;
  readonly envelope: SieveEnvelope;
  readonly host: SieveHost;
  readonly limits: RuntimeLimits;
  readonly result: SieveResult;

  /** A string argument's value, variables expanded. */
  string(value: SieveString): string;
  /** A string list's values, variables expanded. */
  stringList(value: SieveStringList): readonly string[];
  /**
   * Whether the values match the keys under the test's comparator and match type; sets the
   * match variables on success when the script uses variables.
   */
  matches(args: Arguments, values: readonly string[], keys: SieveStringList): boolean;
  /** Adds an action taken by the command with these arguments (extension tags applied first). */
  addAction(action: SieveAction, args: Arguments): void;
  /** Ends the run with a runtime error. */
  fail(message: string, at?: SourcePosition): void;
  /**
   * Makes another message (and envelope) the one the rest of the run sees: for harnesses such as
   * the testsuite's `test_set "message"`, never for scripts of a delivery.
   */
  replaceMessage(message: SieveMessage, envelope: SieveEnvelope): void;
  /**
   * Makes a changed copy of the message the one the rest of the run sees and the one every
   * action taken from now on (and the implicit keep) carries as its `message` (editheader).
   */
  editMessage(message: SieveMessage): void;
  /** Ends the run normally (`stop`). */
  stop(): void;
  /** Counts work against the CPU budget (fails the run past it). */
  step(count?: number): void;
  runBlock(block: CompiledBlock): void;
  test(test: CompiledTest): boolean;
  /** The implicit keep as the script's extensions shape it now (imap4flags' flags). */
  implicitKeep(): KeepAction;
  /** Per-run state of an extension, created on first use. */
  state<T>(key: object, create: () => T): T;

  /** A variable's value ('' when unset). Names are lower case. */
  variable(name: string): string;
  /** Sets a variable (cut to the size limit). */
  setVariable(name: string, value: string): void;
  /** Replaces `${0}`... */
  setMatchValues(values: readonly string[]): void;
  /** Makes `name` refer to the global variable of that name in the running script (include). */
  declareGlobal(name: string): void;
  /** The global variable `name` ('' when unset), declared or not (`${global.name}`, RFC 6609 3.5). */
  globalVariable(name: string): string;
  /** Sets the global variable `name`, declared or not (`set "global.name"`), cut to the size limit. */
  setGlobalVariable(name: string, value: string): void;
  /**
   * Runs another compiled script in this run (include, RFC 6609): same message, result and
   * globals, its own variables and match values; `signal` unwinding out of it (`return`) ends it
   * there. `script` is the running script meanwhile.
   */
  runIncluded(script: CompiledScript, signal: object): void;

  /**
   * Unwinds the blocks being run up to whoever waits for `signal` (the testsuite's `test`
   * block catches its own). `stop` and errors are signals of this kind too.
   */
  unwind(signal: object): void;
  /** The signal being unwound, or null while running normally. */
  readonly unwinding: object | null;
  /** Clears the signal (called by whoever caught it). */
  resume(): void;
}
