import { decodeHTML } from 'entities';
import type { SaMessageView } from './message-view.js';
import { TextRunTracker } from './html-text-runs.js';
import { INVISIBLE_RAW_TEXT, RAW_TEXT, RawTextEnds } from './html-raw-text.js';
import { TextStyleTracker, attributesOf } from './html-text-style.js';
import { HtmlTagCounter } from './html-tag-counts.js';
import { startTagEnd } from './html-text.js';
import { MAX_URI_LENGTH } from './uri-canonicalize.js';

/**
 * What SpamAssassin's HTML parser records of each HTML part for the HTMLEval tests: the source's
 * length, every tag name seen with its balance (openings minus closings, never below 0: an extra
 * closing is counted apart), and the text of each `<title>`.
 */
export interface HtmlStatistics {
  /** The part's source length (not the rendered text's), in octets; in characters where the part was decoded to characters (htmlStatistics). */
  readonly length: number;
  /** Tag name (lower case) to how many are open at the end; a name seen is present. */
  readonly inside: ReadonlyMap<string, number>;
  readonly closedExtra: number;
  readonly titles: readonly string[];
  /** Each comment as written, `<!--` to `-->`. */
  readonly comments: readonly string[];
  /** The text of each `<a>`, an image inside it written `<img>` and a newline. */
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
  /** Tags that are no HTML element, per tag (html-tag-counts.ts); null as HTML.pm leaves it unset. */
  readonly badTagRatio: number | null;
  /** Tag names that are no HTML element, per name seen; null as HTML.pm leaves it unset. */
  readonly nonElementRatio: number | null;
  /** Closings with nothing of their kind open, per tag; null for a part with no tag. */
  readonly closedExtraRatio: number | null;
  /**
   * The area of the images whose width and height are given (HTML.pm's `image_area`: a
   * percentage of an 800x600 screen, 200 for a size that is no number), in pixels.
   */
  readonly imageArea: number;
  /** Characters of the displayed text (Node.pm's `non_space_len`) that are not white space. */
  readonly nonSpaceLength: number;
  /** An `<object>` or an `<embed>` (HTML.pm's `embeds`). */
  readonly embeds: boolean;
  /** A `<form>` whose action is a `mailto:` (HTML.pm's `form_action_mailto`). */
  readonly formActionMailto: boolean;
  /** An `<iframe>` with a source (a link of type iframe, check_iframe_src). */
  readonly iframeSrc: boolean;
  /** The `href` of each `<a>` that `anchors` holds the text of, in the same order. */
  readonly anchorHrefs: readonly string[];
  /** A link longer than MAX_URI_LENGTH, cut there (HTML.pm's `uri_truncated`). */
  readonly uriTruncated: boolean;
}

/**
 * HTML.pm's test of a font face (bugs 5956, 7312): names of letters, spaces and hyphens (a digit
 * at the end), quoted or not, separated by commas, a `;` at the end. Perl's `\s` on octets and
 * its `$`, which also matches before a final newline. Anchored, and each name ends where a
 * comma starts the next, so V8 tries each position of the value a bounded number of times.
 */
