import type { SaConfig } from './cf-parser.js';
import { allFromAddresses, headerAddresses } from './message-addresses.js';
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

/** Every address of the header (`get('Name:addr')` in list context), in lower case. */
const lowerCaseAddresses = (view: SaMessageView, header: string) =>
  headerAddresses(view, header).map((address) => address.toLowerCase());

/**
 * `check_freemail_from([pattern])`: a sender address is a free-mail one: any of
 * PerMsgStatus's all_from_addrs (From, Envelope-Sender, Resent-Sender, X-Envelope-From and the
 * envelope's; a Resent-From alone where there is one), so a forged From does not hide a
 * free-mail Return-Path.
 */
export function checkFreemailFrom(args: readonly string[], config: SaConfig) {
  const pattern = patternOf(args[0]);
  if (pattern === undefined) return null;
  const list = freemailListOf(config);
  return (view: SaMessageView): number => {
    const addresses = new Set(allFromAddresses(view).map((address) => address.toLowerCase()));
    for (const address of addresses)
      if (list.isFreemail(address) && (pattern === null || pattern.test(address))) return 1;
    return 0;
  };
}

/** `check_freemail_header(header[, pattern])`: an address of that header is a free-mail one. */
export function checkFreemailHeader(args: readonly string[], config: SaConfig) {
  const header = args[0]?.replace(/:addr$/, '');
  const pattern = patternOf(args[1]);
  if (!header || pattern === undefined) return null;
  const list = freemailListOf(config);
  return (view: SaMessageView): number =>
    lowerCaseAddresses(view, header).some(
      (address) => list.isFreemail(address) && (pattern === null || pattern.test(address)),
    )
      ? 1
      : 0;
}

/**
 * Envelope senders of lists, bounces and robots: their Reply-To differs from From by design,
 * so the Reply-To check skips them (the plugin's `freemail_skip_bulk_envfrom`, on by default).
 */
const BULK_ENVELOPE_FROM =
  /(?:^(?:post|host|domain)master|^double-bounce|^(?:sentto|owner|return|(?:gr)?bounced?)-.+|-(?:request|bounces?|admin|owner)|\b(?:do[._-t]?)?no[._-t]?repl(?:y|ies)|.+=.+)@/i;

/** An address as the plugin's `email_regex` finds one in text (a dotted domain, 2+ letter TLD). */
const ADDRESS =
  /(?<![a-z0-9!#$%&'*+/=?^_`{|}~-])([a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,59}[a-z0-9])?\.){1,4}[a-z]{2,}\b)/gi;
const ADDRESS_SOURCE = ADDRESS.source;
/** Links whose query carries an address, and addresses quoted in `<...>` or before "wrote:". */
const LINK_WITH_ADDRESS = /<?https?:\/\/\S{0,255}(?:@|%40)\S{0,255}/gi;
const QUOTED_ADDRESS = new RegExp(
  `<?(?<!mailto:)${ADDRESS_SOURCE}(?:>|\\s{1,10}(?!(?:fa(?:x|csi)|tel|phone|e?-?mail))[a-z]{2,11}:)`,
  'gi',
);
/** More addresses than these in the body (or free-mail ones) and the body is not compared. */
const MAX_BODY_ADDRESSES = 5;
const MAX_BODY_FREEMAILS = 3;

/**
 * The free-mail addresses the body offers to be answered at: mailto: links and addresses in
 * the text (not those in links, in `<...>`, or quoting who wrote). Null when the body lists so
 * many that it is a directory rather than a reply address.
 */
function bodyFreemails(view: SaMessageView, list: FreemailList): Set<string> | null {
  const seen = new Set<string>();
  for (const link of view.links()) {
    const mailto = /^mailto:([^?\s]+)/i.exec(link.trim());
    if (mailto && seen.size < 20) seen.add(mailto[1]!.toLowerCase());
  }
  for (const paragraph of view.body()) {
    if (seen.size >= 40) break;
    const text = paragraph.replace(LINK_WITH_ADDRESS, ' ').replace(QUOTED_ADDRESS, ' ');
    for (const match of text.matchAll(ADDRESS)) {
      seen.add(match[1]!.toLowerCase());
      if (seen.size >= 40) break;
    }
  }
  const found = new Set<string>();
  let all = 0;
  for (const address of seen) {
    if (++all === MAX_BODY_ADDRESSES) return null;
    if (!list.isFreemail(address)) continue;
    if (found.size + 1 === MAX_BODY_FREEMAILS) return null;
    found.add(address);
  }
  return found;
}

/**
 * `check_freemail_replyto('replyto' | 'reply')`: answers would go to another free-mail address
 * than the one the message is from. 'replyto': From and Reply-To are different free-mail
 * addresses, or Reply-To is a free-mail one and the body gives another. 'reply': the address one
 * would answer (Reply-To, or From without one) is a free-mail one and the body gives another.
 */
export function checkFreemailReplyto(args: readonly string[], config: SaConfig) {
  const what = args[0] ?? 'replyto';
  if (what !== 'replyto' && what !== 'reply') return null;
  const list = freemailListOf(config);
  return (view: SaMessageView): number => {
    const envelopeFrom = (view.header('EnvelopeFrom', 'addr') ?? '').trim();
    if (envelopeFrom !== '' && BULK_ENVELOPE_FROM.test(envelopeFrom)) return 0;
    // Every From and Reply-To address, as the plugin reads them.
    const from = lowerCaseAddresses(view, 'From');
    const replyTo = lowerCaseAddresses(view, 'Reply-To');
    const fromIsFreemail = from.some((address) => list.isFreemail(address));
    const replyToIsFreemail = replyTo.some((address) => list.isFreemail(address));
    const fromNotInReplyTo = !from.some((address) => replyTo.includes(address));
    if (fromIsFreemail && replyToIsFreemail && fromNotInReplyTo) return 1;
    if (what === 'replyto' && !replyToIsFreemail) return 0;
    if (what === 'reply' && replyTo.length > 0 && !replyToIsFreemail) return 0;
    if (what === 'reply' && !fromIsFreemail) return 0;
    const answerTo = what === 'replyto' || replyToIsFreemail ? replyTo : from;
    const body = bodyFreemails(view, list);
    if (!body) return 0;
    for (const address of body) if (answerTo.some((reply) => reply !== address)) return 1;
    return 0;
  };
}
