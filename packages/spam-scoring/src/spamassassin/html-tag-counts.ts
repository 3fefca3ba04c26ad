/**
 * HTML.pm's counts of the tags of a part, for `bad_tag_ratio`, `non_element_ratio` and
 * `closed_extra_ratio`: every opening and closing is a tag; one whose name HTML 4.01 or XHTML 1.0
 * defines (or an Office namespace's, `o:p`, `st1:place`) is an element; a name is "seen" the first
 * time it appears. Spam written by hand or by a generator uses names no browser knows
 * (`<jaqxz>`) to break up words and rules; ham written by mail programs hardly ever does.
 */

/** HTML.pm's %elements: the HTML 4.01 and XHTML 1.0 DTDs' (strict and loose), and three more. */
const ELEMENTS = new Set([
  // strict
  ...'a abbr acronym address area b base bdo big blockquote body br button caption cite code col colgroup dd del dfn div dl dt em fieldset form h1 h2 h3 h4 h5 h6 head hr html i img input ins kbd label legend li link map meta noscript object ol optgroup option p param pre q samp script select small span strong style sub sup table tbody td textarea tfoot th thead title tr tt ul var'.split(
    ' ',
  ),
  // loose
  ...'applet basefont center dir font frame frameset iframe isindex menu noframes s strike u'.split(
    ' ',
  ),
  // non-standard ones HTML.pm accepts
  'nobr',
  'x-sigsep',
  'x-tab',
]);

/** HTML.pm's test for a namespace element of Microsoft Office's HTML (`<o:p>`, `<st1:city>`). */
const OFFICE_NAMESPACE = /^(?:o|st\d):[\w-]+\/?$/;

export class HtmlTagCounter {
  private tags = 0;
  private elements = 0;
  private tagsSeen = 0;
  private elementsSeen = 0;
  private closedExtra = 0;

  /**
   * One opening or closing tag, before `inside` counts it: `seen` is false the first time the
   * name appears (HTML.pm counts a name seen when its `inside` entry exists), `extra` when it is
   * a closing with none of its kind open.
   */
  tag(name: string, seen: boolean, extra: boolean): void {
    const element = ELEMENTS.has(name) || OFFICE_NAMESPACE.test(name);
    this.tags++;
    if (element) this.elements++;
    if (!seen) {
      this.tagsSeen++;
      if (element) this.elementsSeen++;
    }
    if (extra) this.closedExtra++;
  }

  /** A `<!DOCTYPE>`: an element and a tag, but not a name seen (as HTML.pm counts it). */
  doctype(): void {
    this.tags++;
    this.elements++;
  }

  // HTML.pm sets a ratio only when both its counts exist, and a count exists once it was first
  // incremented: a part whose tags are all unknown has no `elements`, so no bad_tag_ratio (null,
  // which no range meets), however bad its tags.

  /** Tags not defined as elements, per tag; null when no element was counted. */
  get badTagRatio(): number | null {
    return this.elements === 0 ? null : (this.tags - this.elements) / this.tags;
  }

  /** Names not defined as elements, per name seen; null when no element's name was seen. */
  get nonElementRatio(): number | null {
    return this.elementsSeen === 0 ? null : (this.tagsSeen - this.elementsSeen) / this.tagsSeen;
  }

  /** Closings with nothing of their kind open, per tag; null for a part with no tag. */
  get closedExtraRatio(): number | null {
    return this.tags === 0 ? null : this.closedExtra / this.tags;
  }
}
