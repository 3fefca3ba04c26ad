import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

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

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => name === 'list' || name === 'listitem' || name === 'variable',
});

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  commentPropName: '#comment',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: false,
});

interface VariableNode {
  readonly '@name'?: string;
  readonly '#text'?: string;
}

interface ConfigDocument {
  readonly config?: {
    readonly variable?: readonly VariableNode[];
    readonly list?: readonly {
      readonly '@name'?: string;
      readonly listitem?: readonly { readonly variable?: readonly VariableNode[] }[];
    }[];
  };
}

/** A configuration file that is not well-formed Kerio XML; the message names the file and line. */
export class KerioConfigError extends Error {
  override readonly name = 'KerioConfigError';
}

/** Reads a configuration file's text; `file` names it in errors. */
export function parseKerioConfig(xml: string, file: string): KerioConfig {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new KerioConfigError(`${file}: line ${valid.err.line}: ${valid.err.msg}`);
  }
  const document = parser.parse(xml) as { config?: ConfigDocument['config'] | string };
  if (document.config === undefined) {
    throw new KerioConfigError(`${file}: not a configuration file (no <config> element)`);
  }
  // An empty <config></config> comes back as text: a file with nothing in it.
  const config = typeof document.config === 'object' ? document.config : {};
  const variables = new Map<string, string>();
  for (const node of config.variable ?? []) {
    if (node['@name'] !== undefined) variables.set(node['@name'], String(node['#text'] ?? ''));
  }
  const lists = new Map<string, KerioListItem[]>();
  for (const list of config.list ?? []) {
    if (list['@name'] === undefined) continue;
    const items = (list.listitem ?? []).map((item) =>
      Object.fromEntries(
        (item.variable ?? []).map((node) => [node['@name'] ?? '', String(node['#text'] ?? '')]),
      ),
    );
    lists.set(list['@name'], [...(lists.get(list['@name']) ?? []), ...items]);
  }
  return { variables, lists };
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
