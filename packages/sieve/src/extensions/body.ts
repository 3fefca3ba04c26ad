// body (RFC 5173): tests on the message body, after one of three transforms: `:raw` (the body as
// it is), `:content <types>` (the parts of those media types, decoded), `:text` (the text parts,
// decoded, HTML reduced to its text). Each part read is cut at the run's `maxBodyTestSize`.
import { type MimePart, isMultipart, mediaType, partText } from '@mailyard/mime';
import type { SieveExtension, TestDefinition, ValidationContext } from '../compiler/definitions.js';
import type { Arguments } from '../compiler/arguments.js';
import type { SieveMessage } from '../interpreter/message.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

const latin1 = new TextDecoder('latin1');

/** The parts a `:content` list selects (RFC 5173 section 5.2): `type` or `type/subtype`; '' all. */
function selects(types: readonly string[], part: MimePart): boolean {
  const media = mediaType(part);
  const type = part.contentType.type.toLowerCase();
  return types.some((wanted) => {
    const lower = wanted.toLowerCase();
    return lower === '' || lower === media || (!lower.includes('/') && lower === type);
  });
}

/** The leaf parts of the message, encapsulated messages' parts included, in order. */
function leaves(part: MimePart, out: MimePart[] = []): MimePart[] {
  if (isMultipart(part)) for (const child of part.parts) leaves(child, out);
  else if (part.message) leaves(part.message.body, out);
  else out.push(part);
  return out;
}

/** The text of an HTML part, roughly: tags out, the common entities decoded. */
function htmlText(html: string): string {
  return (
    html
      .replace(/<(script|style)\b[^>]*>[^<]*<\/\1\s*>/gi, ' ')
      // Block elements end a line; inline ones (b, i, a, span) join the words around them.
      .replace(/<\/?(p|br|div|li|tr|td|h[1-6]|table|ul|ol|blockquote)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/gi, ' ')
      .replace(/&lt;/gi, '<')
      .replace(/&gt;/gi, '>')
      .replace(/&quot;/gi, '"')
      .replace(/&#39;|&apos;/gi, "'")
      .replace(/&amp;/gi, '&')
      .replace(/[ \t]+/g, ' ')
  );
}

/** A part's decoded text, read from at most `limit` bytes of its body. */
function limitedText(message: SieveMessage, part: MimePart, limit: number): string {
  const end = Math.min(part.end, part.bodyStart + limit);
  return partText(message.bytes, { ...part, end });
}

/** Values per message and transform: a script with twenty body tests decodes the body once. */
const cache = new WeakMap<SieveMessage, Map<string, readonly string[]>>();

function bodyValues(
  runtime: SieveRuntime,
  transform: 'raw' | 'text' | 'content',
  types: readonly string[],
): readonly string[] {
  const message = runtime.message;
  const limit = runtime.limits.maxBodyTestSize;
  const key = `${transform}\0${limit}\0${types.join('\0')}`;
  let byKey = cache.get(message);
  if (!byKey) {
    byKey = new Map();
    cache.set(message, byKey);
  }
  const known = byKey.get(key);
  if (known) return known;
  const root = message.summary.body;
  let values: string[];
  if (transform === 'raw') {
    const end = Math.min(message.size, root.bodyStart + limit);
    values = [latin1.decode(message.bytes.subarray(root.bodyStart, end))];
  } else {
    const wanted = transform === 'text' ? ['text'] : types;
    values = leaves(root)
      .filter((part) => selects(wanted, part))
      .map((part) => {
        const text = limitedText(message, part, limit);
        return transform === 'text' && mediaType(part) === 'text/html' ? htmlText(text) : text;
      });
  }
  runtime.step(values.length);
  byKey.set(key, values);
  return values;
}

function validate(args: Arguments, context: ValidationContext): void {
  const count = ['raw', 'text', 'content'].filter((name) => args.has(name)).length;
  if (count > 1) context.error(args, 'the body test takes one transform: :raw, :content or :text');
}

/** `body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list>` (RFC 5173 section 4). */
const bodyTest: TestDefinition = {
  name: 'body',
  comparator: true,
  matchType: true,
  tags: [
    { name: 'raw', group: 'transform' },
    { name: 'text', group: 'transform' },
    {
      name: 'content',
      group: 'transform',
      argument: { name: 'content-types', kind: 'string-list' },
    },
  ],
  positional: [{ name: 'key-list', kind: 'string-list' }],
  keyList: 0,
  validate,
  evaluate(args, _data, runtime) {
    const content = args.tagStringList('content');
    const values = args.has('raw')
      ? bodyValues(runtime, 'raw', [])
      : content
        ? bodyValues(runtime, 'content', runtime.stringList(content))
        : bodyValues(runtime, 'text', []);
    return runtime.matches(args, values, args.stringList(0));
  },
};

/** The body extension (RFC 5173). */
export const body: SieveExtension = {
  capability: 'body',
  tests: [bodyTest],
};
