// The extension API: what an extension module registers with the compiler and the interpreter.
// The RFC 5228 core is itself registered through it (extensions/core.ts), so nothing an extension
// needs is private to the core.
import type { SourcePosition } from '../protocol/diagnostic.js';
import type { KeepAction, SieveAction } from '../interpreter/actions.js';
import type { SieveAddress } from '../interpreter/address.js';
import type { SieveHost } from '../interpreter/host.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import type { Arguments } from './arguments.js';
import type { CompiledBlock } from './program.js';
import type { ExtensionRegistry, Registered } from './registry.js';

/** The kinds of values arguments have (RFC 5228 section 2.6). A string passes as a string list. */
export type ValueKind = 'string' | 'string-list' | 'number';

export interface ParameterSpec {
  /** As error messages name it: `mailbox`, `key-list`. */
  readonly name: string;
  readonly kind: ValueKind;
  /** A positional parameter that may be left out (only at the end). */
  readonly optional?: boolean;
  /** Taken as written: no `${...}` expansion (comparator names, relational operators, ...). */
  readonly literal?: boolean;
}

export interface TagSpec {
  /** Lower case, without the colon. */
  readonly name: string;
  /** The value that must follow the tag, if any. */
  readonly argument?: ParameterSpec;
  /** Tags of the same group exclude each other (`:over` / `:under`). */
  readonly group?: string;
}

/** How a command or test is called. */
export interface Signature {
  readonly positional?: readonly ParameterSpec[];
  readonly tags?: readonly TagSpec[];
  /** Takes `:comparator "name"` (RFC 5228 section 2.7.3). */
  readonly comparator?: boolean;
  /** Takes a match type (`:is`, `:contains`, `:matches`, and those extensions register). */
  readonly matchType?: boolean;
  /** Takes an address part (`:all`, `:localpart`, `:domain`, and those extensions register). */
  readonly addressPart?: boolean;
  /** Index of the positional key list that the match type compares against. */
  readonly keyList?: number;
  /** Takes the registered variable modifiers as tags (`set`). */
  readonly variableModifiers?: boolean;
  /** The comparator when none is given. Default `i;ascii-casemap` (RFC 5228 section 2.7.3). */
  readonly defaultComparator?: string;
}

/** What a `validate` hook can see and say at compile time. */
export interface ValidationContext {
  error(at: SourcePosition, message: string): void;
  warning(at: SourcePosition, message: string): void;
  /** Whether the script requires (or is always given) this capability. */
  has(capability: string): boolean;
  /** The registry the script is compiled against. */
  readonly registry: ExtensionRegistry;
  /** The first entry whose extension the script may use (`registry.envelopeParts(name)`, ...). */
  usable<T>(entries: readonly Registered<T>[]): T | undefined;
  /**
   * The commands whose blocks hold the one being checked, outermost first (`if`, `elsif` and
   * `else` are not commands of their own here): what a command that belongs inside another
   * checks (RFC 5703's `break` and `extracttext` inside `foreverypart`).
   */
  readonly enclosing: readonly EnclosingCommand[];
}

/** A command whose block is being compiled, with its compiled arguments. */
export interface EnclosingCommand {
  /** Lower case. */
  readonly name: string;
  readonly args: Arguments;
}

export interface CommandDefinition<Data = unknown> extends Signature {
  /** Lower case. */
  readonly name: string;
  /** Whether a block follows instead of `;`. Default 'forbidden'. */
  readonly block?: 'forbidden' | 'required' | 'optional';
  /** Only allowed outside any block (the testsuite's `test`). */
  readonly topLevelOnly?: boolean;
  /** Extra compile-time checks; what it returns is handed to `execute` (precomputed data). */
  validate?(args: Arguments, context: ValidationContext): Data;
  /** Runs the command; `block` is its compiled block (run it with `runtime.runBlock`), or null. */
  execute(args: Arguments, data: Data, runtime: SieveRuntime, block: CompiledBlock | null): void;
}

