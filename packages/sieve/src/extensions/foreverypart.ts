// foreverypart and extracttext (RFC 5703 sections 3 and 7): a loop over the message's MIME
// parts, `break` out of it, and the text of the part being visited into a variable. The parts
// come from the message's @mailyard/mime summary (built once, bounded by MIME_LIMITS).
import { type MimePart, partText } from '@mailyard/mime';
import type {
  CommandDefinition,
  SieveExtension,
  ValidationContext,
} from '../compiler/definitions.js';
import { isVariableName } from '../compiler/strings.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

export interface ForeverypartOptions {
  /** foreverypart loops inside one another, at most. Default 3. Past it: a runtime error. */
  readonly maxNesting: number;
}

export const DEFAULT_FOREVERYPART_OPTIONS: ForeverypartOptions = { maxNesting: 3 };

interface LoopState {
  /** The parts being visited, innermost last, with the loop's name. */
  readonly loops: { part: MimePart; name: string | undefined }[];
}
const STATE = {};

function loops(runtime: SieveRuntime): LoopState['loops'] {
  return runtime.state<LoopState>(STATE, () => ({ loops: [] })).loops;
}

/** The part the innermost foreverypart loop is on, or undefined outside any loop (mime uses it). */
export function currentPart(runtime: SieveRuntime): MimePart | undefined {
  const active = loops(runtime);
  return active[active.length - 1]?.part;
}

/** The `:name` of each foreverypart loop around the command being compiled, outermost first. */
function enclosingLoops(context: ValidationContext): (string | undefined)[] {
  return context.enclosing
    .filter((command) => command.name === 'foreverypart')
    .map((command) => command.args.tagString('name')?.text);
}

/** A `break`: unwinds to the loop of that name (or the innermost one). */
class BreakSignal {
  constructor(readonly name: string | undefined) {}
}

/** The part and every part inside it, depth first, the part itself first (as Pigeonhole visits). */
export function* partsOf(part: MimePart, depth = 0): Generator<MimePart> {
  yield part;
  if (depth > 64) return;
  for (const child of part.parts ?? []) yield* partsOf(child, depth + 1);
  if (part.message) yield* partsOf(part.message.body, depth + 1);
}

/** What extracttext reads of a part: none for a multipart, tags left out of HTML. */
export function extractPartText(bytes: Uint8Array, part: MimePart): string {
  if (part.parts) return '';
  const text = partText(bytes, part);
  if (
    part.contentType.type.toLowerCase() === 'text' &&
    part.contentType.subtype.toLowerCase() === 'html'
  )
    // Closing tags and line breaks end a run of text; other tags vanish (as Pigeonhole reads it).
    return text
      .replace(/<\/[^>]*>|<br\s*\/?>/gi, ' ')
      .replace(/<[^>]*>/g, '')
      .replace(/\s+/g, ' ');
  return text;
}

export function foreverypartExtension(options: Partial<ForeverypartOptions> = {}): SieveExtension {
  const resolved = { ...DEFAULT_FOREVERYPART_OPTIONS, ...options };

  const foreverypart: CommandDefinition = {
    name: 'foreverypart',
    block: 'required',
    tags: [{ name: 'name', argument: { name: 'name', kind: 'string', literal: true } }],
    execute(args, _data, runtime, block) {
      const active = loops(runtime);
      if (active.length >= resolved.maxNesting) {
        runtime.fail(`foreverypart: loops nested more than ${resolved.maxNesting} deep`);
        return;
      }
      const name = args.tagString('name')?.text;
      // A nested loop visits the parts inside the part its outer loop is on (RFC 5703 3).
      const outer = active[active.length - 1];
      const parts = outer
        ? [...partsOf(outer.part)].slice(1)
        : [...partsOf(runtime.message.summary.body)];
      for (const part of parts) {
        active.push({ part, name });
        try {
          runtime.runBlock(block ?? []);
        } finally {
          active.pop();
        }
        const signal = runtime.unwinding;
        if (signal === null) continue;
        if (signal instanceof BreakSignal && (signal.name === undefined || signal.name === name))
          runtime.resume();
        return;
      }
    },
  };

  const breakCommand: CommandDefinition = {
    name: 'break',
    tags: [{ name: 'name', argument: { name: 'name', kind: 'string', literal: true } }],
    // RFC 5703 3.2: outside a loop, or naming no loop around it, the script is in error.
    validate(args, context) {
      const name = args.tagString('name')?.text;
      const around = enclosingLoops(context);
      if (around.length === 0) context.error(args, 'break: not inside a foreverypart loop');
      else if (name !== undefined && !around.includes(name))
        context.error(args, `break: no enclosing foreverypart loop is named '${name}'`);
    },
    // Checked again when run: a compiled program built by other means must not break out of
    // nothing.
    execute(args, _data, runtime) {
      const name = args.tagString('name')?.text;
      const active = loops(runtime);
      if (
        active.length === 0 ||
        (name !== undefined && !active.some((loop) => loop.name === name))
      ) {
        runtime.fail(
          name === undefined
            ? 'break: not inside a foreverypart loop'
            : `break: no enclosing foreverypart loop is named '${name}'`,
        );
        return;
      }
      runtime.unwind(new BreakSignal(name));
    },
  };

  return {
    capability: 'foreverypart',
    commands: [foreverypart, breakCommand],
  };
}

const extracttextCommand: CommandDefinition<string> = {
  name: 'extracttext',
  variableModifiers: true,
  tags: [{ name: 'first', argument: { name: 'number', kind: 'number' } }],
  positional: [{ name: 'varname', kind: 'string', literal: true }],
  validate(args, context) {
    if (!context.has('variables'))
      context.error(
        args,
        "the extracttext command needs the 'variables' extension: add it to require",
      );
    if (!context.has('foreverypart'))
      context.error(
        args,
        "the extracttext command needs the 'foreverypart' extension: add it to require",
      );
    // RFC 5703 7: only inside a foreverypart loop, which gives it a part to read.
    if (enclosingLoops(context).length === 0)
      context.error(args, 'extracttext: not inside a foreverypart loop (RFC 5703 section 7)');
    const name = args.string(0);
    if (!isVariableName(name.text) || name.text.includes('.'))
      context.error(name, `extracttext: invalid variable name '${name.text}'`);
    return name.text.toLowerCase();
  },
  execute(args, name, runtime) {
    const active = loops(runtime);
    const current = active[active.length - 1];
    if (!current) {
      runtime.fail('extracttext: not inside a foreverypart loop (RFC 5703 section 7)');
      return;
    }
    let text = extractPartText(runtime.message.bytes, current.part);
    runtime.step(1 + Math.floor(text.length / 4096));
    const first = args.tagNumber('first');
    if (first !== undefined) text = Array.from(text).slice(0, first).join('');
    for (const modifier of args.modifiers) text = modifier.apply(text);
    runtime.setVariable(name, text);
  },
};

/** foreverypart (RFC 5703 section 3) with the default options. */
export const foreverypart: SieveExtension = foreverypartExtension();

/** extracttext (RFC 5703 section 7): needs variables and foreverypart. */
export const extracttext: SieveExtension = {
  capability: 'extracttext',
  commands: [extracttextCommand as CommandDefinition],
};
