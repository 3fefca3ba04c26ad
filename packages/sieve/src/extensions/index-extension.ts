// index (RFC 5260 section 6): `:index <n>` (and `:last`) on header, address and date pick one
// occurrence of the named header fields, counted from the top (or from the bottom).
import type { Arguments } from '../compiler/arguments.js';
import type { SieveExtension, TagExtension } from '../compiler/definitions.js';

/**
 * The values of the header fields a test looks at, one per field in order, narrowed to the one
 * `:index` picks (none when there are fewer fields); all of them without `:index`.
 */
export function indexedValues<T>(args: Arguments, fields: readonly T[]): readonly T[] {
  const index = args.tagNumber('index');
  if (index === undefined) return fields;
  const position = args.has('last') ? fields.length - index : index - 1;
  const picked = fields[position];
  return index < 1 || picked === undefined ? [] : [picked];
}

const TARGETS = ['header', 'address', 'date'];

const indexTag: TagExtension = {
  targets: TARGETS,
  tag: { name: 'index', argument: { name: 'fieldno', kind: 'number' } },
};
const lastTag: TagExtension = { targets: TARGETS, tag: { name: 'last' } };

/** The index extension (RFC 5260 section 6). */
export const index: SieveExtension = {
  capability: 'index',
  tagExtensions: [indexTag, lastTag],
};
