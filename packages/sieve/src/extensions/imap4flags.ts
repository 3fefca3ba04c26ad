// imap4flags (RFC 5232): flags the stored message gets. setflag/addflag/removeflag change the
// internal variable (or a variable the script names), hasflag tests it, `:flags` on keep and
// fileinto gives a copy its own, and keep, fileinto and the implicit keep take the internal
// variable's flags when no `:flags` is given.
import type { Arguments } from '../compiler/arguments.js';
import type {
  CommandDefinition,
  SieveExtension,
  TagExtension,
  TestDefinition,
  ValidationContext,
} from '../compiler/definitions.js';
import { isVariableName } from '../compiler/strings.js';
import type { SieveAction } from '../interpreter/actions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

/** The per-run internal variable (RFC 5232 section 3), empty at the start of a run. */
const INTERNAL = { extension: 'imap4flags' };

const SYSTEM_FLAGS = new Map(
  ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'].map((flag) => [
    flag.toLowerCase(),
    flag,
  ]),
);

/**
 * A flag as IMAP stores it: a system flag in its usual spelling, or a keyword (an IMAP atom,
 * RFC 3501 section 9); null for what is neither (`\Recent`, `\Frop`, `a(b`), which is left out
 * as Pigeonhole does.
 */
export function canonicalFlag(flag: string): string | null {
  if (flag.startsWith('\\')) return SYSTEM_FLAGS.get(flag.toLowerCase()) ?? null;
  // atom-char: printable ASCII but the atom-specials ( ) { % * " \ ] of RFC 3501.
  return /^[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/.test(flag) ? flag : null;
}

/** The flags of a list of strings, each holding flags separated by spaces, once each. */
export function flagSet(strings: readonly string[]): string[] {
  const seen = new Set<string>();
  const flags: string[] = [];
  for (const text of strings) {
    for (const word of text.split(/[ \t\r\n]+/)) {
      if (word === '') continue;
      const flag = canonicalFlag(word);
      if (flag === null || seen.has(flag.toLowerCase())) continue;
      seen.add(flag.toLowerCase());
      flags.push(flag);
    }
  }
  return flags;
}

function internalFlags(runtime: SieveRuntime): { value: string } {
  return runtime.state(INTERNAL, () => ({ value: '' }));
}

/**
 * Sets the internal variable: the testsuite's `test_message :folder` starts it from the stored
 * message's flags (sieve-testsuite.md 4.6), so `hasflag` sees what was stored.
 */
export function setInternalFlags(runtime: SieveRuntime, flags: readonly string[]): void {
  internalFlags(runtime).value = flagSet(flags).join(' ');
}

/** The value of the variable a command or test names, or of the internal one. */
function read(runtime: SieveRuntime, name: string | null): string {
  return name === null ? internalFlags(runtime).value : runtime.variable(name);
}

function write(runtime: SieveRuntime, name: string | null, flags: readonly string[]): void {
  const value = flags.join(' ');
  if (name === null) internalFlags(runtime).value = value;
  else runtime.setVariable(name, value);
}

/** setflag/addflag/removeflag take `[<variablename>] <list-of-flags>`. */
function checkVariableName(args: Arguments, context: ValidationContext): string | null {
  if (args.positional.length < 2) return null;
  const list = args.stringList(0);
  const only = list.items[0];
  if (list.items.length !== 1 || only === undefined || only.parts !== null) {
    context.error(list, 'the variable name must be one constant string');
    return null;
  }
  if (!context.has('variables'))
    context.error(only, "a variable name needs the 'variables' extension: add it to require");
  else if (!isVariableName(only.text) || only.text.includes('.'))
    context.error(only, `invalid variable name '${only.text}'`);
  return only.text.toLowerCase();
}

function flagCommand(
  name: string,
  change: (current: readonly string[], given: readonly string[]) => string[],
): CommandDefinition<string | null> {
  return {
    name,
    positional: [
      { name: 'list-of-flags', kind: 'string-list' },
      { name: 'list-of-flags', kind: 'string-list', optional: true },
    ],
    validate: checkVariableName,
    execute(args, variable, runtime) {
      const given = runtime.stringList(args.stringList(args.positional.length - 1));
      const current = flagSet([read(runtime, variable)]);
      write(runtime, variable, change(current, flagSet(given)));
    },
  };
}

const setflag = flagCommand('setflag', (_current, given) => [...given]);
const addflag = flagCommand('addflag', (current, given) => flagSet([...current, ...given]));
const removeflag = flagCommand('removeflag', (current, given) => {
  const removed = new Set(given.map((flag) => flag.toLowerCase()));
  return current.filter((flag) => !removed.has(flag.toLowerCase()));
});

/** `hasflag [MATCH-TYPE] [COMPARATOR] [<variable-list>] <list-of-flags>` (RFC 5232 section 4). */
const hasflag: TestDefinition<readonly string[] | null> = {
  name: 'hasflag',
  comparator: true,
  matchType: true,
  positional: [
    { name: 'list-of-flags', kind: 'string-list' },
    { name: 'list-of-flags', kind: 'string-list', optional: true },
  ],
  validate(args, context) {
    if (args.positional.length < 2) return null;
    const names: string[] = [];
    for (const item of args.stringList(0).items) {
      if (item.parts !== null) {
        context.error(item, 'a variable name must be a constant string');
      } else if (!isVariableName(item.text) || item.text.includes('.')) {
        context.error(item, `invalid variable name '${item.text}'`);
      } else names.push(item.text.toLowerCase());
    }
    if (!context.has('variables'))
      context.error(args, "a variable list needs the 'variables' extension: add it to require");
    return names;
  },
  evaluate(args, variables, runtime) {
    const sources =
      variables === null ? [read(runtime, null)] : variables.map((name) => read(runtime, name));
    const values = flagSet(sources);
    // Keys hold flags separated by spaces too: each is compared on its own (as Pigeonhole does).
    const given = args.stringList(args.positional.length - 1);
    const keys = runtime
      .stringList(given)
      .flatMap((key) => key.split(/[ \t\r\n]+/).filter((word) => word !== ''));
    return runtime.matches(args, values, { ...given, items: [], constant: keys });
  },
};

/** `:flags` on keep and fileinto: that copy's flags, whatever the internal variable holds. */
const flagsTag: TagExtension = {
  targets: ['keep', 'fileinto'],
  tag: { name: 'flags', argument: { name: 'list-of-flags', kind: 'string-list' } },
  decorateAction(action, value) {
    if (action.type !== 'keep' && action.type !== 'fileinto') return action;
    const flags = flagSet(typeof value === 'string' ? [value] : Array.isArray(value) ? value : []);
    return { ...action, flags };
  },
};

/** The internal variable's flags on a keep or fileinto (the `:flags` tag, if any, comes after). */
function withInternalFlags(action: SieveAction, runtime: SieveRuntime): SieveAction {
  if (action.type !== 'keep' && action.type !== 'fileinto') return action;
  const flags = flagSet([internalFlags(runtime).value]);
  return flags.length === 0 ? action : { ...action, flags };
}

/** The imap4flags extension (RFC 5232). */
export const imap4flags: SieveExtension = {
  capability: 'imap4flags',
  commands: [
    setflag as CommandDefinition,
    addflag as CommandDefinition,
    removeflag as CommandDefinition,
  ],
  tests: [hasflag as TestDefinition],
  tagExtensions: [flagsTag],
  decorateAction: withInternalFlags,
  implicitKeep(keep, runtime) {
    const flags = flagSet([internalFlags(runtime).value]);
    return flags.length === 0 ? keep : { ...keep, flags };
  },
};
