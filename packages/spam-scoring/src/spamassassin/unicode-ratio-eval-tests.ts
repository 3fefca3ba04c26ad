import { type MimePart, isMultipart, mediaType } from '@mailyard/mime';
import type { SaEvalTest } from './eval-tests.js';
import type { SaMessageView } from './message-view.js';
import { usesCrlf } from './ascii-text-eval-tests.js';
import { bytesToBinaryString } from './binary-string.js';

/** An HTML numeric entity of four upper-case hex digits, as MIMEEval counts them. */
const UNICODE_ENTITY = /&#x[0-9A-F]{4};/g;

const ratios = new WeakMap<SaMessageView, number>();

/**
 * MIMEEval's `mime_text_unicode_ratio`: over the text/plain parts sent as they are (no
 * Content-Transfer-Encoding, `7bit` or `8bit`), the `&#xHHHH;` entities per octet of the rest of
 * their raw text (CRLF line ends read as LF, as Message.pm squashes them). Such a part cannot
 * carry Unicode that way: a reader sees the entities literally. 0 when there is no such text.
 */
function unicodeRatio(view: SaMessageView): number {
  let ratio = ratios.get(view);
  if (ratio !== undefined) return ratio;
  const crlf = usesCrlf(view.bytes);
  let entities = 0;
  let others = 0;
  const visit = (part: MimePart) => {
    if (isMultipart(part)) return part.parts.forEach(visit);
    if (part.message) return visit(part.message.body);
    if (mediaType(part) !== 'text/plain') return;
    const encoding = (part.encoding ?? '').trim().toLowerCase();
    if (encoding !== '' && encoding !== '7bit' && encoding !== '8bit') return;
    let text = bytesToBinaryString(view.bytes.subarray(part.bodyStart, part.end));
    if (crlf) text = text.replace(/\r\n/g, '\n');
    const found = text.match(UNICODE_ENTITY)?.length ?? 0;
    entities += found;
    others += text.length - found * 8;
  };
  visit(view.summary.body);
  ratio = others > 0 ? entities / others : 0;
  ratios.set(view, ratio);
  return ratio;
}

/**
 * `check_abundant_unicode_ratio(ratio)` (PP_TOO_MUCH_UNICODE02, _05): the ratio above is at
 * least `ratio`; a ratio not written as MIMEEval accepts it (`\d{0,3}\.\d{1,3}`) is 0 there,
 * and here.
 */
export function checkAbundantUnicodeRatio(args: readonly string[]): SaEvalTest | null {
  const limit = args[0] ?? '';
  if (!/^\d{0,3}\.\d{1,3}$/.test(limit)) return () => 0;
  const min = Number(limit);
  return (view) => (unicodeRatio(view) >= min ? 1 : 0);
}
