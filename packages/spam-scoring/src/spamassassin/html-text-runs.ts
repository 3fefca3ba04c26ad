import { decodeHTML } from 'entities';

/**
 * HTML.pm's count of words broken by tags (`obfuscation_ratio`): a piece of text that starts
 * with a letter or digit right after one that ended with one, nothing but a tag between
 * ("V<b></b>iagra"), per tag in the part. Tags that end a line or a block put whitespace
 * between the pieces, so ordinary markup scores nothing.
 */

/** Tags the renderer turns into whitespace, at their opening and their closing alike. */
const WHITESPACE_TAGS = new Set([
  'br',
  'div',
  'li',
  'th',
  'td',
  'dt',
  'dd',
  'embed',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'hr',
  'blockquote',
  'pre',
  'listing',
  'plaintext',
  'xmp',
  'title',
]);

/** Neither whitespace nor ASCII punctuation: a letter, a digit or a non-ASCII character. */
const WORD_START = /^[^\s!-/:-@[-`{-~]/;
const WORD_END = /[^\s!-/:-@[-`{-~]$/;

export class TextRunTracker {
  /** Every tag, opening or closing, and `<!DOCTYPE>`. */
  tags = 0;
  /** Pieces of text glued to the previous one by a tag. */
  obfuscation = 0;
  private last: string | null = null;
  private lastIsWhitespace = false;

  /** A tag (name in lower case), after it was counted as seen. */
  tag(name: string): void {
    this.tags++;
    if (!WHITESPACE_TAGS.has(name)) return;
    // The renderer trims the space a text piece ended with before a block's whitespace.
    if (this.last !== null && !this.lastIsWhitespace) this.last = this.last.replace(/ $/, '');
    this.last = '\n';
    this.lastIsWhitespace = true;
  }

  /** A piece of text between tags, as written (outside scripts and styles). */
  text(raw: string): void {
    const text = raw.includes('&') ? decodeHTML(raw) : raw;
    if (this.last !== null && WORD_START.test(text) && WORD_END.test(this.last)) this.obfuscation++;
    let shown = text.replace(/[ \t\n\r\f\v]+|\xc2\xa0/g, ' ');
    if (this.lastIsWhitespace) shown = shown.replace(/^ /, '');
    this.last = shown;
    this.lastIsWhitespace = false;
  }

  /** Broken words per tag, or null when there is none (HTML.pm leaves the ratio unset). */
  get ratio(): number | null {
    return this.tags > 0 && this.obfuscation > 0 ? this.obfuscation / this.tags : null;
  }
}
