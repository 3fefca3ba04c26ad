const URI_IN_TEXT = /\b(?:(?:https?|ftp):\/\/|www\.|mailto:)[^\s<>"'`{}|\\^]+/gi;

/**
 * The URIs uri rules test: what the text parts spell out (schemes, `www.` names, `mailto:`) and
 * the HTML links, each once, with `http://` put before a bare `www.` name as SpamAssassin does.
 */
export function extractUris(texts: readonly string[], links: readonly string[]): string[] {
  const found = new Set<string>();
  const add = (uri: string) => {
    const trimmed = uri.trim().replace(/[.,;:!?)\]]+$/, '');
    if (trimmed === '') return;
    found.add(trimmed);
    if (/^www\./i.test(trimmed)) found.add(`http://${trimmed}`);
  };
  for (const link of links) add(link);
  for (const text of texts) for (const match of text.matchAll(URI_IN_TEXT)) add(match[0]);
  return [...found];
}