export interface TestDefinition<Data = unknown> extends Signature {
  /** Lower case. */
  readonly name: string;
  /** `none` (default), `one` (`not`) or `list` (`allof`, `anyof`). */
  readonly subtests?: 'none' | 'one' | 'list';
  validate?(args: Arguments, context: ValidationContext): Data;
  evaluate(args: Arguments, data: Data, runtime: SieveRuntime): boolean;
  /**
   * For a test that guards the block of an `if` or `elsif` (ihave, RFC 5463): how that block is
   * compiled. `enable`: capabilities usable in the block as if required; `skip`: the block is
   * not compiled at all (it can never run, and may use what this implementation lacks).
   */
  guardBlock?(
    args: Arguments,
    registry: ExtensionRegistry,
  ): { readonly enable?: readonly string[]; readonly skip?: boolean };
}

/** A tag an extension adds to another extension's command or test (`:copy` on `fileinto`). */
export interface TagExtension {
  /** Names of the commands and tests that take it. */
  readonly targets: readonly string[];
  readonly tag: TagSpec;
  /**
   * For commands that make an action: adjusts the action when the tag is given (its value, or
   * `true` for a tag without one). Runs before the action enters the result.
   */
  decorateAction?(
    action: SieveAction,
    value: string | readonly string[] | number | true,
    runtime: SieveRuntime,
  ): SieveAction;
}

/** A comparator (RFC 4790), named in `:comparator`. */
export interface ComparatorDefinition {
  /** `i;octet`. */
  readonly name: string;
  /**
   * The canonical form two strings are equal in, for comparators that support substring
   * operations (`:contains`, `:matches`); absent for those that do not (`i;ascii-numeric`).
   */
  readonly normalize?: (value: string) => string;
  equals(a: string, b: string): boolean;
  /** Ordering, for relational tests: negative, zero or positive. */
  compare(a: string, b: string): number;
}

/** What a match type sees of the run while matching. */
export interface MatchContext {
  /** Whether match variables are wanted (the script requires `variables`). */
  readonly captures: boolean;
  /** Sets `${0}`... after a successful match. */
  setMatchValues(values: readonly string[]): void;
  /** Counts work against the CPU budget. */
  step(count: number): void;
  /** Whether the run is ending (budget exceeded, error): long matching loops give up then. */
  readonly stopped: boolean;
  /** Ends the run with a runtime error (a key computed at run time that is not valid). */
  fail(message: string): void;
  /** The application's host, for match types whose keys name its data (extlists' `:list`). */
  readonly host: SieveHost;
}

/** A match type (`:is`, `:value "gt"`, ...). */
export interface MatchTypeDefinition<Prepared = unknown> {
  /** Lower case, without the colon. */
  readonly name: string;
  /** The argument that follows the tag (relational's operator). */
  readonly argument?: ParameterSpec;
  /** Whether it needs a comparator with `normalize`. */
  readonly substring?: boolean;
  /**
   * Compile-time check of the argument, and of the comparator the test uses with it; returns an
   * error message or undefined.
   */
  validateArgument?(
    argument: string | undefined,
    comparator: ComparatorDefinition,
  ): string | undefined;
  /**
   * Compile-time check of one constant key (regex patterns that do not compile); returns an
   * error message, reported at the key, or undefined. Keys computed at run time are checked by
   * `match`, which fails the run through `context.fail`.
   */
  validateKey?(
    key: string,
    comparator: ComparatorDefinition,
    argument: string | undefined,
  ): string | undefined;
  /** Work done once per key list (at compile time when the keys are constants). */
  prepare(
    keys: readonly string[],
    comparator: ComparatorDefinition,
    argument: string | undefined,
  ): Prepared;
  /** Whether the values match the keys; true if any value matches any key, for most types. */
  match(
    values: readonly string[],
    prepared: Prepared,
    comparator: ComparatorDefinition,
    argument: string | undefined,
    context: MatchContext,
  ): boolean;
}

/** An address part (`:localpart`, ...): what of an address a test compares. */
export interface AddressPartDefinition {
  /** Lower case, without the colon. */
  readonly name: string;
  /** The part, or null when the address has none (then the address is not compared). */
  extract(address: SieveAddress): string | null;
}

