import { type MimePart, isMultipart, mediaType } from '@mailyard/mime';
import type { SaEvalTest } from './eval-tests.js';
import type { SaMessageView } from './message-view.js';

/**
 * MIMEEval's and BodyEval's tests of the shape of the parts and of the body's lines:
 * `check_mime_multipart_ratio`, `check_ma_non_text`, `check_for_uppercase`,
 * `check_blank_line_ratio`. Each reads what it needs once per message (WeakMaps on the view).
 */

/** A part's parameter (charset), lower case, '' when absent. */
function parameterOf(part: MimePart, name: string): string {
  return (
    part.contentType.parameters.find((p) => p.name.toLowerCase() === name)?.value ?? ''
  ).toLowerCase();
}

/** Every part in SpamAssassin's find_parts order: the part, then its children, depth first. */
function* partsOf(part: MimePart): Generator<MimePart> {
  yield part;
  if (isMultipart(part)) for (const child of part.parts) yield* partsOf(child);
  else if (part.message) yield* partsOf(part.message.body);
}

const multipartRatios = new WeakMap<object, number>();

/**
 * MIMEEval's `mime_multipart_ratio`: once a multipart/alternative was met, the encoded size of
 * the last text/plain part over that of the last text/html part (attachments not counted); 1
 * when either is missing or the HTML part is empty. A text part of a few octets beside a long
 * HTML one is what a mailer writes that fills the plain alternative with nothing.
 */
function multipartRatioOf(view: SaMessageView): number {
  const known = multipartRatios.get(view.contentKey);
  if (known !== undefined) return known;
  let alternative = false;
  let text: number | undefined;
  let html: number | undefined;
  for (const part of partsOf(view.summary.body)) {
    const type = mediaType(part);
    if (type === 'multipart/alternative') alternative = true;
    if (isMultipart(part) || part.message) continue;
    if ((part.disposition?.type.toLowerCase() ?? '').includes('attachment')) continue;
    // MIMEEval sizes a leaf met before the alternative as 0, and keeps the last of each type.
    const size = alternative ? part.end - part.bodyStart : 0;
    if (type === 'text/html') html = size;
    else if (type === 'text/plain') text = size;
  }
  const ratio =
    alternative && text !== undefined && html !== undefined && html > 0 ? text / html : 1;
  multipartRatios.set(view.contentKey, ratio);
  return ratio;
}

/** `check_mime_multipart_ratio(min, max)`: the ratio in [min, max). */
export function checkMimeMultipartRatio(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = Number(args[1]);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return (view) => {
    const ratio = multipartRatioOf(view);
    return ratio >= min && ratio < max ? 1 : 0;
  };
}

/**
 * `check_ma_non_text()`: a multipart/alternative whose own leaves (not those of a multipart
 * inside it) include one that is no text nor RTF: the "alternative" to the text is an image
 * or a program.
 */
export const checkMaNonText: SaEvalTest = (view) => {
  for (const part of partsOf(view.summary.body)) {
    if (!isMultipart(part) || mediaType(part) !== 'multipart/alternative') continue;
    for (const child of part.parts) {
      if (isMultipart(child)) continue;
      const type = mediaType(child);
      if (type !== 'application/rtf' && !type.startsWith('text/')) return 1;
    }
  }
  return 0;
};

/** Constants.pm's CHARSETS_LIKELY_TO_FP_AS_CAPS, anchored as MIMEEval matches it. */
const CAPS_CHARSET =
  /^[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)[-_a-z0-9]*$/i;

/**
 * MIMEEval's `body_charset_is_likely_to_fp`: the message's Content-Type or any part's charset
 * writes a language whose text reads as capitals (Japanese, Chinese, Cyrillic in KOI8...).
 */
function charsetLikelyToFp(view: SaMessageView): boolean {
  const charsets: string[] = [];
  const type = view.header('Content-Type', null);
  const top =
    type === null
      ? undefined
      : (/charset="([^"]+)"/i.exec(type) ??
          /charset='([^']+)'/i.exec(type) ??
          /charset=(\S+)/i.exec(type))?.[1];
  if (top !== undefined) charsets.push(top);
  for (const part of partsOf(view.summary.body)) {
    const charset = parameterOf(part, 'charset');
    if (/[a-z]/.test(charset)) charsets.push(...charset.split(/\s+/).filter(Boolean));
  }
  return charsets.some((charset) => CAPS_CHARSET.test(charset));
}

/**
 * MIMEEval's `s/\x1b\$B.*\x1b\(B//gs`: ISO-2022-JP's escapes, and what they enclose, do not
 * count. Greedy, so one cut from the first shift-in to the last shift-out after it; written
 * with indexOf, as the pattern would try every shift-in against the rest of the line.
 */
function withoutJisText(line: string): string {
  const start = line.indexOf('\x1b$B');
  const end = start < 0 ? -1 : line.lastIndexOf('\x1b(B');
  return end >= start + 3 ? line.slice(0, start) + line.slice(end + 3) : line;
}

const uppercaseShares = new WeakMap<object, number>();

/**
 * MIMEEval's share of capitals in the body's lines with a space between words (the Subject
 * among them), in percent: digits count as small letters; 0 under 200 octets of such lines, or
 * for a charset likely to read as capitals.
 */
function uppercaseShareOf(view: SaMessageView): number {
  const known = uppercaseShares.get(view.contentKey);
  if (known !== undefined) return known;
  let share = 0;
  if (!charsetLikelyToFp(view)) {
    let length = 0;
    let lower = 0;
    let upper = 0;
    for (const paragraph of view.body()) {
      if (!/[^ \t\n\r\f\x0b][ \t\n\r\f\x0b]+[^ \t\n\r\f\x0b]/.test(paragraph)) continue;
      // Base64 left in a forwarded message is no text.
      if (/^(?:[A-Za-z0-9+/=]{60,76} ){2}/.test(paragraph)) continue;
      const line = withoutJisText(paragraph);
      // The line's length with its line break, as the body's lines are Message.pm's.
      length += line.length;
      lower += line.match(/[a-z0-9]/g)?.length ?? 0;
      upper += line.match(/[A-Z]/g)?.length ?? 0;
    }
    if (length >= 200 && upper + lower > 0) share = (upper / (upper + lower)) * 100;
  }
  uppercaseShares.set(view.contentKey, share);
  return share;
}

/** `check_for_uppercase(min, max)`: the body's share of capitals in (min, max] percent. */
export function checkForUppercase(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = Number(args[1]);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return (view) => {
    const share = uppercaseShareOf(view);
    return share > min && share <= max ? 1 : 0;
  };
}

/**
 * `check_blank_line_ratio(min, max, minlines)`: the share of blank lines in the decoded text
 * parts, in percent (-1 with fewer than `minlines` lines), in (min, max], or at most max when
 * min is 0.
 */
export function checkBlankLineRatio(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = Number(args[1]);
  const minLines = Math.max(1, Number(args[2] ?? 1) || 1);
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  return (view) => {
    let lines = 0;
    let blank = 0;
    for (const piece of view.rawBody()) {
      // Perl's split(/^/m, $chunk, -1): a line per newline, and the rest after the last one.
      let start = 0;
      while (start < piece.length) {
        const end = piece.indexOf('\n', start);
        const stop = end < 0 ? piece.length : end + 1;
        lines++;
        if (!/[^ \t\n\r\f\x0b]/.test(piece.slice(start, stop))) blank++;
        start = stop;
      }
    }
    const ratio = lines < minLines ? -1 : (100 * blank) / lines;
    return (min === 0 && ratio <= max) || (ratio > min && ratio <= max) ? 1 : 0;
  };
}
