/**
 * The rendered text of an HTML part as HTML.pm's `display_text` puts it together, piece by
 * piece: text between tags (white space already squeezed to single spaces), and the white space
 * a tag puts (html_whitespace: a line break, a space, a blank line). Its two trims are kept,
 * since a paragraph's first word is read differently with a space before it (Bayes lowers a
 * sentence's first word in Title Case only at a line's very start):
 * - a tag's white space takes the space off the end of the text before it, unless that text
 *   is invisible (TextStyleTracker: white on white, a font of size 1...);
 * - text right after a tag's white space loses its leading space, unless it is invisible.
 */
export class DisplayedText {
  private readonly pieces: string[] = [];
  private lastIsWhitespace = false;
  private lastIsInvisible = false;

  /** The white space a tag puts. */
  whitespace(space: string): void {
    const last = this.pieces.length - 1;
    if (last >= 0 && !this.lastIsWhitespace && !this.lastIsInvisible)
      this.pieces[last] = this.pieces[last]!.replace(/ $/, '');
    this.push(space, true, false);
  }

  /** A piece of text, white space squeezed. */
  text(text: string, invisible: boolean): void {
    this.push(
      this.lastIsWhitespace && !invisible ? text.replace(/^ /, '') : text,
      false,
      invisible,
    );
  }

  /** All of it, as `get_rendered_text()` gives it. */
  result(): string {
    return this.pieces.join('');
  }

  private push(piece: string, isWhitespace: boolean, isInvisible: boolean): void {
    this.pieces.push(piece);
    this.lastIsWhitespace = isWhitespace;
    this.lastIsInvisible = isInvisible;
  }
}
