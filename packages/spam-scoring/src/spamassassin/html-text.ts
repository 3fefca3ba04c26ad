import { decodeHTML } from 'entities';
import { textToBinaryString } from './binary-string.js';

export interface RenderedHtml {
  /** The visible text, with line breaks where blocks end (as SpamAssassin renders it). */
  readonly text: string;
  /** Link targets: `href`, `src`, `action`, `background` attribute values. */
  readonly links: readonly string[];
}

// The whitespace HTML.pm's html_whitespace puts for a tag, at its opening and its closing alike;
// any other tag (table, tr, ul, option...) puts none, and the text on both sides runs on.
/** A line break (within the paragraph). */
const BREAKS = new Set(['br', 'div']);
/** A space: cells, list items and headings do not break the line in SpamAssassin's text. */
const SPACES = new Set(['li', 'th', 'td', 'dt', 'dd', 'embed', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** A blank line: the paragraph ends. */
const PARAGRAPHS = new Set([
  'p',
  'hr',
  'blockquote',
  'pre',
  'listing',
  'plaintext',
  'xmp',
  'title',
]);
/**
 * Elements whose content is not text: HTML.pm keeps a script apart and drops a style; the
 * content of anything else (the title in the head, an object's or applet's fallback) is text.
 */
const INVISIBLE = new Set(['script', 'style']);
const LINK_ATTRIBUTES =
  /\b(?:href|src|action|background)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/**
 * HTML to the text SpamAssassin's body rules read: tags removed, block ends as line breaks,
 * scripts, styles and comments dropped, entities decoded (to UTF-8 octets). One pass, linear in
 * the input: tags are found with `indexOf`, never with a backtracking pattern over the document.
 * The input is a binary string (octets); so is the output.
 */
export function renderHtml(html: string): RenderedHtml {
  const pieces: string[] = [];
  const links: string[] = [];
  let skipUntil: string | null = null;
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open < 0) {
      if (skipUntil === null) pieces.push(textNode(html.slice(i)));
      break;
    }
    if (skipUntil === null && open > i) pieces.push(textNode(html.slice(i, open)));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close < 0) break;
    const tag = html.slice(open + 1, close);
    i = close + 1;
    const name = /^\/?\s*([a-zA-Z][\w:-]*)/.exec(tag)?.[1]?.toLowerCase();
    if (name === undefined) {
      // A declaration (`<!DOCTYPE ...>`) or processing instruction (`<?xml ...?>`) is markup,
      // not text, to HTML::Parser; any other `<` not opening a tag is text.
      if (skipUntil === null && !/^[!?]/.test(tag))
        pieces.push(decodeEntities(html.slice(open, close + 1)));
      continue;
    }
    const closing = tag.startsWith('/');
    if (skipUntil !== null) {
      if (closing && name === skipUntil) skipUntil = null;
      continue;
    }
    if (INVISIBLE.has(name) && !closing && !tag.endsWith('/')) {
      skipUntil = name;
      continue;
    }
    if (!closing)
      for (const m of tag.matchAll(LINK_ATTRIBUTES))
        links.push(decodeEntities(m[1] ?? m[2] ?? m[3] ?? ''));
    if (PARAGRAPHS.has(name)) pieces.push('\n\n');
    else if (BREAKS.has(name)) pieces.push('\n');
    else if (SPACES.has(name)) pieces.push(' ');
    // An image's alt text is not text to HTML.pm (`spamassassin -t` shows none), so not here.
  }
  return { text: pieces.join(''), links };
}

/**
 * A run of text between tags as SpamAssassin's HTML.pm displays it: entities decoded, then every
 * run of ASCII white space (line breaks included) one space. Only tags break lines, so a
 * document's own line breaks (`1gate\r\n</html>\r\n5297...`) never end a paragraph.
 */
function textNode(text: string): string {
  return decodeEntities(text).replace(/[ \t\n\r\f\x0b]+/g, ' ');
}

function decodeEntities(text: string): string {
  // Entity by entity: the text around them is octets already and must not be re-encoded.
  return text.includes('&')
    ? text.replace(
        /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g,
        (entity) => textToBinaryString(decodeHTML(entity).replaceAll('\u00a0', ' ')),
      )
    : text;
}
