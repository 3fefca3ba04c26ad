import { XMLBuilder, type XMLMetaData, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Kerio's configuration files (`mailserver.cfg`, `users.cfg`) are XML: named variables, and named
 * lists of items that are themselves named variables (Admin Guide 2.5, 8.2: "<variable
 * name="QuotaWarningThreshold">90</variable>"). This module reads and writes that shape; what the
 * names mean is each file's business.
 *
 * ```xml
 * <config>
 *   <variable name="Hostname">mail.example.test</variable>
 *   <list name="Service">
 *     <listitem>
 *       <variable name="Name">smtp</variable>
 *       ...
 * ```
 */
export interface KerioConfig {
  readonly variables: ReadonlyMap<string, string>;
  readonly lists: ReadonlyMap<string, readonly KerioListItem[]>;
}

export type KerioListItem = Readonly<Record<string, string>>;

/** What a written file holds, in order: comments explain the settings to whoever edits it. */
export type KerioConfigEntry =
  | { readonly comment: string }
  | { readonly variable: string; readonly value: string }
  | { readonly list: string; readonly items: readonly KerioListItem[] };

/**
 * Reads in document order, with each element's place in the text, so that whatever does not fit
 * the shape above is reported at its line. Values are kept as written (no trimming, no numbers).
 */
const parser = new XMLParser({
  preserveOrder: true,
  captureMetaData: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  commentPropName: '#comment',
  parseTagValue: false,
  trimValues: false,
});
// Typed as the `Symbol` wrapper object; it is a symbol.
const PLACE = XMLParser.getMetaDataSymbol() as unknown as symbol;

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  commentPropName: '#comment',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: false,
});

/** A node as the ordered parser gives it: `{ name: children, ':@': attributes }` or text. */
interface XmlNode {
  readonly [key: string]: unknown;
  readonly [PLACE]?: XMLMetaData;
  readonly ':@'?: Readonly<Record<string, string>>;
}

/** An element of the document, with what the error messages need to say where it is. */
interface Element {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** Where its start tag begins, and where the element ends, in the text. */
  readonly start: number;
  readonly end: number;
}

/** A configuration file that is not well-formed Kerio XML; the message names the file and line. */
export class KerioConfigError extends Error {
  override readonly name = 'KerioConfigError';
}

/**
 * Reads a configuration file's text; `file` names it in errors. Anything that does not fit the
 * shape (broken XML, an element or text out of place, a variable or list without its name) is a
 * `KerioConfigError` that gives the line and what was expected there: a file that is read
 * leniently loses what it says, and a server that starts on half a users.cfg loses users.
 */
export function parseKerioConfig(xml: string, file: string): KerioConfig {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, message } = explainXmlError(valid.err, xml);
    throw new KerioConfigError(`${file}: line ${line}: ${message}`);
  }
  return new ConfigReader(xml, file).read(parser.parse(xml) as XmlNode[]);
}

/** The validator's words, made plainer where they say little (a file cut short, say). */
function explainXmlError(
  error: { readonly msg: string; readonly line: number },
  xml: string,
): { line: number; message: string } {
  const endLine = lineAt(xml, xml.length);
  if (error.msg === 'Start tag expected.') {
    return { line: endLine, message: 'no element in the file: expected <config>' };
  }
  const unclosed = /^Unclosed tag '(.*)'\.$/.exec(error.msg);
  if (unclosed) {
    return {
      line: endLine,
      message: `the file ends before <${unclosed[1]}> (line ${error.line}) is closed: expected </${unclosed[1]}> (is the file cut short?)`,
    };
  }
  // Several unclosed tags: the validator lists them, at line 1, as JSON.
  const many = /^Invalid '(\[.*\])' found\.$/.exec(error.msg);
  if (many) {
    const open = (JSON.parse(many[1]!) as string[]).reverse();
    return {
      line: endLine,
      message: `the file ends inside ${open.map((name) => `<${name}>`).join(' inside ')}: expected ${open.map((name) => `</${name}>`).join(', then ')} (is the file cut short?)`,
    };
  }
  const character = /^char '(.)' is not expected\.$/.exec(error.msg);
  if (character?.[1] === '&') {
    return { line: error.line, message: 'a "&" that starts no entity: write "&amp;" for "&"' };
  }
  if (character) {
    return { line: error.line, message: `expected an element (<config>), found "${character[1]}"` };
  }
  return { line: error.line, message: error.msg };
}

class ConfigReader {
  constructor(
    private readonly xml: string,
    private readonly file: string,
  ) {}

