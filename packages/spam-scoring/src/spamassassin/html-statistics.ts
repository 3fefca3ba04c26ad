import type { SaMessageView } from './message-view.js';
import { TextRunTracker } from './html-text-runs.js';
import { TextStyleTracker, attributesOf } from './html-text-style.js';

/**
 * What SpamAssassin's HTML parser records of each HTML part for the HTMLEval tests: the source's
 * length, every tag name seen with its balance (openings minus closings, never below 0: an extra
 * closing is counted apart), and the text of each `<title>`.
 */
export interface HtmlStatistics {
  /** The part's source length, in octets (not the rendered text's). */
  readonly length: number;
  /** Tag name (lower case) to how many are open at the end; a name seen is present. */
  readonly inside: ReadonlyMap<string, number>;
  readonly closedExtra: number;
  readonly titles: readonly string[];
  /** Each comment as written, `<!--` to `-->`. */
  readonly comments: readonly string[];
  /** The text of each `<a href>`, an image inside it written `<img>` and a newline. */
  readonly anchors: readonly string[];
  /** Visible text in a colour (nearly) that of its background (html-text-style.ts). */
  readonly fontLowContrast: boolean;
  /** Visible text in a colour that is no colour. */
  readonly fontInvalidColor: boolean;
  /** The largest font size set (3 when none is). */
  readonly maxSize: number;
  /** Words broken by tags, per tag (html-text-runs.ts); null when no word is. */
  readonly obfuscationRatio: number | null;
  /** A `<font face>` that is not a list of font names (HTML.pm's `font_face_bad`). */
  readonly fontFaceBad: boolean;
}

/**
 * HTML.pm's test of a font face (bugs 5956, 7312): names of letters, spaces and hyphens (a digit
 * at the end), quoted or not, separated by commas, a `;` at the end. Perl's `\s` on octets and
 * its `$`, which also matches before a final newline. Anchored, and each name ends where a
 * comma starts the next, so V8 tries each position of the value a bounded number of times.
 */
const GOOD_FONT_FACE =
  /^[\t\n\v\f\r ]*["'.]?[a-z ][a-z -]*[a-z]\d?["']?(?:,[\t\n\v\f\r ]*["']?[a-z][a-z -]*[a-z]\d?["']?)*;?\n?$/i;

/** Elements whose content is not markup: tags inside them are text to the parser. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'xmp', 'plaintext']);

/** One pass over the source with `indexOf`, as html-text.ts renders it: linear in its length. */
export function htmlStatisticsOf(source: string): HtmlStatistics {
  const inside = new Map<string, number>();
  const titles: string[] = [];
  const comments: string[] = [];
  const anchors: string[] = [];
  let closedExtra = 0;
  let fontFaceBad = false;
  const style = new TextStyleTracker();
  const runs = new TextRunTracker();
  let rawUntil: string | null = null;
  let title: string[] | null = null;
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('<', i);
    const textEnd = open < 0 ? source.length : open;
    if (rawUntil === null && textEnd > i) {
      style.text(source.slice(i, textEnd));
      runs.text(source.slice(i, textEnd));
      if (title) title.push(source.slice(i, textEnd));
      if ((inside.get('a') ?? 0) > 0 && anchors.length > 0)
        anchors[anchors.length - 1] += source.slice(i, textEnd);
    }
    if (open < 0) break;
    if (rawUntil === null && source.startsWith('<!--', open)) {
      const end = source.indexOf('-->', open + 4);
      i = end < 0 ? source.length : end + 3;
      comments.push(source.slice(open, i));
      continue;
    }
    const close = source.indexOf('>', open + 1);
    if (close < 0) break;
    const tag = source.slice(open + 1, close);
    i = close + 1;
    const name = /^\/?([a-zA-Z][\w:.-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (name === undefined) {
      // A declaration is no comment; a DOCTYPE counts as a tag seen, never open.
      if (rawUntil === null && /^!doctype/i.test(tag)) {
        inside.set('!doctype', 0);
        runs.tag('!doctype');
      }
      continue;
    }
    const closing = tag.startsWith('/');
    if (rawUntil !== null) {
      if (!closing || name !== rawUntil) continue;
      rawUntil = null;
    }
    const count = (inside.get(name) ?? 0) + (closing ? -1 : 1);
    if (count < 0) closedExtra++;
    inside.set(name, Math.max(0, count));
    if (!closing && RAW_TEXT.has(name)) rawUntil = name;
    runs.tag(name);
    if (closing) style.close(name);
    else style.open(name, tag);
    if (!closing && name === 'font' && !fontFaceBad) {
      const face = attributesOf(tag).get('face');
      if (face !== undefined && !GOOD_FONT_FACE.test(face)) fontFaceBad = true;
    }
    if (!closing && name === 'a' && /\bhref\s*=/i.test(tag)) anchors.push('');
    if (!closing && name === 'img' && (inside.get('a') ?? 0) > 0 && anchors.length > 0)
      anchors[anchors.length - 1] += '<img>\n';
    if (name === 'title') {
      if (!closing) title = [];
      else if (title) {
        titles.push(title.join(''));
        title = null;
      }
    }
  }
  if (title) titles.push(title.join(''));
  return {
    length: source.length,
    inside,
    closedExtra,
    titles,
    comments,
    anchors,
    fontLowContrast: style.fontLowContrast,
    fontInvalidColor: style.fontInvalidColor,
    maxSize: style.maxSize,
    obfuscationRatio: runs.ratio,
    fontFaceBad,
  };
}

const cache = new WeakMap<SaMessageView, readonly HtmlStatistics[]>();

/** The statistics of every HTML part of the message, computed once per message. */
export function htmlStatistics(view: SaMessageView): readonly HtmlStatistics[] {
  let all = cache.get(view);
  if (!all) {
    all = view.htmlSources().map(htmlStatisticsOf);
    cache.set(view, all);
  }
  return all;
}
