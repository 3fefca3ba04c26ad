// The mime extension (RFC 5703 section 4): `:mime`, `:anychild` and the options `:type`,
// `:subtype`, `:contenttype` and `:param` on the header, address and exists tests. The extension
// registers its own header, address and exists (the compiler prefers a required extension's test
// over the core's); without `:mime` they are the core's tests.
import {
  type MimePart,
  decodeEncodedWords,
  parameterValue,
  parseContentDisposition,
  parseContentType,
  parseHeaders,
} from '@mailyard/mime';
import type { Arguments } from '../compiler/arguments.js';
import type { SieveExtension, TagSpec, TestDefinition } from '../compiler/definitions.js';
import { headerAddresses } from '../interpreter/address.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { core } from './core.js';
import { currentPart, partsOf } from './foreverypart.js';

const MIME_TAGS: readonly TagSpec[] = [{ name: 'mime' }, { name: 'anychild' }];
const OPTION_TAGS: readonly TagSpec[] = [
  { name: 'type', group: 'mime option' },
  { name: 'subtype', group: 'mime option' },
  { name: 'contenttype', group: 'mime option' },
  { name: 'param', argument: { name: 'param-list', kind: 'string-list' }, group: 'mime option' },
];

function coreTest(name: string): TestDefinition {
  return core.tests!.find((test) => test.name === name)!;
}

/** The parts whose headers a `:mime` test reads: the current one (or the message), or all below. */
function partsToRead(runtime: SieveRuntime, anychild: boolean): MimePart[] {
  const start = currentPart(runtime) ?? runtime.message.summary.body;
  return anychild ? [...partsOf(start)] : [start];
}

/** The values of a field in one part's header, unfolded and RFC 2047-decoded. */
function partValues(runtime: SieveRuntime, part: MimePart, name: string): string[] {
  const headers = parseHeaders(runtime.message.bytes, part.headerStart);
  runtime.step(1);
  return headers.getAll(name).map((value) => decodeEncodedWords(value).trim());
}

/** A value as a MIME option reads it (Content-Type and Content-Disposition are parsed). */
function optionValues(
  args: Arguments,
  runtime: SieveRuntime,
  name: string,
  value: string,
): string[] {
  const field = name.toLowerCase();
  if (args.has('param')) {
    const wanted = runtime.stringList(args.tagStringList('param')!);
    const parameters =
      field === 'content-type'
        ? (parseContentType(value)?.parameters ?? [])
        : field === 'content-disposition'
          ? parseContentDisposition(value).parameters
          : [];
    return wanted.flatMap((param) => {
      const found = parameterValue(parameters, param);
      return found === undefined ? [] : [found];
    });
  }
  if (field === 'content-disposition') {
    // :type of Content-Disposition is the disposition type; it has no subtype.
    const type = parseContentDisposition(value).type;
    return args.has('type') || args.has('contenttype') ? [type] : [];
  }
  if (field !== 'content-type') return [];
  const type = parseContentType(value);
  if (!type) return [];
  if (args.has('type')) return [type.type];
  if (args.has('subtype')) return [type.subtype];
  return [`${type.type}/${type.subtype}`];
}

function hasOption(args: Arguments): boolean {
  return args.has('type') || args.has('subtype') || args.has('contenttype') || args.has('param');
}

function checkTags(
  args: Arguments,
  context: Parameters<NonNullable<TestDefinition['validate']>>[1],
) {
  if (!args.has('mime') && (args.has('anychild') || hasOption(args)))
    context.error(args, 'the :anychild, :type, :subtype, :contenttype and :param tags need :mime');
}

function mimeHeaderValues(args: Arguments, runtime: SieveRuntime): string[] {
  const names = runtime.stringList(args.stringList(0));
  const values: string[] = [];
  for (const part of partsToRead(runtime, args.has('anychild')))
    for (const name of names)
      for (const value of partValues(runtime, part, name))
        values.push(...(hasOption(args) ? optionValues(args, runtime, name, value) : [value]));
  return values;
}

const coreHeader = coreTest('header');
const header: TestDefinition = {
  ...coreHeader,
  tags: [...MIME_TAGS, ...OPTION_TAGS],
  validate(args, context) {
    checkTags(args, context);
    return coreHeader.validate?.(args, context);
  },
  evaluate(args, data, runtime) {
    if (!args.has('mime')) return coreHeader.evaluate(args, data, runtime);
    return runtime.matches(args, mimeHeaderValues(args, runtime), args.stringList(1));
  },
};

const coreAddress = coreTest('address');
const address: TestDefinition = {
  ...coreAddress,
  tags: MIME_TAGS,
  validate(args, context) {
    checkTags(args, context);
    return coreAddress.validate?.(args, context);
  },
  evaluate(args, data, runtime) {
    if (!args.has('mime')) return coreAddress.evaluate(args, data, runtime);
    const names = runtime.stringList(args.stringList(0));
    const values: string[] = [];
    for (const part of partsToRead(runtime, args.has('anychild'))) {
      const headers = parseHeaders(runtime.message.bytes, part.headerStart);
      for (const name of names)
        for (const raw of headers.getAll(name))
          for (const found of headerAddresses(raw)) {
            const value = args.addressPart.extract(found);
            if (value !== null) values.push(value);
          }
    }
    runtime.step(values.length);
    return runtime.matches(args, values, args.stringList(1));
  },
};

const coreExists = coreTest('exists');
const exists: TestDefinition = {
  ...coreExists,
  tags: MIME_TAGS,
  validate(args, context) {
    checkTags(args, context);
    return coreExists.validate?.(args, context);
  },
  evaluate(args, data, runtime) {
    if (!args.has('mime')) return coreExists.evaluate(args, data, runtime);
    const names = runtime.stringList(args.stringList(0));
    const parts = partsToRead(runtime, args.has('anychild'));
    // With :anychild, true when some part has every field (RFC 5703 section 4.3).
    return parts.some((part) => {
      const headers = parseHeaders(runtime.message.bytes, part.headerStart);
      runtime.step(1);
      return names.every((name) => headers.has(name));
    });
  },
};

/** The mime extension (RFC 5703 section 4). */
export const mime: SieveExtension = {
  capability: 'mime',
  tests: [header, address, exists],
};
