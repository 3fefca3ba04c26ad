import type {
  ArgumentNode,
  CommandNode,
  ScriptNode,
  StringNode,
  TestNode,
} from '../protocol/ast.js';
import {
  DiagnosticSink,
  type SieveDiagnostic,
  type SourcePosition,
} from '../protocol/diagnostic.js';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '../protocol/parse-limits.js';
import { parseScript } from '../protocol/parser.js';
import { Arguments, type CompiledMatch, type TagValue } from './arguments.js';
import type {
  AddressPartDefinition,
  CommandDefinition,
  ComparatorDefinition,
  EnclosingCommand,
  MatchTypeDefinition,
  ParameterSpec,
  SieveExtension,
  Signature,
  TagExtension,
  TagSpec,
  TestDefinition,
  ValidationContext,
  VariableModifier,
} from './definitions.js';
import type {
  CompiledBlock,
  CompiledCommand,
  CompiledIf,
  CompiledNode,
  CompiledScript,
  CompiledTest,
} from './program.js';
import type { ExtensionRegistry, Registered } from './registry.js';
import {
  type CompiledValue,
  type SieveString,
  type SieveStringList,
  parseTemplate,
} from './strings.js';

export interface CompileOptions {
  /** Shown in error locations and kept on the compiled script. Default `script`. */
  readonly name?: string;
  readonly limits?: Partial<ParseLimits>;
}

export interface CompileResult {
  /** The compiled script, or null when there were errors. */
  readonly script: CompiledScript | null;
  /** Every error and warning, in the order of the script. */
  readonly diagnostics: readonly SieveDiagnostic[];
  /** The errors alone. */
  readonly errors: readonly SieveDiagnostic[];
}

const DEFAULT_COMPARATOR = 'i;ascii-casemap';
const DEFAULT_MATCH_TYPE = 'is';
const DEFAULT_ADDRESS_PART = 'all';
const CONTROL = new Set(['if', 'elsif', 'else', 'require']);

/**
 * Compiles a script against a registry: parses it, checks `require`, the RFC's placement rules
 * and every command's and test's arguments against its signature, and resolves everything the
 * interpreter needs. Pure and synchronous; never throws; reports every error it finds.
 */
