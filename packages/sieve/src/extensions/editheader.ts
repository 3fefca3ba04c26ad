// The editheader extension (RFC 5293): `addheader` and `deleteheader`. An edit makes a new copy
// of the message that the rest of the run sees (header tests, later edits) and that the actions
// taken after it carry (`action.message`), so the host stores what the script made.
import { type HeaderField, decodeEncodedWords, fieldValue } from '@mailyard/mime';
import type { CommandDefinition, SieveExtension } from '../compiler/definitions.js';
import { editHeaderBytes, foldFieldValue } from '../interpreter/header-edit.js';
import { SieveMessage } from '../interpreter/message.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { isHeaderName } from './core.js';

export interface EditheaderOptions {
  /**
   * Largest value `addheader` may add, in UTF-8 bytes. Default 2048 (Pigeonhole's
   * `sieve_editheader_max_header_size`). Past it: a compile error for a constant value, a runtime
   * error for a computed one.
   */
  readonly maxHeaderSize: number;
  /** Fields one run may add. Default 64. Past it: a runtime error. */
  readonly maxAddedHeaders: number;
  /**
   * Fields scripts may neither add nor delete, besides those RFC 5293 protects (Received and
   * Auto-Submitted, always). `Subject` cannot be protected (RFC 5293 requires that it
   * can be edited). Case-insensitive. Default none.
   */
  readonly protectedHeaders: readonly string[];
}

export const DEFAULT_EDITHEADER_OPTIONS: EditheaderOptions = {
  maxHeaderSize: 2048,
  maxAddedHeaders: 64,
  protectedHeaders: [],
};

/**
 * Fields no script may touch: trace fields a delivery relies on to count hops and find loops
 * (Received), and Auto-Submitted, which stops auto-responders from answering each other
 * (RFC 5293, RFC 3834). Pigeonhole refuses to delete them; adding them is refused here
 * too, so a script cannot forge a trace or silence another system's auto-replies.
 */
const ALWAYS_PROTECTED = ['received', 'auto-submitted'];

const utf8 = new TextEncoder();

interface EditState {
  added: number;
}

const STATE = {};

function editState(runtime: SieveRuntime): EditState {
  return runtime.state(STATE, () => ({ added: 0 }));
}

/** The editheader extension with its options (`maxHeaderSize`, `maxAddedHeaders`, `protectedHeaders`). */
export function editheaderExtension(options: Partial<EditheaderOptions> = {}): SieveExtension {
  const resolved = { ...DEFAULT_EDITHEADER_OPTIONS, ...options };
  const protectedNames = new Set([
    ...ALWAYS_PROTECTED,
    ...resolved.protectedHeaders.map((name) => name.toLowerCase()).filter((n) => n !== 'subject'),
  ]);
  const isProtected = (name: string) => protectedNames.has(name.toLowerCase());
  const tooLarge = (value: string) => {
    const size = utf8.encode(value).length;
    return size > resolved.maxHeaderSize
      ? `addheader: a value of ${size} bytes is larger than the limit of ${resolved.maxHeaderSize}`
      : undefined;
  };

  const addheader: CommandDefinition = {
    name: 'addheader',
    tags: [{ name: 'last' }],
    positional: [
      { name: 'field-name', kind: 'string' },
      { name: 'value', kind: 'string' },
    ],
    validate(args, context) {
      const name = args.string(0);
      if (name.parts === null) {
        if (!isHeaderName(name.text))
          context.error(name, `addheader: invalid header field name '${name.text}'`);
        else if (isProtected(name.text))
          context.warning(
            name,
            `addheader: header field '${name.text}' is protected; the script will not add it`,
          );
      }
      const value = args.string(1);
      const problem = value.parts === null ? tooLarge(value.text) : undefined;
      if (problem) context.error(value, problem);
    },
    execute(args, _data, runtime) {
      const name = runtime.string(args.string(0));
      const value = runtime.string(args.string(1));
      if (!isHeaderName(name)) {
        runtime.fail(`addheader: invalid header field name '${name}'`);
        return;
      }
      const problem = tooLarge(value);
      if (problem) {
        runtime.fail(problem);
        return;
      }
      // A protected field is left alone without failing the script, as Pigeonhole does.
      if (isProtected(name)) return;
      const state = editState(runtime);
      if (state.added >= resolved.maxAddedHeaders) {
        runtime.fail(
          `addheader: the script adds more than ${resolved.maxAddedHeaders} header fields`,
        );
        return;
      }
      state.added++;
      const message = runtime.message;
      const field = `${name}: ${foldFieldValue(name, value)}`;
      const edit = args.has('last') ? { last: [field] } : { first: [field] };
      runtime.editMessage(new SieveMessage(editHeaderBytes(message.bytes, message.headers, edit)));
    },
  };

  const deleteheader: CommandDefinition = {
    name: 'deleteheader',
    comparator: true,
    matchType: true,
    tags: [{ name: 'index', argument: { name: 'fieldno', kind: 'number' } }, { name: 'last' }],
    positional: [
      { name: 'field-name', kind: 'string' },
      { name: 'value-patterns', kind: 'string-list', optional: true },
    ],
    keyList: 1,
    validate(args, context) {
      if (args.has('last') && !args.has('index'))
        context.error(args, 'deleteheader: the :last tag needs the :index tag');
      if (args.tagNumber('index') === 0)
        context.error(args, 'deleteheader: :index counts from 1; 0 is not a field number');
      if (args.match.definition.name === 'count')
        context.error(args, 'deleteheader: the :count match type cannot be used here');
      const name = args.string(0);
      if (name.parts === null) {
        if (!isHeaderName(name.text))
          context.error(name, `deleteheader: invalid header field name '${name.text}'`);
        else if (isProtected(name.text))
          context.warning(
            name,
            `deleteheader: header field '${name.text}' is protected; the script will not delete it`,
          );
      }
    },
    execute(args, _data, runtime) {
      const name = runtime.string(args.string(0));
      if (!isHeaderName(name)) {
        runtime.fail(`deleteheader: invalid header field name '${name}'`);
        return;
      }
      if (isProtected(name)) return;
      const message = runtime.message;
      let candidates: readonly HeaderField[] = message.headers.lookup(name.toLowerCase());
      const index = args.tagNumber('index');
      if (index !== undefined) {
        const field = args.has('last')
          ? candidates[candidates.length - index]
          : candidates[index - 1];
        candidates = field ? [field] : [];
      }
      const patterns = args.positional.length > 1 ? args.stringList(1) : undefined;
      const remove = new Set<HeaderField>();
      for (const field of candidates) {
        runtime.step();
        if (patterns) {
          // The value as the header test sees it: unfolded, RFC 2047-decoded, trimmed.
          const value = decodeEncodedWords(fieldValue(message.headers.bytes, field, null)).trim();
          if (!runtime.matches(args, [value], patterns)) continue;
        }
        remove.add(field);
      }
      if (remove.size === 0) return;
      runtime.editMessage(
        new SieveMessage(editHeaderBytes(message.bytes, message.headers, { remove })),
      );
    },
  };

  return {
    capability: 'editheader',
    commands: [addheader, deleteheader],
  };
}

/** The editheader extension with the default options. */
export const editheader: SieveExtension = editheaderExtension();
