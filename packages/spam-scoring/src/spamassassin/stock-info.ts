import {
  type MimePart,
  decodeTransferEncoding,
  isMultipart,
  mediaType,
  transferEncodingOf,
} from '@mailyard/mime';
import { normalizedText } from './charset-normalize.js';
import type { SaMessageView } from './message-view.js';
import { rawBodyPieces } from './scan-size.js';

/**
 * BodyEval's `check_stock_info(min)` (TVD_STOCK1): pump-and-dump stock spam lays its "facts"
 * out as `Label: value` lines. In the first text/plain part, each line's label (3 to 30
 * octets before a colon, then text) is lower-cased, cut to its letters, and matched against
 * BodyEval's list (symbol, ticker, target price, sector, recommendation...); 1 when at least
 * `min` different labels of the list are there (any message when `min` is 0).
 */
export function checkStockInfo(args: readonly string[]): ((view: SaMessageView) => number) | null {
  const min = Number(args[0]);
  if (args[0] === undefined || !Number.isFinite(min)) return null;
  return (view) => (min === 0 || stockLabelsOf(view) >= min ? 1 : 0);
}

/** BodyEval's list; `^` binds the first alternative only, as in Perl. */
const STOCK_LABEL =
  /(^trad(?:e|ing)date|company(?:name)?|s\w?(?:t\w?o\w?c\w?k|y\w?m(?:\w?b\w?o\w?l)?)|t(?:arget|icker)|(?:opening|current)p(?:rice)?|p(?:rojected|osition)|expectations|weeks?high|marketperformance|(?:year|week|month|day|price)(?:target|estimates?)|sector|r(?:ecommendation|ating))$/;
/** Perl's `([^:\s][^:\n]{2,29})\s*:\s*\S`, from a line's first octet that is not white space. */
const LABEL_LINE = /([^:\s][^:\n]{2,29})[ \t\n\x0b\f\r]*:[ \t\n\x0b\f\r]*[^ \t\n\x0b\f\r]/y;
const PERL_SPACE = /[ \t\n\x0b\f\r]/;

const labelCounts = new WeakMap<object, number>();

function stockLabelsOf(view: SaMessageView): number {
  let count = labelCounts.get(view.contentKey);
  if (count === undefined) {
    const text = firstPlainText(view);
    count = text === null ? 0 : stockLabels(text);
    labelCounts.set(view.contentKey, count);
  }
  return count;
}

/**
 * The labels of the list found, counted once each. Perl's `/^\s*(...)\s*:\s*\S/mg` over each
 * piece (Message.pm's short paragraphs): from each line start the leading white space is
 * skipped, so every line start in a run of blank lines leads to the same first octet, tried
 * once here (Perl tries it again from each line start of the run).
 */
export function stockLabels(text: string): number {
  const hits = new Set<string>();
  for (const piece of rawBodyPieces(text)) {
    let from = 0;
    let tried = -1;
    for (let lineStart = 0; lineStart < piece.length;) {
      // A line start inside the last match, or in the white space before the octet last tried.
      if (lineStart >= from && lineStart > tried) {
        let at = lineStart;
        while (at < piece.length && PERL_SPACE.test(piece[at]!)) at++;
        if (at >= piece.length) break;
        tried = at;
        LABEL_LINE.lastIndex = at;
        const label = LABEL_LINE.exec(piece);
        if (label) {
          from = LABEL_LINE.lastIndex;
          const letters = label[1]!.toLowerCase().replace(/[^a-z]/g, '');
          const hit = STOCK_LABEL.exec(letters);
          if (hit) hits.add(hit[1]!);
        }
      }
      const lf = piece.indexOf('\n', lineStart);
      if (lf < 0) break;
      lineStart = lf + 1;
    }
  }
  return hits.size;
}

/** Perl's type for a part: text/* other than x-vcard, calendar and html is text/plain. */
function isPlainText(part: MimePart): boolean {
  const type = mediaType(part);
  return /^text\b/.test(type) && !/^text\/(?:x-vcard|calendar|html)$/.test(type);
}

/** The first text/plain part's rendered text (decoded, UTF-8 octets, LF line ends), or null. */
function firstPlainText(view: SaMessageView): string | null {
  const search: MimePart[] = [view.summary.body];
  for (let part = search.shift(); part; part = search.shift()) {
    if (isMultipart(part)) search.unshift(...part.parts);
    else if (part.message) search.unshift(part.message.body);
    else if (isPlainText(part)) {
      const body = view.bytes.subarray(part.bodyStart, part.end);
      const encoding = transferEncodingOf(part.encoding);
      const decoded = encoding === null ? body : decodeTransferEncoding(body, encoding);
      const charset =
        part.contentType.parameters.find((p) => p.name.toLowerCase() === 'charset')?.value ?? null;
      return normalizedText(decoded, charset).replace(/\r\n/g, '\n');
    }
  }
  return null;
}
