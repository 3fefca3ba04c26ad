import {
  type Command,
  CommandReader,
  type ReaderEvent,
  parseCommand,
} from '../../src/protocol/index.js';

/** Frames text (every literal accepted) and parses each command. */
export function parseAll(
  text: string | Uint8Array,
): (Command | { error: string; tag: string | null })[] {
  const reader = new CommandReader();
  reader.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  const out: (Command | { error: string; tag: string | null })[] = [];
  for (let event = reader.next(); event; event = reader.next()) {
    if (event.type === 'literal') reader.acceptLiteral();
    else if (event.type === 'error') out.push({ error: event.problem, tag: event.tag });
    else {
      const parsed = parseCommand(event.command);
      out.push(parsed.ok ? parsed.command : { error: parsed.message, tag: parsed.tag });
    }
  }
  return out;
}

export function parseOne(text: string): Command {
  const [result, ...rest] = parseAll(text.endsWith('\n') ? text : `${text}\r\n`);
  if (!result || rest.length > 0)
    throw new Error(`expected one command from ${JSON.stringify(text)}`);
  if ('error' in result) throw new Error(`${text}: ${result.error}`);
  return result;
}

export function parseError(text: string): string {
  const [result] = parseAll(`${text}\r\n`);
  if (!result || !('error' in result))
    throw new Error(`expected an error from ${JSON.stringify(text)}`);
  return result.error;
}

/** Every event the reader gives for the input, literals answered by `answer`. */
export function events(
  reader: CommandReader,
  answer: (request: Extract<ReaderEvent, { type: 'literal' }>['request']) => boolean = () => true,
): ReaderEvent[] {
  const out: ReaderEvent[] = [];
  for (let event = reader.next(); event; event = reader.next()) {
    out.push(event);
    if (event.type === 'literal') {
      if (answer(event.request)) reader.acceptLiteral();
      else reader.rejectLiteral();
    }
  }
  return out;
}
