/**
 * Elements whose content is not markup: tags inside them are text to HTML::Parser (3.81, as
 * Debian has it: `<iframe><script>` is text, the iframe's fallback, and so is a title's markup).
 */
export const RAW_TEXT = new Set([
  'script',
  'style',
  'textarea',
  'xmp',
  'plaintext',
  'iframe',
  'title',
]);
/** Raw elements whose text HTML.pm does not display. */
export const INVISIBLE_RAW_TEXT = new Set(['script', 'style']);
/** Raw elements whose entities HTML::Parser decodes (the others' text is as written). */
export const DECODED_RAW_TEXT = new Set(['textarea', 'title']);

/**
 * Where raw elements' contents end in one HTML source: at the element's closing tag, `</name`
 * in any case followed by white space, `/` or `>`; -1 when never (a `<plaintext>` never ends).
 * Linear over a document however many raw elements it opens: the source is lowered once, and an
 * element known never to close after some point is not searched for again.
 */
export class RawTextEnds {
  private lowered: string | null = null;
  private readonly neverClosed = new Set<string>();

  constructor(private readonly source: string) {}

  end(name: string, from: number): number {
    if (name === 'plaintext' || this.neverClosed.has(name)) return -1;
    // ASCII letters lowered, every offset the same.
    this.lowered ??= this.source.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
    const closing = `</${name}`;
    for (
      let at = this.lowered.indexOf(closing, from);
      at >= 0;
      at = this.lowered.indexOf(closing, at + 1)
    ) {
      const after = this.lowered[at + closing.length];
      if (after === undefined || /[\s/>]/.test(after)) return at;
    }
    this.neverClosed.add(name);
    return -1;
  }
}
