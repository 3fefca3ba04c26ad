import type { SaConfig } from './cf-parser.js';
import type { SaMessageView } from './message-view.js';

/**
 * The FreeMail plugin's header checks: is an address at a free-mail provider listed by
 * `freemail_domains` (wildcards: `*` any label characters, `?` one character), optionally
 * also matching a pattern (`\d@`: a local part ending in a digit). The list is the rule
 * files' own (20_freemail_domains.cf); the plugin's welcome lists are not read.
 */
export interface FreemailList {
  isFreemail(address: string): boolean;
}

const lists = new WeakMap<SaConfig, FreemailList>();

export function freemailListOf(config: SaConfig): FreemailList {
  let list = lists.get(config);
  if (list) return list;
  const exact = new Set<string>();
  const wildcards: RegExp[] = [];
  for (const domain of config.freemailDomains) {
    if (!/[*?]/.test(domain)) exact.add(domain);
    else {
      const source = domain.replace(/\./g, '\\.').replace(/\?/g, '.').replace(/\*/g, '[^.]*');
      wildcards.push(new RegExp(`^(?:${source})$`));
    }
  }
  list = {
    isFreemail(address: string): boolean {
      const at = address.lastIndexOf('@');
      if (at <= 0) return false;
      const domain = address.slice(at + 1).toLowerCase();
      return exact.has(domain) || wildcards.some((pattern) => pattern.test(domain));
    },
  };
  lists.set(config, list);
  return list;
}

/** A pattern argument: only the plain forms the rules use (no Perl-only syntax). */
function patternOf(argument: string | undefined): RegExp | null | undefined {
  if (argument === undefined) return null;
  if (!/^[\w\\@.^$[\]-]*$/.test(argument)) return undefined;
  return new RegExp(argument);
}

/** `check_freemail_from([pattern])`: the From address is a free-mail one. */
export function checkFreemailFrom(args: readonly string[], config: SaConfig) {
  const pattern = patternOf(args[0]);
  if (pattern === undefined) return null;
  const list = freemailListOf(config);
  return (view: SaMessageView): number => {
    // A resent message is from whoever resent it.
    const address = (view.header('Resent-From', 'addr') ?? view.header('From', 'addr') ?? '')
      .trim()
      .toLowerCase();
    return list.isFreemail(address) && (pattern === null || pattern.test(address)) ? 1 : 0;
  };
}

/** `check_freemail_header(header[, pattern])`: that header's address is a free-mail one. */
export function checkFreemailHeader(args: readonly string[], config: SaConfig) {
  const header = args[0]?.replace(/:addr$/, '');
  const pattern = patternOf(args[1]);
  if (!header || pattern === undefined) return null;
  const list = freemailListOf(config);
  return (view: SaMessageView): number => {
    const address = (view.header(header, 'addr') ?? '').trim().toLowerCase();
    return list.isFreemail(address) && (pattern === null || pattern.test(address)) ? 1 : 0;
  };
}