  read(document: readonly XmlNode[]): KerioConfig {
    const [config] = this.elements(document, null, 'at the top of the file', ['config']);
    if (config === undefined) {
      throw new KerioConfigError(`${this.file}: not a configuration file (no <config> element)`);
    }
    const variables = new Map<string, string>();
    const lists = new Map<string, KerioListItem[]>();
    for (const element of this.elements(config.children, config, 'in <config>', [
      'variable',
      'list',
    ])) {
      const name = this.nameOf(element);
      if (element.name === 'variable') {
        variables.set(name, this.valueOf(element, name));
        continue;
      }
      const where = `in <list name="${name}">`;
      const items = this.elements(element.children, element, where, ['listitem']).map((item) =>
        Object.fromEntries(
          this.elements(item.children, item, `in a <listitem> of <list name="${name}">`, [
            'variable',
          ]).map((variable) => {
            const variableName = this.nameOf(variable);
            return [variableName, this.valueOf(variable, variableName)];
          }),
        ),
      );
      lists.set(name, [...(lists.get(name) ?? []), ...items]);
    }
    return { variables, lists };
  }

  /**
   * The elements among `nodes` (the children of `parent`, or the document's top level), each of
   * them one of `allowed`; comments and white space between them are left out. Text, or an
   * element of another name, is an error at its line.
   */
  private elements(
    nodes: readonly XmlNode[],
    parent: Element | null,
    where: string,
    allowed: readonly string[],
  ): Element[] {
    const expected = `expected ${allowed.map((name) => `<${name}>`).join(' or ')} ${where}`;
    const found: Element[] = [];
    // Text carries no place of its own: it starts after the node before it.
    let after = parent === null ? 0 : this.xml.indexOf('>', parent.start) + 1;
    for (const node of nodes) {
      const name = Object.keys(node).find((key) => key !== ':@')!;
      if (name === '#comment' || (name === '?xml' && parent === null)) {
        after = node[PLACE]?.endIndex ?? after;
        continue;
      }
      if (name === '#text') {
        const text = String(node['#text']);
        if (text.trim() === '') continue;
        this.fail(this.textStart(after), `${expected}, found the text ${quote(text)}`);
      }
      const element = this.element(node, name);
      if (!allowed.includes(name)) this.fail(element.start, `${expected}, found <${name}>`);
      found.push(element);
      after = element.end;
    }
    return found;
  }

  private element(node: XmlNode, name: string): Element {
    const place = node[PLACE];
    return {
      name,
      attributes: node[':@'] ?? {},
      children: (node[name] as XmlNode[] | undefined) ?? [],
      start: place?.startIndex ?? 0,
      end: place?.endIndex ?? 0,
    };
  }

  private nameOf(element: Element): string {
    const name = element.attributes['@name'];
    if (name === undefined || name === '') {
      this.fail(
        element.start,
        `<${element.name}> without a name: expected <${element.name} name="...">`,
      );
    }
    return name;
  }

  /** A variable's text; an element inside it is an error (a value is text only). */
  private valueOf(variable: Element, name: string): string {
    let value = '';
    for (const node of variable.children) {
      if ('#text' in node) value += String(node['#text']);
      else if (!('#comment' in node)) {
        const element = this.element(
          node,
          Object.keys(node).find((key) => key !== ':@')!,
        );
        this.fail(
          element.start,
          `expected text in <variable name="${name}">, found <${element.name}>`,
        );
      }
    }
    return value;
  }

  /** Where text that starts at or after `from` really begins: past white space and comments. */
  private textStart(from: number): number {
    let at = from;
    for (;;) {
      while (at < this.xml.length && /\s/.test(this.xml[at]!)) at++;
      if (!this.xml.startsWith('<!--', at)) return at;
      at = this.xml.indexOf('-->', at) + 3;
    }
  }

  private fail(at: number, message: string): never {
    throw new KerioConfigError(`${this.file}: line ${lineAt(this.xml, at)}: ${message}`);
  }
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1)) {
    line++;
  }
  return line;
}

/** Some text, quoted, and cut short if long: enough to find it in the file. */
function quote(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 40 ? `${trimmed.slice(0, 40)}…` : trimmed);
}

/** Writes entries as a configuration file's text. */
export function formatKerioConfig(entries: readonly KerioConfigEntry[]): string {
  const variable = (name: string, value: string) => ({
    variable: [{ '#text': value }],
    ':@': { '@name': name },
  });
  const nodes = entries.map((entry) => {
    if ('comment' in entry) return { '#comment': [{ '#text': ` ${entry.comment} ` }] };
    if ('variable' in entry) return variable(entry.variable, entry.value);
    return {
      list: entry.items.map((item) => ({
        listitem: Object.entries(item).map(([name, value]) => variable(name, value)),
      })),
      ':@': { '@name': entry.list },
    };
  });
  return builder.build([
    { '?xml': [{ '#text': '' }], ':@': { '@version': '1.0', '@encoding': 'utf-8' } },
    { config: nodes },
  ]) as string;
}
