import type {
  CommandDefinition,
  SieveExtension,
  TestDefinition,
  VariableModifier,
  VariableNamespace,
} from '../compiler/definitions.js';
import { isVariableName } from '../compiler/strings.js';

function codePoints(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (
      code < 0xdc00 ||
      code > 0xdfff ||
      i === 0 ||
      value.charCodeAt(i - 1) < 0xd800 ||
      value.charCodeAt(i - 1) > 0xdbff
    )
      count++;
  }
  return count;
}

function firstCharacter(value: string): number {
  return value.length === 0 ? 0 : value.codePointAt(0)! > 0xffff ? 2 : 1;
}

/** The modifiers of RFC 5229 section 4.1, with their precedences. */
const MODIFIERS: readonly VariableModifier[] = [
  { name: 'lower', precedence: 40, apply: (value) => value.toLowerCase() },
  { name: 'upper', precedence: 40, apply: (value) => value.toUpperCase() },
  {
    name: 'lowerfirst',
    precedence: 30,
    apply: (value) =>
      value.slice(0, firstCharacter(value)).toLowerCase() + value.slice(firstCharacter(value)),
  },
  {
    name: 'upperfirst',
    precedence: 30,
    apply: (value) =>
      value.slice(0, firstCharacter(value)).toUpperCase() + value.slice(firstCharacter(value)),
  },
  { name: 'quotewildcard', precedence: 20, apply: (value) => value.replace(/[*?\\]/g, '\\$&') },
  { name: 'length', precedence: 10, apply: (value) => String(codePoints(value)) },
];

/**
 * Where `set` stores: the variable's name in lower case (names ignore case, RFC 5229 section 3),
 * and the namespace that takes it for `namespace.name` (include's `global.`, RFC 6609 3.5).
 */
interface SetTarget {
  readonly name: string;
  readonly namespace: VariableNamespace | null;
}

const set: CommandDefinition<SetTarget> = {
  name: 'set',
  variableModifiers: true,
  positional: [
    { name: 'name', kind: 'string', literal: true },
    { name: 'value', kind: 'string' },
  ],
  validate(args, context) {
    const name = args.string(0);
    const lower = name.text.toLowerCase();
    if (!isVariableName(name.text)) {
      context.error(name, `invalid variable name '${name.text}'`);
      return { name: lower, namespace: null };
    }
    const dot = lower.indexOf('.');
    if (dot < 0) return { name: lower, namespace: null };
    const inner = lower.slice(dot + 1);
    const namespace = context.usable(context.registry.namespaces(lower.slice(0, dot)));
    if (!namespace?.set) {
      context.error(name, `cannot assign to variable '${name.text}': its namespace is read-only`);
    } else if (namespace.settable && !namespace.settable(inner)) {
      context.error(name, `invalid variable name '${name.text}'`);
    }
    return { name: inner, namespace: namespace ?? null };
  },
  execute(args, target, runtime) {
    let value = runtime.string(args.string(1));
    for (const modifier of args.modifiers) value = modifier.apply(value);
    if (target.namespace?.set) target.namespace.set(target.name, value, runtime);
    else runtime.setVariable(target.name, value);
  },
};

/** `string` (RFC 5229 section 5): matches strings, typically with variables in them. */
const stringTest: TestDefinition = {
  name: 'string',
  comparator: true,
  matchType: true,
  positional: [
    { name: 'source', kind: 'string-list' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 1,
  evaluate(args, _data, runtime) {
    let values = runtime.stringList(args.stringList(0));
    // `:count` counts the strings that are not empty (RFC 5229 section 5).
    if (args.match.definition.name === 'count') values = values.filter((value) => value !== '');
    return runtime.matches(args, values, args.stringList(1));
  },
};

/** The variables extension (RFC 5229). */
export const variables: SieveExtension = {
  capability: 'variables',
  expandsVariables: true,
  commands: [set as CommandDefinition],
  tests: [stringTest],
  variableModifiers: MODIFIERS,
};
