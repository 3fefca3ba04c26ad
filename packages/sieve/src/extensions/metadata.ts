// The mboxmetadata and servermetadata extensions (RFC 5490 section 3): tests on the values of
// IMAP METADATA (RFC 5464) entries of a mailbox or of the server, which the host looks up
// (`host.metadata`, synchronous: a host loads what it serves before the run).
import type { Arguments } from '../compiler/arguments.js';
import type { SieveExtension, TestDefinition, ValidationContext } from '../compiler/definitions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { mailboxNameProblem } from './fileinto.js';

/** An entry name of RFC 5464 section 3.2: `/private/...` or `/shared/...`, no wildcards. */
export function annotationNameProblem(name: string): string | undefined {
  if (!/^\/(private|shared)(\/[^/*%\x00-\x1f\x7f]+)+$/i.test(name))
    return `invalid metadata entry name '${name}': it starts with /private/ or /shared/ and has no wildcards`;
  return undefined;
}

function checkNames(args: Arguments, index: number, context: ValidationContext): void {
  const value = args.positional[index];
  if (value === undefined || typeof value !== 'object') return;
  const items = value.kind === 'string-list' ? value.items : [value];
  for (const item of items) {
    const problem = item.parts === null ? annotationNameProblem(item.text) : undefined;
    if (problem) context.error(item, problem);
  }
}

function lookup(runtime: SieveRuntime, mailbox: string | null, name: string): string | undefined {
  // A name computed at run time that is not valid names no entry.
  if (annotationNameProblem(name) !== undefined) return undefined;
  return runtime.host.metadata?.(mailbox, name);
}

const MAILBOX = { name: 'mailbox', kind: 'string' } as const;

const metadataTest: TestDefinition = {
  name: 'metadata',
  comparator: true,
  matchType: true,
  positional: [
    MAILBOX,
    { name: 'annotation-name', kind: 'string' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 2,
  validate(args, context) {
    const mailbox = args.string(0);
    const problem = mailbox.parts === null ? mailboxNameProblem(mailbox.text) : undefined;
    if (problem) context.error(mailbox, problem);
    checkNames(args, 1, context);
  },
  evaluate(args, _data, runtime) {
    const value = lookup(runtime, runtime.string(args.string(0)), runtime.string(args.string(1)));
    return runtime.matches(args, value === undefined ? [] : [value], args.stringList(2));
  },
};

const metadataExists: TestDefinition = {
  name: 'metadataexists',
  positional: [MAILBOX, { name: 'annotation-names', kind: 'string-list' }],
  validate: (args, context) => checkNames(args, 1, context),
  evaluate(args, _data, runtime) {
    const mailbox = runtime.string(args.string(0));
    return runtime
      .stringList(args.stringList(1))
      .every((name) => lookup(runtime, mailbox, name) !== undefined);
  },
};

const serverMetadata: TestDefinition = {
  name: 'servermetadata',
  comparator: true,
  matchType: true,
  positional: [
    { name: 'annotation-name', kind: 'string' },
    { name: 'key-list', kind: 'string-list' },
  ],
  keyList: 1,
  validate: (args, context) => checkNames(args, 0, context),
  evaluate(args, _data, runtime) {
    const value = lookup(runtime, null, runtime.string(args.string(0)));
    return runtime.matches(args, value === undefined ? [] : [value], args.stringList(1));
  },
};

const serverMetadataExists: TestDefinition = {
  name: 'servermetadataexists',
  positional: [{ name: 'annotation-names', kind: 'string-list' }],
  validate: (args, context) => checkNames(args, 0, context),
  evaluate(args, _data, runtime) {
    return runtime
      .stringList(args.stringList(0))
      .every((name) => lookup(runtime, null, name) !== undefined);
  },
};

/** `mboxmetadata` (RFC 5490 section 3.1, 3.2): `metadata`, `metadataexists`. */
export const mboxmetadata: SieveExtension = {
  capability: 'mboxmetadata',
  tests: [metadataTest, metadataExists],
};

/** `servermetadata` (RFC 5490 section 3.3, 3.4): `servermetadata`, `servermetadataexists`. */
export const servermetadata: SieveExtension = {
  capability: 'servermetadata',
  tests: [serverMetadata, serverMetadataExists],
};
