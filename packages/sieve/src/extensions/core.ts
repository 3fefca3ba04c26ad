// The RFC 5228 core: the commands and tests every script may use without `require`. `require`,
// `if`, `elsif` and `else` are the compiler's own (they shape the program rather than run).
import type { Arguments } from '../compiler/arguments.js';
import type {
  CommandDefinition,
  EnvelopePartDefinition,
  SieveExtension,
  TestDefinition,
  ValidationContext,
} from '../compiler/definitions.js';
import type { ExtensionRegistry } from '../compiler/registry.js';
import { headerAddresses, isPlainAddress, envelopeAddress } from '../interpreter/address.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { DISCARD_ACTION, KEEP_ACTION, REDIRECT_ACTION } from './actions.js';
import { ALL, DOMAIN, LOCALPART } from './address-parts.js';
import { ASCII_CASEMAP, OCTET } from './comparators.js';
import { CONTAINS, IS, MATCHES } from './match-types.js';
import { indexedValues } from './index-extension.js';

const KEY_LIST = { name: 'key-list', kind: 'string-list' } as const;
const HEADER_NAMES = { name: 'header-names', kind: 'string-list' } as const;

const stop: CommandDefinition = {
  name: 'stop',
  execute: (_args, _data, runtime) => runtime.stop(),
};

const keep: CommandDefinition = {
  name: 'keep',
  execute: (args, _data, runtime) =>
    runtime.addAction({ type: 'keep', implicit: false, origin: args.at }, args),
};

const discard: CommandDefinition = {
  name: 'discard',
  execute: (args, _data, runtime) => runtime.addAction({ type: 'discard', origin: args.at }, args),
};

/** Checks a constant address at compile time; one with variables is checked when run. */
function checkConstantAddress(
  args: Arguments,
  index: number,
  context: ValidationContext,
  what: string,
): void {
  const value = args.string(index);
  if (value.parts === null && !isPlainAddress(value.text)) {
    context.error(value, `${what} address '${value.text}' is not a valid address (local@domain)`);
  }
}

/** The address with its domain in lower case (domains compare without case; local parts may not). */
export function withLowerCaseDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at + 1) + address.slice(at + 1).toLowerCase();
}

/** A redirect action to `address` (checked), with the command's tags applied (`:copy`, ...). */
export function redirectTo(address: string, args: Arguments, runtime: SieveRuntime): void {
  if (!isPlainAddress(address)) {
    runtime.fail(`redirect address '${address}' is not a valid address`);
    return;
  }
  runtime.addAction(
    { type: 'redirect', address: withLowerCaseDomain(address), copy: false, origin: args.at },
    args,
  );
}

export const redirect: CommandDefinition = {
  name: 'redirect',
  positional: [{ name: 'address', kind: 'string' }],
  validate: (args, context) => checkConstantAddress(args, 0, context, 'redirect'),
  execute: (args, _data, runtime) => redirectTo(runtime.string(args.string(0)), args, runtime),
};

const trueTest: TestDefinition = { name: 'true', evaluate: () => true };
const falseTest: TestDefinition = { name: 'false', evaluate: () => false };

const not: TestDefinition = {
  name: 'not',
  subtests: 'one',
  evaluate: (args, _data, runtime) => !runtime.test(args.tests[0]!),
};

const allof: TestDefinition = {
  name: 'allof',
  subtests: 'list',
  evaluate(args, _data, runtime) {
    for (const test of args.tests) if (!runtime.test(test)) return false;
    return true;
  },
};

const anyof: TestDefinition = {
  name: 'anyof',
  subtests: 'list',
  evaluate(args, _data, runtime) {
    for (const test of args.tests) if (runtime.test(test)) return true;
    return false;
  },
};

/** The header names of argument `index`, lower-cased once when they are constants. */
function headerNames(args: Arguments, index: number, runtime: SieveRuntime): readonly string[] {
  return runtime.stringList(args.stringList(index));
}

/** A header name must be a field name (RFC 5322 section 3.6.8): printable ASCII but ':'. */
export function isHeaderName(name: string): boolean {
  return /^[!-9;-~]+$/.test(name);
}

function checkHeaderNames(args: Arguments, index: number, context: ValidationContext): void {
  for (const item of args.stringList(index).items) {
    if (item.parts === null && !isHeaderName(item.text))
      context.error(item, `invalid header name '${item.text}'`);
  }
}

const exists: TestDefinition = {
  name: 'exists',
  positional: [HEADER_NAMES],
  validate: (args, context) => checkHeaderNames(args, 0, context),
  evaluate(args, _data, runtime) {
    for (const name of headerNames(args, 0, runtime))
      if (!runtime.message.hasHeader(name)) return false;
    return true;
  },
};

const header: TestDefinition = {
  name: 'header',
  comparator: true,
  matchType: true,
  positional: [HEADER_NAMES, KEY_LIST],
  keyList: 1,
  validate: (args, context) => checkHeaderNames(args, 0, context),
  evaluate(args, _data, runtime) {
    const names = headerNames(args, 0, runtime);
    const values =
      names.length === 1
        ? runtime.message.headerValues(names[0]!)
        : names.flatMap((name) => runtime.message.headerValues(name));
    return runtime.matches(args, indexedValues(args, values), args.stringList(1));
  },
};

/**
 * The headers the address test reads: RFC 5228 section 5.1 says implementations MUST restrict it
 * to headers that hold addresses, and names these and more; the list is Pigeonhole's, so that a
 * script compiles on both.
 */
const ADDRESS_HEADERS = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'resent-from',
  'resent-sender',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-reply-to',
  'return-path',
  'delivered-to',
  'envelope-to',
  'x-original-to',
  'x-delivered-to',
  'errors-to',
  'disposition-notification-to',
  'original-recipient',
]);

