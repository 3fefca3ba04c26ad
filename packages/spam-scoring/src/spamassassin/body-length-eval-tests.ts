import type { SaEvalTest } from './eval-tests.js';

/**
 * BodyEval's `check_body_length(max)` (__KAM_BODY_LENGTH_LT_128 ... _1024, read by MIME_NO_TEXT,
 * LONG_HEX_URI, FSL_BULK_SIG, GOOG_REDIR_SHORT...): 1 when the message's body, as it came (the
 * octets after the header's blank line, line endings as sent: Message.pm's
 * `pristine_body_length`), is at most `max` octets long. Not the rendered text: a short HTML
 * part with long markup is long here too.
 */
export function checkBodyLength(args: readonly string[]): SaEvalTest | null {
  const max = Number(args[0]);
  if (args[0] === undefined || !Number.isFinite(max)) return null;
  return (view) => (view.bytes.length - view.summary.body.bodyStart <= max ? 1 : 0);
}