/** A part of the envelope the `envelope` test can name. */
export interface EnvelopePartDefinition {
  /** Lower case. */
  readonly name: string;
  /**
   * The paths of that part, as SMTP gives them without angle brackets; '' is the null path `<>`
   * (compared as the empty string whatever the address part). A part the host does not know
   * yields none.
   */
  paths(runtime: SieveRuntime): readonly string[];
}

/** How an action behaves in a result: implicit keep, duplicates, conflicts (RFC 5228 2.10). */
export interface ActionDefinition {
  readonly type: string;
  /** Whether the action, once in the result, cancels the implicit keep. */
  cancelsImplicitKeep(action: SieveAction): boolean;
  /** Whether `action` does what `earlier` already does, and is dropped. */
  duplicates?(action: SieveAction, earlier: SieveAction): boolean;
  /** An error message when `action` may not stand beside `earlier`, else undefined. */
  conflicts?(action: SieveAction, earlier: SieveAction): string | undefined;
}

/** A namespace of variables (`${env.x}`), read-only. */
export interface VariableNamespace {
  /** Lower case. */
  readonly name: string;
  get(name: string, runtime: SieveRuntime): string | undefined;
  /**
   * Stores `set "namespace.name"` (include's `global.`, RFC 6609 3.5); without it the namespace
   * is read-only and such a `set` is a compile error. `name` is lower case, without the namespace.
   */
  set?(name: string, value: string, runtime: SieveRuntime): void;
  /** Whether `name` (lower case, without the namespace) may be set; default: any. */
  settable?(name: string): boolean;
}

/**
 * A modifier of the variables extension's `set` (`:lower`, `:length`, RFC 5229 section 4.1).
 * Other extensions add theirs (`:quoteregex` of regex, `:encodeurl` of enotify) by registering
 * one: the `set` command takes every registered modifier whose extension the script requires.
 */
export interface VariableModifier {
  /** Lower case, without the colon. */
  readonly name: string;
  /** Applied from the highest precedence down; two of one precedence are an error. */
  readonly precedence: number;
  apply(value: string): string;
}

/**
 * An extension: a capability a script names in `require`, and everything it brings. The same
 * shape registers the core language (with `alwaysEnabled`).
 */
export interface SieveExtension {
  /** What `require` names: `fileinto`, `comparator-i;ascii-numeric`. */
  readonly capability: string;
  /** Usable without `require` (the RFC 5228 core). Not listed among the capabilities. */
  readonly alwaysEnabled?: boolean;
  readonly commands?: readonly CommandDefinition[];
  readonly tests?: readonly TestDefinition[];
  readonly comparators?: readonly ComparatorDefinition[];
  readonly matchTypes?: readonly MatchTypeDefinition[];
  readonly addressParts?: readonly AddressPartDefinition[];
  readonly envelopeParts?: readonly EnvelopePartDefinition[];
  readonly tagExtensions?: readonly TagExtension[];
  readonly actions?: readonly ActionDefinition[];
  readonly variableNamespaces?: readonly VariableNamespace[];
  readonly variableModifiers?: readonly VariableModifier[];
  /** Strings of scripts that require it may hold `${...}` references (variables, RFC 5229). */
  readonly expandsVariables?: boolean;
  /**
   * Adjusts the implicit keep of a run of a script that requires this extension, when it is in
   * force at the end (imap4flags gives it the flags of its internal variable).
   */
  implicitKeep?(keep: KeepAction, runtime: SieveRuntime): KeepAction;
  /**
   * Adjusts every action a run of a script that requires this extension takes, before the tags
   * of the command (`:flags`) apply: imap4flags gives keep and fileinto the flags of its internal
   * variable when no `:flags` is given (RFC 5232 section 5).
   */
  decorateAction?(action: SieveAction, runtime: SieveRuntime): SieveAction;
  /** Rewrites the text of every string at compile time (encoded-character). */
  decodeString?(
    text: string,
    at: SourcePosition,
    error: (at: SourcePosition, message: string) => void,
  ): string;
}