const GOOD_FONT_FACE =
  /^[\t\n\v\f\r ]*["'.]?[a-z ][a-z -]*[a-z]\d?["']?(?:,[\t\n\v\f\r ]*["']?[a-z][a-z -]*[a-z]\d?["']?)*;?\n?$/i;

/**
 * A tag's name as HTML::Parser reports it to HTML.pm: everything up to white space or the `>`,
 * so `</table</th>` closes `table</th` and `<td"x">` opens `td"x"` (names no DTD defines: bad
 * tags); lower case (ASCII only: the source is octets). An opening starts with a letter or `_`,
 * a closing with anything but white space. HTML.pm first rewrites `<br/>` and `<br />` to `<br>`
 * (bug 4695), but not `<o:p/>` (`\w` takes no colon), whose name keeps its slash. Undefined for
 * what is not a tag (`<!...>`, `< b>`, `</ p>`, `<1a>`).
 */
function tagNameOf(tag: string): string | undefined {
  const selfClosing = /^(\w+)\s*\/$/.exec(tag);
  const name = selfClosing ? selfClosing[1] : /^(?:\/[^\s>]|[a-zA-Z_])[^\s>]*/.exec(tag)?.[0];
  return name?.replace(/^\//, '').replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}

/** One pass over the source with `indexOf`, as html-text.ts renders it: linear in its length. */
export function htmlStatisticsOf(source: string): HtmlStatistics {
  const inside = new Map<string, number>();
  const titles: string[] = [];
  const comments: string[] = [];
  const anchors: string[] = [];
  let closedExtra = 0;
  let fontFaceBad = false;
  let imageArea = 0;
  let nonSpaceLength = 0;
  let embeds = false;
  let formActionMailto = false;
  let iframeSrc = false;
  let uriTruncated = false;
  const anchorHrefs: string[] = [];
  const style = new TextStyleTracker();
  const runs = new TextRunTracker();
  const counts = new HtmlTagCounter();
  let rawUntil: string | null = null;
  let title: string[] | null = null;
  const rawEnds = new RawTextEnds(source);
  const text = (run: string) => {
    nonSpaceLength += nonSpaceLengthOf(run);
    style.text(run);
    runs.text(run);
    if (title) title.push(run);
    if ((inside.get('a') ?? 0) > 0 && anchors.length > 0) anchors[anchors.length - 1] += run;
  };
  /** An opening or closing tag (`tag` is its text between `<` and `>`), as HTML.pm sees it. */
  const onTag = (name: string, tag: string) => {
    const closing = tag.startsWith('/');
    const count = (inside.get(name) ?? 0) + (closing ? -1 : 1);
    counts.tag(name, inside.has(name), count < 0);
    if (count < 0) closedExtra++;
    inside.set(name, Math.max(0, count));
    if (!closing && RAW_TEXT.has(name)) rawUntil = name;
    runs.tag(name);
    if (closing) style.close(name);
    else style.open(name, tag);
    // An opening tag's attributes, parsed once for the tests below that read them.
    let parsed: Map<string, string> | undefined;
    const attributesOfTag = () => (parsed ??= attributesOf(tag));
    if (!closing && name === 'font' && !fontFaceBad) {
      const face = attributesOfTag().get('face');
      if (face !== undefined && !GOOD_FONT_FACE.test(face)) fontFaceBad = true;
    }
    if (!closing && name === 'img') imageArea += imageAreaOf(attributesOfTag());
    if (!closing && (name === 'object' || name === 'embed')) embeds = true;
    if (!closing && LINK_ATTRIBUTES[name] !== undefined) {
      const attributes = attributesOfTag();
      const links = LINK_ATTRIBUTES[name]!.flatMap((wanted) => {
        const value = attributes.get(wanted);
        return value === undefined ? [] : [trimUri(value)];
      });
      if (links.some((link) => link.length > MAX_URI_LENGTH)) uriTruncated = true;
      if (name === 'form' && /mailto:/i.test(attributes.get('action') ?? ''))
        formActionMailto = true;
      if (name === 'iframe' && links.some((link) => link !== '')) iframeSrc = true;
      // HTML.pm starts an anchor's text at every `<a>`, with a link or without (`<a name>`).
      if (name === 'a') {
        anchors.push('');
        anchorHrefs.push(trimUri(attributes.get('href') ?? '').slice(0, MAX_URI_LENGTH));
      }
    }
    if (!closing && name === 'img' && (inside.get('a') ?? 0) > 0 && anchors.length > 0)
      anchors[anchors.length - 1] += '<img>\n';
    if (name === 'title') {
      if (!closing) title = [];
      else if (title) {
        titles.push(title.join(''));
        title = null;
      }
    }
  };
  const quotesEnd = { '"': source.lastIndexOf('"'), "'": source.lastIndexOf("'") };
  let i = 0;
  while (i < source.length) {
    if (rawUntil !== null) {
      // HTML::Parser reads a raw element's content as one text up to its closing tag (a
      // `<plaintext>` to the end); HTML.pm displays it, but for a script's or a style's.
      const end = rawEnds.end(rawUntil, i);
      if (end < 0 && rawUntil === 'title') {
        // A title never closed is closed by HTML::Parser at the first tag after its text,
        // and the rest is markup again.
        const next = source.indexOf('<', i);
        const textEnd = next < 0 ? source.length : next;
        if (textEnd > i) text(source.slice(i, textEnd));
        rawUntil = null;
        onTag('title', '/title');
        i = textEnd;
        continue;
      }
      const textEnd = end < 0 ? source.length : end;
      if (!INVISIBLE_RAW_TEXT.has(rawUntil) && textEnd > i) text(source.slice(i, textEnd));
      if (end < 0) break;
      i = end;
      rawUntil = null;
      continue;
    }
    const open = source.indexOf('<', i);
    const textEnd = open < 0 ? source.length : open;
    if (textEnd > i) text(source.slice(i, textEnd));
    if (open < 0) break;
    if (source.startsWith('<!--', open)) {
      // HTML::Parser lets the closing share the opening's dashes: `<!-->` is a whole comment.
      const end = source.indexOf('-->', open + 2);
      i = end < 0 ? source.length : end + 3;
      comments.push(source.slice(open, i));
      continue;
    }
    // A start tag ends at the first `>` outside a quoted value, as in the rendering.
    const close = /[a-zA-Z_]/.test(source[open + 1] ?? '')
      ? startTagEnd(source, open, quotesEnd)
      : source.indexOf('>', open + 1);
    if (close < 0) break;
    const tag = source.slice(open + 1, close);
    i = close + 1;
    const name = tagNameOf(tag);
    if (name === undefined) {
      // A declaration is no comment; a DOCTYPE counts as a tag seen, never open.
      if (/^!doctype/i.test(tag)) {
        inside.set('!doctype', 0);
        runs.tag('!doctype');
        counts.doctype();
      } else if (/^!(?!(?:entity|element|attlist|notation)\b|\[)|^\/[\t\n\f\r ]/i.test(tag))
        // What HTML::Parser reports as a comment besides `<!--...-->`: `<!x>`, `</ p>`.
        comments.push(`<${tag}>`);
      continue;
    }
    onTag(name, tag);
  }
  // HTML.pm closes a script or style left open (bug 7437): one more tag, a closing.
  if (rawUntil !== null && INVISIBLE_RAW_TEXT.has(rawUntil)) {
    counts.tag(rawUntil, true, false);
    inside.set(rawUntil, Math.max(0, (inside.get(rawUntil) ?? 0) - 1));
  }
  // (onTag opens and closes titles: TypeScript does not see its assignments from here.)
  const unclosedTitle = title as string[] | null;
  if (unclosedTitle) titles.push(unclosedTitle.join(''));
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
    badTagRatio: counts.badTagRatio,
    nonElementRatio: counts.nonElementRatio,
    closedExtraRatio: counts.closedExtraRatio,
    imageArea,
    nonSpaceLength,
    embeds,
    formActionMailto,
    iframeSrc,
    anchorHrefs,
    uriTruncated,
  };
}

/**
 * The attributes HTML.pm's html_uri takes links from, by tag (a meta refresh's URL is not read
 * here: no test of this file needs it).
 */
const LINK_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  body: ['background'],
  table: ['background'],
  tr: ['background'],
  td: ['background'],
  a: ['href', 'data-saferedirecturl'],
  area: ['href', 'data-saferedirecturl'],
  link: ['href', 'data-saferedirecturl'],
  img: ['src'],
  frame: ['src'],
  iframe: ['src'],
  embed: ['src'],
  script: ['src'],
  bgsound: ['src'],
  form: ['action'],
  base: ['href'],
};

/** canon_uri's trim: white space and no-break spaces at both ends (linear: see html-text.ts). */
function trimUri(value: string): string {
  return value.replace(/^[\t\n\x0b\f\r \xa0]+|(?<![\t\n\x0b\f\r \xa0])[\t\n\x0b\f\r \xa0]+$/g, '');
}

/**
 * HTML.pm's area of an `<img>` with both a width and a height: each a number of pixels, or a
 * percentage of an 800x600 screen; anything else (a `px`, nothing, 0) counts 200. 0 for an
 * image without both: its size is not known.
 */
function imageAreaOf(attributes: ReadonlyMap<string, string>): number {
  const width = attributes.get('width');
  const height = attributes.get('height');
  if (width === undefined || height === undefined) return 0;
  const pixels = (value: string, perPercent: number) => {
    const size = /^(\d+)(%)?\n?$/.exec(value);
    const number = size ? Number(size[1]) * (size[2] ? perPercent : 1) : 0;
    return number > 0 ? number : 200;
  };
  return pixels(width, 8) * pixels(height, 6);
}

/**
 * The characters of a text HTML.pm displays that are not white space (Node.pm's
 * `non_space_len` is their sum over the part's rendered text; tags add only white space). The
 * source is UTF-8 octets here: a character is an octet that does not continue a sequence (what
 * Perl counts whether it decoded the part or not: a Latin-1 part is one octet per character
 * there). An entity is one character, white space if it decodes to white space (`&nbsp;`, which
 * HTML.pm makes a space before parsing, `&#32;`); a no-break space (C2 A0) is a space.
 */
function nonSpaceLengthOf(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const octet = text.charCodeAt(i);
    if (octet === 0x26) {
      const entity = ENTITY.exec(text.slice(i, i + 40));
      if (entity) {
        if (!/^[\s\u00a0]+$/.test(decodeHTML(entity[0]))) count++;
        i += entity[0].length - 1;
        continue;
      }
    }
    if ((octet & 0xc0) === 0x80) continue;
    if (octet === 0x20 || (octet >= 0x09 && octet <= 0x0d)) continue;
    if (octet === 0xc2 && text.charCodeAt(i + 1) === 0xa0) {
      i++;
      continue;
    }
    count++;
  }
  return count;
}

/** An entity as html-text.ts decodes them: numeric, or a name (its `;` optional). */
const ENTITY = /^&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/;

const cache = new WeakMap<SaMessageView, readonly HtmlStatistics[]>();

/**
 * The statistics of every HTML part of the message, computed once per message. A part decoded
 * to characters has its length in characters, as Perl's `length` gives HTML.pm's (a Latin-1
 * or Korean page is shorter so than its UTF-8 octets).
 */
export function htmlStatistics(view: SaMessageView): readonly HtmlStatistics[] {
  let all = cache.get(view);
  if (!all) {
    const asCharacters = view.htmlPartsAsCharacters();
    all = view.htmlSources().map((source, index) => {
      const statistics = htmlStatisticsOf(source);
      return asCharacters[index] ? { ...statistics, length: utf8Characters(source) } : statistics;
    });
    cache.set(view, all);
  }
  return all;
}

/** The characters of a binary string of UTF-8: its octets but the continuation ones. */
export function utf8Characters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if ((text.charCodeAt(i) & 0xc0) !== 0x80) count++;
  return count;
}
