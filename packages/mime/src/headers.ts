import { type HeaderField, scanHeaderBlock } from './header-block.js';
import { fieldValue, fieldValueBytes } from './header-value.js';

/**
 * A parsed header block over the original bytes: case-insensitive lookup, repeated fields in
 * order, and the raw bytes of each field for whoever needs them verbatim.
 */
export class Headers implements Iterable<{ name: string; value: string }> {
  private index: Map<string, HeaderField[]> | undefined;

  constructor(
    /** The bytes the offsets point into. */
    readonly bytes: Uint8Array,
    /** The fields in order of appearance. */
    readonly fields: readonly HeaderField[],
    /** Offset where the header block starts. */
    readonly start: number,
    /** Offset of the body: past the empty line that ends the header. */
    readonly bodyStart: number,
    /** Charset to read undeclared 8-bit values in when they are not UTF-8. */
    readonly charsetHint: string | null = null,
  ) {}

  /** The value of the first field of that name (case-insensitive), unfolded; undefined if absent. */
  get(name: string): string | undefined {
    const field = this.lookup(name)[0];
    return field && fieldValue(this.bytes, field, this.charsetHint);
  }

  /** The values of every field of that name, in order. */
  getAll(name: string): string[] {
    return this.lookup(name).map((field) => fieldValue(this.bytes, field, this.charsetHint));
  }

  has(name: string): boolean {
    return this.lookup(name).length > 0;
  }

  /** The fields of that name, as offsets. */
  lookup(name: string): readonly HeaderField[] {
    this.index ??= indexByName(this.fields);
    return this.index.get(name.toLowerCase()) ?? [];
  }

  /** A field's bytes exactly as in the message, name and line endings included. */
  raw(field: HeaderField): Uint8Array {
    return this.bytes.subarray(field.start, field.end);
  }

  /** A field's unfolded value as bytes, undecoded. */
  rawValue(field: HeaderField): Uint8Array {
    return fieldValueBytes(this.bytes, field);
  }

  /** The header section as bytes, the blank line that ends it included. */
  section(): Uint8Array {
    return this.bytes.subarray(this.start, this.bodyStart);
  }

  *[Symbol.iterator](): Iterator<{ name: string; value: string }> {
    for (const field of this.fields) {
      yield { name: field.name, value: fieldValue(this.bytes, field, this.charsetHint) };
    }
  }
}

/**
 * Parses the header block that starts at `start` (default: the start of the message) and runs to
 * the first empty line or the end of `bytes`.
 */
export function parseHeaders(bytes: Uint8Array, start = 0): Headers {
  const layout = scanHeaderBlock(bytes, start, bytes.length);
  return new Headers(bytes, layout.fields, start, layout.bodyStart);
}

function indexByName(fields: readonly HeaderField[]): Map<string, HeaderField[]> {
  const index = new Map<string, HeaderField[]>();
  for (const field of fields) {
    const key = field.key;
    const list = index.get(key);
    if (list) list.push(field);
    else index.set(key, [field]);
  }
  return index;
}
