import {
  type MimePart,
  decodeTransferEncoding,
  isMultipart,
  mediaType,
  transferEncodingOf,
} from '@mailyard/mime';
import { bytesToBinaryString } from './binary-string.js';
import type { SaEvalTest } from './eval-tests.js';
import { htmlStatisticsOf } from './html-statistics.js';
import { renderHtml } from './html-text.js';
import type { SaMessageView } from './message-view.js';

/**
 * BodyEval's `_multipart_alternative_difference`: for each multipart/alternative, how many of
 * the words of its HTML rendering its plain text lacks (MPART_ALT_DIFF, MPART_ALT_DIFF_COUNT).
 */
export interface AlternativeDifference {
  /** The largest share, in percent, of HTML words missing from the text, over the parts. */
  readonly percent: number;
  /** Distinct HTML and text words of the last multipart/alternative that had HTML words. */
  readonly htmlWords: number;
  readonly textWords: number;
}

const NONE: AlternativeDifference = { percent: 0, htmlWords: 0, textWords: 0 };
/** Perl's `\s` on octets, which BodyEval splits the rendered text at. */
const PERL_SPACES = /[\t\n\v\f\r ]+/;
/** BodyEval keeps a token with a word character (`/\w/`): no bullet or rule lines. */
const WORD_CHARACTER = /[A-Za-z0-9_]/;
/** BodyEval's mark for an HTML part with no words but an image: never a token, as "\n". */
const IMAGE_ONLY = '\n';

const cache = new WeakMap<SaMessageView, AlternativeDifference>();

/** The difference of a message, computed once per message (exported for its tests). */
export function differenceOf(view: SaMessageView): AlternativeDifference {
  let difference = cache.get(view);
  if (!difference) {
    difference = computeDifference(view);
    cache.set(view, difference);
  }
  return difference;
}

/** Every part below and including `part`, message/rfc822 bodies included (find_parts). */
function allParts(part: MimePart, found: MimePart[] = []): MimePart[] {
  found.push(part);
  if (isMultipart(part)) for (const child of part.parts) allParts(child, found);
  if (part.message) allParts(part.message.body, found);
  return found;
}

function computeDifference(view: SaMessageView): AlternativeDifference {
  const root = view.summary.body;
  const parts = allParts(root);
  const alternatives = parts.filter((part) => mediaType(part) === 'multipart/alternative');
  if (alternatives.length === 0) return NONE;
  // Exchange's meeting requests (multipart/alternative of text/html and text/calendar) are left
  // alone, as BodyEval leaves them, for their false positives.
  if (
    isMultipart(root) &&
    mediaType(root) === 'multipart/alternative' &&
    root.parts.length === 2 &&
    mediaType(root.parts[0]!) === 'text/html' &&
    mediaType(root.parts[1]!) === 'text/calendar'
  )
    return NONE;
  let result = NONE;
  for (const alternative of alternatives) {
    const html = new Map<string, number>();
    const text = new Map<string, number>();
    for (const part of allParts(alternative)) {
      const type = mediaType(part);
      // Only text/plain and text/html are rendered (Node.pm's rendered()).
      if (type !== 'text/plain' && type !== 'text/html') continue;
      const source = decodedText(view, part);
      const isHtml = type === 'text/html' && source !== '';
      const words = (isHtml ? renderHtml(source).text : source).split(PERL_SPACES);
      const counts = isHtml ? html : text;
      for (const word of words)
        if (WORD_CHARACTER.test(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
      if (isHtml && html.size === 0 && htmlStatisticsOf(source).inside.has('img'))
        html.set(IMAGE_ONLY, 1);
    }
    const original = html.size;
    if (original === 0) continue;
    for (const [word, count] of text) {
      const inHtml = html.get(word);
      if (inHtml !== undefined && inHtml - count < 1) html.delete(word);
    }
    const percent = (html.size / original) * 100;
    result = {
      percent: Math.max(result.percent, percent),
      htmlWords: original,
      textWords: text.size,
    };
  }
  return result;
}

/** A part's body decoded from its transfer encoding, as octets, line ends as `\n`. */
function decodedText(view: SaMessageView, part: MimePart): string {
  const body = view.bytes.subarray(part.bodyStart, part.end);
  const encoding = transferEncodingOf(part.encoding);
  const decoded = encoding === null ? body : decodeTransferEncoding(body, encoding);
  return bytesToBinaryString(decoded).replace(/\r\n?/g, '\n');
}

/**
 * `multipart_alternative_difference(min, max)`: the largest difference is over `min` (or `min`
 * is 0) and at most `max` (or `max` is 'undef'); MPART_ALT_DIFF is ('99', '100').
 */
export function multipartAlternativeDifference(args: readonly string[]): SaEvalTest | null {
  const min = Number(args[0]);
  const max = args[1] === 'undef' ? Infinity : Number(args[1]);
  if (!Number.isFinite(min) || Number.isNaN(max)) return null;
  return (view) => {
    const { percent } = differenceOf(view);
    return (min === 0 || percent > min) && percent <= max ? 1 : 0;
  };
}

/**
 * `multipart_alternative_difference_count(ratio, minHtml)`: the last multipart/alternative with
 * HTML words had more than `minHtml` of them, and text words per HTML word over `ratio`.
 */
export function multipartAlternativeDifferenceCount(args: readonly string[]): SaEvalTest | null {
  const ratio = Number(args[0]);
  const minHtml = Number(args[1]);
  if (!Number.isFinite(ratio) || !Number.isFinite(minHtml)) return null;
  return (view) => {
    const { htmlWords, textWords } = differenceOf(view);
    return htmlWords > minHtml && textWords / htmlWords > ratio ? 1 : 0;
  };
}
