import { type CommandCursor, ImapSyntaxError } from './command-cursor.js';
import type { SequenceNumber, SequenceRange, SequenceSet } from './sequence-set.js';

/** RFC 9051 `sequence-set`, or `$` (RFC 5182 `seq-last-command`). */
export function parseSequenceSet(cursor: CommandCursor): SequenceSet {
  const text = cursor.token();
  return sequenceSetFromText(text);
}

export function sequenceSetFromText(text: string): SequenceSet {
  if (text === '$') return { type: 'saved' };
  const ranges: SequenceRange[] = [];
  for (const item of text.split(',')) {
    const ends = item.split(':');
    if (ends.length > 2) throw new ImapSyntaxError('Invalid sequence set');
    const start = sequenceNumber(ends[0]!);
    ranges.push({ start, end: ends.length === 2 ? sequenceNumber(ends[1]!) : start });
  }
  return { type: 'ranges', ranges };
}

function sequenceNumber(text: string): SequenceNumber {
  if (text === '*') return '*';
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new ImapSyntaxError('Invalid sequence set');
  const value = Number(text);
  if (value > 0xffffffff) throw new ImapSyntaxError('Invalid sequence set');
  return value;
}