/** The header names the address test reads: of the given names, those that hold addresses. */
function addressHeaderNames(names: readonly string[]): readonly string[] {
  return names.map((name) => name.toLowerCase()).filter((name) => ADDRESS_HEADERS.has(name));
}

const address: TestDefinition<readonly string[] | null> = {
  name: 'address',
  comparator: true,
  matchType: true,
  addressPart: true,
  positional: [HEADER_NAMES, KEY_LIST],
  keyList: 1,
  validate(args, context) {
    checkHeaderNames(args, 0, context);
    const names = args.stringList(0);
    for (const item of names.items) {
      if (
        item.parts === null &&
        isHeaderName(item.text) &&
        !ADDRESS_HEADERS.has(item.text.toLowerCase())
      ) {
        context.error(
          item,
          `header '${item.text}' holds no addresses: the address test does not read it`,
        );
      }
    }
    // Constant names are resolved once; computed ones are held to the same list when run.
    return names.constant ? addressHeaderNames(names.constant) : null;
  },
  evaluate(args, constantNames, runtime) {
    const part = args.addressPart;
    const names = constantNames ?? addressHeaderNames(runtime.stringList(args.stringList(0)));
    if (args.has('index')) {
      // One field (index, RFC 5260 section 6), then every address in it.
      const fields = names.flatMap((name) => runtime.message.rawHeaderValues(name));
      const values = indexedValues(args, fields)
        .flatMap((field) => headerAddresses(field))
        .map((entry) => part.extract(entry))
        .filter((value) => value !== null);
      return runtime.matches(args, values, args.stringList(1));
    }
    const values =
      names.length === 1
        ? runtime.message.addressValues(names[0]!, part)
        : names.flatMap((name) => runtime.message.addressValues(name, part));
    return runtime.matches(args, values, args.stringList(1));
  },
};

const size: TestDefinition = {
  name: 'size',
  tags: [
    { name: 'over', group: 'size' },
    { name: 'under', group: 'size' },
  ],
  positional: [{ name: 'limit', kind: 'number' }],
  validate(args, context) {
    if (!args.has('over') && !args.has('under'))
      context.error(args, 'the size test needs :over or :under');
  },
  evaluate(args, _data, runtime) {
    const limit = args.number(0);
    return args.has('over') ? runtime.message.size > limit : runtime.message.size < limit;
  },
};

/** The language core (RFC 5228 sections 3 to 5, without the optional envelope and fileinto). */
export const core: SieveExtension = {
  capability: 'core',
  alwaysEnabled: true,
  commands: [stop, keep, discard, redirect],
  tests: [trueTest, falseTest, not, allof, anyof, exists, header, address as TestDefinition, size],
  comparators: [OCTET, ASCII_CASEMAP],
  matchTypes: [IS, CONTAINS, MATCHES],
  addressParts: [ALL, LOCALPART, DOMAIN],
  actions: [KEEP_ACTION, DISCARD_ACTION, REDIRECT_ACTION],
};

/** `i;octet` and `i;ascii-casemap` may also be named in `require` (RFC 5228 section 2.7.3). */
export const comparatorOctet: SieveExtension = { capability: 'comparator-i;octet' };
export const comparatorAsciiCasemap: SieveExtension = { capability: 'comparator-i;ascii-casemap' };

/** The envelope parts of RFC 5228 section 5.4, and `auth` (the authenticated submitter). */
const ENVELOPE_PARTS: readonly EnvelopePartDefinition[] = [
  { name: 'from', paths: (runtime) => [runtime.envelope.from] },
  { name: 'to', paths: (runtime) => [runtime.envelope.to] },
  {
    name: 'auth',
    paths: (runtime) => (runtime.envelope.auth === undefined ? [] : [runtime.envelope.auth]),
  },
];

function envelopePart(
  registry: ExtensionRegistry,
  name: string,
): EnvelopePartDefinition | undefined {
  // At run time every registered part is usable: the compiler already refused those not required.
  return registry.envelopeParts(name.toLowerCase())[0]?.item;
}

const envelopeTest: TestDefinition<readonly EnvelopePartDefinition[] | null> = {
  name: 'envelope',
  comparator: true,
  matchType: true,
  addressPart: true,
  positional: [{ name: 'envelope-part', kind: 'string-list' }, KEY_LIST],
  keyList: 1,
  validate(args, context) {
    const parts = args.stringList(0);
    const resolved: EnvelopePartDefinition[] = [];
    for (const item of parts.items) {
      if (item.parts !== null) continue;
      const part = context.usable(context.registry.envelopeParts(item.text.toLowerCase()));
      if (part) resolved.push(part);
      else context.error(item, `unknown envelope part '${item.text}'`);
    }
    return parts.constant ? resolved : null;
  },
  evaluate(args, data, runtime) {
    const addressPart = args.addressPart;
    const parts =
      data ??
      runtime
        .stringList(args.stringList(0))
        .map((name) => envelopePart(runtime.script.registry, name))
        .filter((part) => part !== undefined);
    const values: string[] = [];
    for (const part of parts) {
      for (const path of part.paths(runtime)) {
        // The null reverse path `<>` is compared as the empty string, whatever the address part.
        const value = path === '' ? '' : addressPart.extract(envelopeAddress(path));
        if (value !== null) values.push(value);
      }
    }
    return runtime.matches(args, values, args.stringList(1));
  },
};

/** The envelope test (RFC 5228 section 5.4), an optional part of the core. */
export const envelope: SieveExtension = {
  capability: 'envelope',
  tests: [envelopeTest as TestDefinition],
  envelopeParts: ENVELOPE_PARTS,
};
