import { type HeaderField, parseHeaders } from '@mailyard/mime';
import { bytesToBinaryString } from './binary-string.js';
import type { SaMessageView } from './message-view.js';

/**
 * The message's header block as Mail::SpamAssassin::Message keeps it, for the evals that read
 * it raw (`$pms->get('Subject:raw')`, `get('ALL:raw')`): Message.pm reads a message whose
 * first or last line ends in CRLF as a CRLF message, and then gives each value LF endings;
 * a value is everything after the colon, leading space and folds kept, cut at
 * MAX_HEADER_VALUE_LENGTH octets; the pristine block keeps the line endings as they came
 * (CRLF everywhere in a CRLF message) and the blank line that ends it.
 */
export interface RawHeaderBlock {
  /** Whether Message.pm reads the message as CRLF (its first or last line ends in CRLF). */
  readonly crlf: boolean;
  /** The fields, an mbox `From ` line before them left out as Message.pm leaves it out. */
  readonly fields: readonly HeaderField[];
  /** `raw_header(name)`: every value of the name (lower case), as Message.pm stored it. */
  rawValues(name: string): string[];
  /** `get_pristine_header()` as `get('ALL:raw')` reads it. */
  readonly pristine: string;
}

/** Message.pm's MAX_HEADER_VALUE_LENGTH: a longer value is cut (and truncated_header set). */
export const MAX_HEADER_VALUE_LENGTH = 8192;

const blocks = new WeakMap<object, RawHeaderBlock>();

export function rawHeaderBlockOf(view: SaMessageView): RawHeaderBlock {
  let block = blocks.get(view.contentKey);
  if (!block) blocks.set(view.contentKey, (block = readRawHeaderBlock(view)));
  return block;
}

function readRawHeaderBlock(view: SaMessageView): RawHeaderBlock {
  const { bytes } = view;
  const headers = parseHeaders(bytes, view.summary.body.headerStart);
  let fields: readonly HeaderField[] = headers.fields;
  // Message.pm takes an mbox separator (`From ` not followed by a colon) off first.
  const first = fields[0];
  if (
    first &&
    /^From\s+(?!:)/.test(bytesToBinaryString(bytes.subarray(first.start, first.valueStart)))
  )
    fields = fields.slice(1);
  const blockStart = fields[0]?.start ?? headers.bodyStart;
  const crlf = endsInCrlf(bytes, blockStart, true) || endsInCrlf(bytes, bytes.length, false);
  const rawValues = (name: string) =>
    fields
      .filter((field) => field.key === name)
      .map((field) => {
        let value = bytesToBinaryString(bytes.subarray(field.valueStart, field.end));
        if (crlf) value = value.replace(/\r\n/g, '\n');
        return value.length > MAX_HEADER_VALUE_LENGTH
          ? value.slice(0, MAX_HEADER_VALUE_LENGTH)
          : value;
      });
  let pristine = bytesToBinaryString(bytes.subarray(blockStart, headers.bodyStart));
  // A CRLF message's lone LFs are made CRLF before the line is kept (Bug 7785).
  if (crlf) pristine = pristine.replace(/(?<!\r)\n/g, '\r\n');
  // get('ALL:raw') takes whole lines from one that does not start with white space on.
  pristine = pristine.replace(/^(?:[ \t][^\n]*\n)+/, '');
  pristine = pristine.slice(0, pristine.lastIndexOf('\n') + 1);
  return { crlf, fields, rawValues, pristine };
}

/**
 * Whether the message's first line (from `at`, forward) or last line (ending at `at`) holds a
 * CRLF, as Message.pm checks `$message[0]` and `$message[-1]`.
 */
function endsInCrlf(bytes: Uint8Array, at: number, forward: boolean): boolean {
  if (forward) {
    const lf = bytes.indexOf(0x0a, at);
    return lf > at && bytes[lf - 1] === 0x0d;
  }
  // The last line is the one the final LF ends; text after it has no line ending.
  return at >= 2 && bytes[at - 1] === 0x0a && bytes[at - 2] === 0x0d;
}
