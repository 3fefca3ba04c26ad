import type { MatchTypeDefinition, SieveExtension } from '../compiler/definitions.js';

const OPERATORS: Readonly<Record<string, (order: number) => boolean>> = {
  gt: (order) => order > 0,
  ge: (order) => order >= 0,
  lt: (order) => order < 0,
  le: (order) => order <= 0,
  eq: (order) => order === 0,
  ne: (order) => order !== 0,
};

const OPERATOR = { name: 'relational-match', kind: 'string', literal: true } as const;

function validateOperator(argument: string | undefined): string | undefined {
  if (argument !== undefined && OPERATORS[argument.toLowerCase()]) return undefined;
  return `invalid relational operator '${argument ?? ''}': expected one of ${Object.keys(OPERATORS).join(', ')}`;
}

function operator(argument: string | undefined): (order: number) => boolean {
  return OPERATORS[(argument ?? '').toLowerCase()] ?? (() => false);
}

/** `:value "op"`: true if some value stands in that relation to some key (RFC 5231 section 4). */
const VALUE: MatchTypeDefinition<readonly string[]> = {
  name: 'value',
  argument: OPERATOR,
  validateArgument: validateOperator,
  prepare: (keys) => keys,
  match(values, keys, comparator, argument, context) {
    context.step(values.length * keys.length);
    const holds = operator(argument);
    for (const value of values)
      for (const key of keys) if (holds(comparator.compare(value, key))) return true;
    return false;
  },
};

/** `:count "op"`: the number of values stands in that relation to some key (RFC 5231 section 4). */
const COUNT: MatchTypeDefinition<readonly string[]> = {
  name: 'count',
  argument: OPERATOR,
  validateArgument: validateOperator,
  prepare: (keys) => keys,
  match(values, keys, comparator, argument, context) {
    context.step(keys.length);
    const holds = operator(argument);
    const count = String(values.length);
    for (const key of keys) if (holds(comparator.compare(count, key))) return true;
    return false;
  },
};

/** The relational extension (RFC 5231). */
export const relational: SieveExtension = {
  capability: 'relational',
  matchTypes: [VALUE as MatchTypeDefinition, COUNT as MatchTypeDefinition],
};