export function compileWithRegistry(
  source: string | Uint8Array,
  registry: ExtensionRegistry,
  options: CompileOptions = {},
): CompileResult {
  const limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
  const parsed = parseScript(source, limits);
  const sink = new DiagnosticSink(limits.maxErrors);
  for (const diagnostic of parsed.diagnostics) {
    if (diagnostic.severity === 'error') sink.error(diagnostic, diagnostic.message);
    else sink.warning(diagnostic, diagnostic.message);
  }
  const compiler = new Compiler(registry, sink);
  const commands = compiler.compileScript(parsed.script);
  const diagnostics = [...sink.diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (errors.length > 0) return { script: null, diagnostics, errors };
  return {
    script: {
      name: options.name ?? 'script',
      commands,
      capabilities: compiler.required,
      usesVariables: compiler.usesVariables,
      registry,
    },
    diagnostics,
    errors,
  };
}

function ordinal(n: number): string {
  return n === 1 ? '1st' : n === 2 ? '2nd' : n === 3 ? '3rd' : `${n}th`;
}

function describeArgument(node: ArgumentNode): string {
  switch (node.type) {
    case 'string':
      return 'a string';
    case 'string-list':
      return 'a string list';
    case 'number':
      return 'a number';
    case 'tag':
      return `tag ':${node.name}'`;
  }
}

function kindName(kind: ParameterSpec['kind']): string {
  return kind === 'string' ? 'a string' : kind === 'string-list' ? 'a string list' : 'a number';
}

function accepts(kind: ParameterSpec['kind'], node: ArgumentNode): boolean {
  if (kind === 'number') return node.type === 'number';
  if (kind === 'string') return node.type === 'string';
  return node.type === 'string' || node.type === 'string-list';
}

class Compiler implements ValidationContext {
  readonly required = new Set<string>();
  private readonly enabled = new Set<SieveExtension>();
  usesVariables = false;
  private readonly decoders: SieveExtension[] = [];
  private readonly reportedUnknown = new Set<string>();
  readonly enclosing: EnclosingCommand[] = [];

  constructor(
    readonly registry: ExtensionRegistry,
    private readonly sink: DiagnosticSink,
  ) {
    for (const extension of registry.extensions)
      if (extension.alwaysEnabled) this.enabled.add(extension);
  }

  error(at: SourcePosition, message: string): void {
    this.sink.error(at, message);
  }

  warning(at: SourcePosition, message: string): void {
    this.sink.warning(at, message);
  }

  has(capability: string): boolean {
    const extension = this.registry.extension(capability);
    return extension !== undefined && this.enabled.has(extension);
  }

  /**
   * A test or command of that name: one from an extension the script requires wins over the
   * core's, so an extension can extend a core test or command (mime's `header :mime`, extlists'
   * `redirect :list`) by registering one of the same name.
   */
  private usableTest<T>(list: readonly Registered<T>[]): T | undefined {
    for (const entry of list)
      if (!entry.extension.alwaysEnabled && this.enabled.has(entry.extension)) return entry.item;
    return this.usable(list);
  }

  usable<T>(list: readonly Registered<T>[]): T | undefined {
    for (const entry of list) if (this.enabled.has(entry.extension)) return entry.item;
    return undefined;
  }

  compileScript(script: ScriptNode): CompiledBlock {
    let first = 0;
    for (; first < script.commands.length; first++) {
      const command = script.commands[first]!;
      if (command.name.toLowerCase() !== 'require') break;
      this.compileRequire(command);
    }
    return this.compileBlock(script.commands.slice(first), 0);
  }

  private compileRequire(node: CommandNode): void {
    if (node.tests.length > 0 || node.block !== null) {
      this.error(node, "the require command takes a capability list and ends with ';'");
    }
    const [argument, ...rest] = node.arguments;
    if (
      !argument ||
      rest.length > 0 ||
      (argument.type !== 'string' && argument.type !== 'string-list')
    ) {
      this.error(
        node,
        'the require command needs one argument: a string or a string list of capabilities',
      );
      return;
    }
    const items = argument.type === 'string' ? [argument] : argument.items;
    for (const item of items) {
      const extension = this.registry.extension(item.value);
      if (!extension || extension.alwaysEnabled) {
        this.error(item, `unknown Sieve capability '${item.value}'`);
        continue;
      }
      this.required.add(extension.capability);
      this.enabled.add(extension);
      if (extension.expandsVariables) this.usesVariables = true;
      if (extension.decodeString) this.decoders.push(extension);
    }
  }

  private compileBlock(nodes: readonly CommandNode[], depth: number): CompiledBlock {
    const block: CompiledNode[] = [];
    let chain: {
      branches: CompiledIf['branches'][number][];
      node: CommandNode;
      open: boolean;
    } | null = null;
    const closeChain = () => {
      if (chain) {
        block.push({
          kind: 'if',
          branches: chain.branches,
          otherwise: null,
          line: chain.node.line,
          column: chain.node.column,
        });
        chain = null;
      }
    };
    for (const node of nodes) {
      const name = node.name.toLowerCase();
      if (name === 'require') {
        closeChain();
        this.error(
          node,
          'the require command can only be placed at top level at the beginning of the script',
        );
        continue;
      }
      if (name === 'if') {
        closeChain();
        chain = { branches: [], node, open: true };
        chain.branches.push(this.compileBranch(node, depth, 'if'));
        continue;
      }
      if (name === 'elsif' || name === 'else') {
        if (!chain) {
          this.error(node, `the ${name} command must follow an if or elsif command`);
          this.compileBranch(node, depth, name);
          continue;
        }
        if (name === 'elsif') {
          chain.branches.push(this.compileBranch(node, depth, 'elsif'));
          continue;
        }
        const branch = this.compileBranch(node, depth, 'else');
        const current: { branches: CompiledIf['branches'][number][]; node: CommandNode } = chain;
        block.push({
          kind: 'if',
          branches: current.branches,
          otherwise: branch.block,
          line: current.node.line,
          column: current.node.column,
        });
        chain = null;
        continue;
      }
      closeChain();
      const command = this.compileCommand(node, depth);
      if (command) block.push(command);
    }
    closeChain();
    return block;
  }

  private compileBranch(
    node: CommandNode,
    depth: number,
    name: 'if' | 'elsif' | 'else',
  ): { test: CompiledTest; block: CompiledBlock } {
    if (node.arguments.length > 0) {
      this.error(
        node.arguments[0]!,
        `the ${name} command takes no arguments${name === 'else' ? '' : ' before its test'}`,
      );
    }
    let test: CompiledTest | null = null;
    if (name === 'else') {
      if (node.tests.length > 0) this.error(node.tests[0]!, 'the else command takes no test');
    } else if (node.testList || node.tests.length !== 1) {
      this.error(
        node,
        `the ${name} command needs exactly one test${node.testList ? ', not a test list' : ''}`,
      );
    } else {
      test = this.compileTest(node.tests[0]!);
    }
    if (node.block === null) this.error(node, `the ${name} command needs a block`);
    const guard = test?.definition.guardBlock?.(test.args, this.registry);
    if (guard?.skip) return { test: test ?? ALWAYS_FALSE, block: [] };
    // Capabilities the guard makes usable in this block only (ihave, RFC 5463 section 4).
    const scoped = (guard?.enable ?? [])
      .map((capability) => this.registry.extension(capability))
      .filter((extension) => extension !== undefined && !this.enabled.has(extension));
    for (const extension of scoped) this.enabled.add(extension!);
    const block = this.compileBlock(node.block ?? [], depth + 1);
    for (const extension of scoped) this.enabled.delete(extension!);
    return { test: test ?? ALWAYS_FALSE, block };
  }

  private compileCommand(node: CommandNode, depth: number): CompiledCommand | null {
    const name = node.name.toLowerCase();
    const definition = this.usableTest(this.registry.commands(name));
    if (!definition) {
      this.reportUnknown(node, name, 'command');
      return null;
    }
    if (definition.topLevelOnly && depth > 0) {
      this.error(
        node,
        `the ${name} command can only be used at the top level of the script, not inside a block`,
      );
    }
    if (node.tests.length > 0) this.error(node.tests[0]!, `the ${name} command takes no test`);
    const blockRule = definition.block ?? 'forbidden';
    if (blockRule === 'required' && node.block === null)
      this.error(node, `the ${name} command needs a block`);
    if (blockRule === 'forbidden' && node.block !== null)
      this.error(node, `the ${name} command takes no block: end it with ';'`);
    const errorsBefore = this.sink.errors;
    const args = this.matchSignature(definition, node, 'command', []);
    // A definition's own checks assume its signature matched: after an error there, its
    // arguments hold placeholders, which would only produce confusing errors of their own.
    const data =
      definition.validate && this.sink.errors === errorsBefore
        ? definition.validate(args, this)
        : undefined;
    let block: CompiledBlock | null = null;
    if (node.block !== null) {
      this.enclosing.push({ name, args });
      try {
        block = this.compileBlock(node.block, depth + 1);
      } finally {
        this.enclosing.pop();
      }
    }
    return {
      kind: 'command',
      definition: definition as CommandDefinition,
      args,
      data,
      block,
      line: node.line,
      column: node.column,
    };
  }

  private compileTest(node: TestNode): CompiledTest {
    const name = node.name.toLowerCase();
    const definition = this.usableTest(this.registry.tests(name));
    if (!definition) {
      this.reportUnknown(node, name, 'test');
      return ALWAYS_FALSE;
    }
    const rule = definition.subtests ?? 'none';
    const subtests: CompiledTest[] = [];
    if (rule === 'none' && node.tests.length > 0) {
      this.error(node.tests[0]!, `the ${name} test takes no test`);
    } else if (rule === 'one' && (node.testList || node.tests.length !== 1)) {
      this.error(
        node,
        `the ${name} test needs exactly one test${node.testList ? ', not a test list' : ''}`,
      );
    } else if (rule === 'list' && !node.testList) {
      this.error(node, `the ${name} test needs a test list: ${name}(test, ...)`);
    } else if (rule !== 'none') {
      for (const test of node.tests) subtests.push(this.compileTest(test));
    }
    const errorsBefore = this.sink.errors;
    const args = this.matchSignature(definition, node, 'test', subtests);
    // A definition's own checks assume its signature matched: after an error there, its
    // arguments hold placeholders, which would only produce confusing errors of their own.
    const data =
      definition.validate && this.sink.errors === errorsBefore
        ? definition.validate(args, this)
        : undefined;
    return {
      definition: definition as TestDefinition,
      args,
      data,
      line: node.line,
      column: node.column,
    };
  }

  /** Names an unknown command or test as precisely as possible, once per name. */
  private reportUnknown(node: SourcePosition, name: string, role: 'command' | 'test'): void {
    const other = role === 'command' ? this.registry.tests(name) : this.registry.commands(name);
    const same = role === 'command' ? this.registry.commands(name) : this.registry.tests(name);
    if (CONTROL.has(name) && role === 'test') {
      this.error(node, `'${name}' is a command, not a test`);
      return;
    }
    if (same.length > 0) {
      this.error(
        node,
        `the ${name} ${role} needs the '${same[0]!.extension.capability}' extension: add it to require`,
      );
      return;
    }
    if (other.length > 0) {
      this.error(node, `'${name}' is a ${role === 'command' ? 'test' : 'command'}, not a ${role}`);
      return;
    }
    const key = `${role}:${name}`;
    if (this.reportedUnknown.has(key)) return;
    this.reportedUnknown.add(key);
    this.error(node, `unknown ${role} '${name}'`);
  }

  private matchSignature(
    definition: Signature & { readonly name: string },
    node: CommandNode | TestNode,
    role: 'command' | 'test',
    tests: readonly CompiledTest[],
  ): Arguments {
    const what = `the ${definition.name} ${role}`;
    const tags = new Map<string, TagValue>();
    const groups = new Map<string, string>();
    const extensionTags: [TagExtension, TagValue][] = [];
    const positionalNodes: ArgumentNode[] = [];
    let comparator: ComparatorDefinition | undefined;
    let matchType: MatchTypeDefinition | undefined;
    let matchArgument: string | undefined;
    let matchAt: SourcePosition = node;
    let addressPart: AddressPartDefinition | undefined;
    const modifiers: VariableModifier[] = [];
    const args = node.arguments;

    for (let i = 0; i < args.length; i++) {
      const argument = args[i]!;
      if (argument.type !== 'tag') {
        positionalNodes.push(argument);
        continue;
      }
      if (positionalNodes.length > 0) {
        this.error(
          argument,
          `tag ':${argument.name}' of ${what} must come before its positional arguments`,
        );
      }
      const name = argument.name.toLowerCase();
      const takeValue = (spec: ParameterSpec): CompiledValue | undefined => {
        const next = args[i + 1];
        if (!next || next.type === 'tag' || !accepts(spec.kind, next)) {
          this.error(
            next && next.type !== 'tag' ? next : argument,
            `the :${name} tag of ${what} needs ${kindName(spec.kind)} (${spec.name})${next ? `, found ${describeArgument(next)}` : ''}`,
          );
          return undefined;
        }
        i++;
        return this.compileValue(next, spec);
      };
      const once = (group: string, label: string): boolean => {
        const earlier = groups.get(group);
        if (earlier !== undefined) {
          this.error(
            argument,
            `${what} takes only one ${label}: ':${earlier}' and ':${name}' given`,
          );
          return false;
        }
        groups.set(group, name);
        return true;
      };

      if (definition.comparator && name === 'comparator') {
        const value = takeValue({ name: 'comparator name', kind: 'string', literal: true });
        if (!once('comparator', 'comparator') || !value) continue;
        comparator = this.resolveComparator((value as SieveString).text, args[i]!);
        continue;
      }
      const type = definition.matchType ? this.usable(this.registry.matchTypes(name)) : undefined;
      if (type) {
        const value = type.argument ? takeValue({ ...type.argument, literal: true }) : undefined;
        if (!once('match-type', 'match type')) continue;
        matchType = type;
        matchArgument = value === undefined ? undefined : (value as SieveString).text;
        matchAt = argument;
        continue;
      }
      const part = definition.addressPart
        ? this.usable(this.registry.addressParts(name))
        : undefined;
      if (part) {
        if (once('address-part', 'address part')) addressPart = part;
        continue;
      }
      const modifier = definition.variableModifiers
        ? this.usable(this.registry.variableModifiers(name))
        : undefined;
      if (modifier) {
        const clash = modifiers.find((other) => other.precedence === modifier.precedence);
        if (clash)
          this.error(
            argument,
            `${what} takes only one modifier of a precedence: ':${clash.name}' and ':${name}' given`,
          );
        else modifiers.push(modifier);
        continue;
      }
      const own = definition.tags?.find((tag) => tag.name === name);
      const added = own ? undefined : this.usableTagExtension(definition.name, name);
      const spec: TagSpec | undefined = own ?? added?.tag;
      if (!spec) {
        this.error(argument, this.unknownTagMessage(definition, name, what));
        // A match type of an extension not required still takes its argument (`:count "ge"`):
        // skip it too, rather than report it as one positional argument too many.
        const unrequired = definition.matchType
          ? this.registry.matchTypes(name)[0]?.item
          : undefined;
        if (unrequired?.argument && args[i + 1]?.type === 'string') i++;
        continue;
      }
      if (tags.has(name)) {
        this.error(argument, `tag ':${name}' given twice to ${what}`);
        continue;
      }
      if (spec.group !== undefined && !once(spec.group, spec.group)) continue;
      const value: TagValue | undefined = spec.argument ? takeValue(spec.argument) : true;
      if (value === undefined) continue;
      tags.set(name, value);
      if (added) extensionTags.push([added, value]);
    }

    const specs = definition.positional ?? [];
    const required = specs.filter((spec) => !spec.optional).length;
    const positional: CompiledValue[] = [];
    if (positionalNodes.length < required) {
      this.error(
        node,
        `${what} needs ${required} positional argument${required === 1 ? '' : 's'} (${specs.map((s) => s.name).join(', ')}), found ${positionalNodes.length}`,
      );
    } else if (positionalNodes.length > specs.length) {
      this.error(
        positionalNodes[specs.length]!,
        `too many arguments for ${what}: it takes ${specs.length}`,
      );
    }
    for (let k = 0; k < Math.min(specs.length, positionalNodes.length); k++) {
      const spec = specs[k]!;
      const argument = positionalNodes[k]!;
      if (!accepts(spec.kind, argument)) {
        this.error(
          argument,
          `the ${ordinal(k + 1)} argument (${spec.name}) of ${what} must be ${kindName(spec.kind)}, found ${describeArgument(argument)}`,
        );
        positional.push(placeholder(spec));
        continue;
      }
      positional.push(this.compileValue(argument, spec));
    }
    while (positional.length < required) positional.push(placeholder(specs[positional.length]!));

    comparator ??= this.registry.comparator(
      definition.defaultComparator ?? DEFAULT_COMPARATOR,
    )?.item;
    matchType ??= this.usable(this.registry.matchTypes(DEFAULT_MATCH_TYPE));
    addressPart ??= this.usable(this.registry.addressParts(DEFAULT_ADDRESS_PART));
    const match = this.compileMatch(
      definition,
      matchType,
      matchArgument,
      comparator,
      positional,
      matchAt,
    );
    return new Arguments(
      node.line,
      node.column,
      positional,
      tags,
      comparator ?? NO_COMPARATOR,
      match,
      addressPart ?? NO_ADDRESS_PART,
      tests,
      extensionTags,
      modifiers.sort((a, b) => b.precedence - a.precedence),
    );
  }

  /** Why a tag is not accepted: most often, an extension it belongs to is not required. */
  private unknownTagMessage(
    definition: Signature & { readonly name: string },
    name: string,
    what: string,
  ): string {
    const candidates: { kind: string; entries: readonly Registered<unknown>[] }[] = [
      {
        kind: 'tag',
        entries: this.registry
          .tagExtensions(definition.name)
          .filter((entry) => entry.item.tag.name === name),
      },
      { kind: 'match type', entries: definition.matchType ? this.registry.matchTypes(name) : [] },
      {
        kind: 'address part',
        entries: definition.addressPart ? this.registry.addressParts(name) : [],
      },
      {
        kind: 'modifier',
        entries: definition.variableModifiers ? this.registry.variableModifiers(name) : [],
      },
    ];
    for (const { kind, entries } of candidates) {
      const entry = entries[0];
      if (entry)
        return `the :${name} ${kind} of ${what} needs the '${entry.extension.capability}' extension: add it to require`;
    }
    return `unknown tag ':${name}' for ${what}`;
  }

  private usableTagExtension(target: string, name: string): TagExtension | undefined {
    for (const entry of this.registry.tagExtensions(target)) {
      if (entry.item.tag.name === name && this.enabled.has(entry.extension)) return entry.item;
    }
    return undefined;
  }

  private resolveComparator(name: string, at: SourcePosition): ComparatorDefinition | undefined {
    const entry = this.registry.comparator(name);
    if (!entry) {
      this.error(at, `unknown comparator '${name}'`);
      return undefined;
    }
    if (!this.enabled.has(entry.extension)) {
      this.error(
        at,
        `comparator '${name}' needs the '${entry.extension.capability}' extension: add it to require`,
      );
      return undefined;
    }
    return entry.item;
  }

  private compileMatch(
    definition: Signature,
    type: MatchTypeDefinition | undefined,
    argument: string | undefined,
    comparator: ComparatorDefinition | undefined,
    positional: readonly CompiledValue[],
    at: SourcePosition,
  ): CompiledMatch {
    if (!type || !comparator)
      return { definition: NO_MATCH, argument, prepared: undefined, preparedReady: false };
    if (type.substring && !comparator.normalize) {
      this.error(
        at,
        `comparator '${comparator.name}' does not support the :${type.name} match type`,
      );
    }
    let problem = type.validateArgument?.(argument, comparator);
    if (problem) this.error(at, problem);
    const keys = definition.keyList === undefined ? undefined : positional[definition.keyList];
    if (!problem && type.validateKey && keys !== undefined && typeof keys === 'object') {
      const items = keys.kind === 'string-list' ? keys.items : [keys];
      for (const item of items) {
        if (item.parts !== null) continue;
        const keyProblem = type.validateKey(item.text, comparator, argument);
        if (keyProblem) {
          this.error(item, keyProblem);
          problem = keyProblem;
        }
      }
    }
    if (
      keys !== undefined &&
      typeof keys === 'object' &&
      keys.kind === 'string-list' &&
      keys.constant &&
      !problem
    ) {
      return {
        definition: type,
        argument,
        prepared: type.prepare(keys.constant, comparator, argument),
        preparedReady: true,
      };
    }
    return { definition: type, argument, prepared: undefined, preparedReady: false };
  }

  private compileValue(node: ArgumentNode, spec: ParameterSpec): CompiledValue {
    if (node.type === 'number') return node.value;
    if (spec.kind === 'string')
      return this.compileString(node as StringNode, spec.literal === true);
    const items = node.type === 'string' ? [node] : node.type === 'string-list' ? node.items : [];
    const compiled = items.map((item) => this.compileString(item, spec.literal === true));
    const list: SieveStringList = {
      kind: 'string-list',
      items: compiled,
      constant: compiled.every((item) => item.parts === null)
        ? compiled.map((item) => item.text)
        : null,
      line: node.line,
      column: node.column,
    };
    return list;
  }

  private compileString(node: StringNode, literal: boolean): SieveString {
    let text = node.value;
    for (const decoder of this.decoders)
      text = decoder.decodeString!(text, node, (at, message) => this.error(at, message));
    const parts = this.usesVariables && !literal ? parseTemplate(text) : null;
    if (parts) {
      for (const part of parts) {
        if (typeof part === 'string' || part.namespace === null) continue;
        if (!this.usable(this.registry.namespaces(part.namespace)))
          this.error(
            node,
            `unknown variable namespace '${part.namespace}' in \${${part.namespace}.${part.name}}`,
          );
      }
    }
    return { kind: 'string', text, parts, line: node.line, column: node.column };
  }
}

function placeholder(spec: ParameterSpec): CompiledValue {
  if (spec.kind === 'number') return 0;
  const empty: SieveString = { kind: 'string', text: '', parts: null, line: 0, column: 0 };
  return spec.kind === 'string'
    ? empty
    : { kind: 'string-list', items: [], constant: [], line: 0, column: 0 };
}

const NO_COMPARATOR: ComparatorDefinition = {
  name: '',
  equals: () => false,
  compare: () => 0,
};

const NO_MATCH: MatchTypeDefinition = {
  name: '',
  prepare: () => undefined,
  match: () => false,
};

const NO_ADDRESS_PART: AddressPartDefinition = { name: '', extract: () => null };

/** Stands in for a test that failed to compile (the script is rejected anyway). */
const ALWAYS_FALSE: CompiledTest = {
  definition: { name: 'false', evaluate: () => false },
  args: new Arguments(
    0,
    0,
    [],
    new Map(),
    NO_COMPARATOR,
    { definition: NO_MATCH, argument: undefined, prepared: undefined, preparedReady: false },
    NO_ADDRESS_PART,
    [],
    [],
  ),
  data: undefined,
  line: 0,
  column: 0,
};
