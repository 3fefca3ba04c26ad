import { compileStopwordRegex } from '../bayes/bayes-stopwords.js';
import { type SenderLists, applyListDirective, emptySenderLists } from './sender-lists.js';
import { type CfEnvironment, evaluateCondition } from './cf-condition.js';
import { asciiLowerCase } from './octet-text.js';

/** The rule kinds SpamAssassin's core and the MIMEHeader plugin define. */
export type SaRuleKind = 'header' | 'body' | 'rawbody' | 'uri' | 'full' | 'meta' | 'mimeheader';

export interface SaRuleDefinition {
  readonly name: string;
  readonly kind: SaRuleKind;
  /** Everything after the name: the match operator, the header test or the meta expression. */
  readonly spec: string;
  /** Where it was defined (the last definition wins, as in SpamAssassin). */
  readonly file: string;
  readonly line: number;
}

/** A rule file set read into plain data: no regex compiled yet. */
export interface SaConfig {
  readonly rules: Map<string, SaRuleDefinition>;
  /** `score NAME s0 [s1 s2 s3]`: one value, or the four score sets. */
  readonly scores: Map<string, readonly number[]>;
  readonly descriptions: Map<string, string>;
  readonly tflags: Map<string, readonly string[]>;
  readonly replaceTags: Map<string, string>;
  readonly replacePre: Map<string, string>;
  readonly replacePost: Map<string, string>;
  readonly replaceInter: Map<string, string>;
  readonly replaceRules: Set<string>;
  /** `required_score`, when a file sets it. */
  requiredScore: number | null;
  /** The FreeMail plugin's `freemail_domains`, lower case (`*` and `?` wildcards kept). */
  readonly freemailDomains: Set<string>;
  /** `bayes_stopword_xx REGEX` (60_bayes_stopwords.cf): each language's regex, the last read. */
  readonly bayesStopwordRegexes: Map<string, string>;
  /** `bayes_stopword_languages`: null when no file sets it (SpamAssassin: `en`); `disable`: []. */
  bayesStopwordLanguages: string[] | null;
  /** `bayes_ignore_header NAME...`: headers Bayes does not read, in lower case (72_active.cf's list). */
  readonly bayesIgnoreHeaders: Set<string>;
  /**
   * `enlist_addrlist (NAME) glob...`: each named list's globs, lower case, as WLBLEval's
   * check_from_in_list / check_replyto_in_list read them (address-lists.ts). SpamAssassin 4.0.1
   * has no `delist_addrlist`: a file that says it is not obeyed there, nor here.
   */
  readonly addressLists: Map<string, Set<string>>;
  /**
   * `enlist_uri_host (NAME) host...` less `delist_uri_host`: each named list's hosts (lower case,
   * the `!` taken off) and whether the host is in the list (true) or excluded from it (`!`).
   */
  readonly uriHostLists: Map<string, Map<string, boolean>>;
  /** RegistryBoundaries' `util_rb_tld`, `util_rb_2tld`, `util_rb_3tld` (registry-boundaries.ts). */
  readonly validTlds: Set<string>;
  readonly twoLevelDomains: Set<string>;
  readonly threeLevelDomains: Set<string>;
  /** `redirector_pattern` match operators as written (redirector-patterns.ts), in file order. */
  readonly redirectorPatterns: string[];
  /** The FromNameSpoof plugin's settings (from-name-spoof.ts). */
  readonly fromNameSpoof: FromNameSpoofSettings;
  /** The welcome and block lists of local.cf (`welcomelist_from`...): sender-lists.ts. */
  readonly senderLists: SenderLists;
  /**
   * `ok_locales`, its words (the last line wins): the charsets of other locales are "faraway"
   * (faraway-charset-eval-tests.ts). SpamAssassin's default, `all`, allows every charset.
   */
  okLocales: readonly string[];
  /** Directives read but not acted on (lists, DNS settings, plugins' own), with their counts. */
  readonly ignored: Map<string, number>;
  /** Lines that could not be read, with where and why; the rest of the file still loads. */
  readonly problems: { file: string; line: number; message: string }[];
}

/** FromNameSpoof.pm's settings, with its defaults (emptySaConfig). */
export interface FromNameSpoofSettings {
  /** `fns_add_addrlist (OWNER) glob...`: addresses to count as the owner's, by owner (lower case). */
  readonly ownerLists: Map<string, Set<string>>;
  /** `fns_extrachars`: how many characters the From name may hold besides its address (50). */
  extraChars: number;
  /** `fns_ignore_dkim`: DKIM signing domains whose mail is not checked (lower case). */
  readonly ignoreDkim: Set<string>;
  /** `fns_ignore_headers`: headers whose presence turns the checks off (names as written). */
  readonly ignoreHeaders: Set<string>;
  /** `fns_check`: check_fromname_spoof's default level, 0, 1 or 2 (1). */
  check: number;
}

/** The plugins SpamAssassin 4.0's default `.pre` files load: `ifplugin` of these is true. */
export const DEFAULT_PLUGINS: ReadonlySet<string> = new Set(
  [
    'Check',
    'HTTPSMismatch',
    'URIDetail',
    'Bayes',
    'BodyEval',
    'DNSEval',
    'HTMLEval',
    'HeaderEval',
    'MIMEEval',
    'RelayEval',
    'URIEval',
    'WLBLEval',
    'VBounce',
    'ImageInfo',
    'FreeMail',
    'AskDNS',
    'MIMEHeader',
    'ReplaceTags',
    'SPF',
    'URIDNSBL',
    'DKIM',
    'AutoLearnThreshold',
    'WelcomeListSubject',
    // Not FromNameSpoof nor Phishing: v342.pre leaves their loadplugin lines commented out, so
    // SpamAssassin 4.0.1 (Debian's too) skips `ifplugin FromNameSpoof` blocks and answers
    // "unknown eval" to check_fromname_*. A caller's environment may add them
    // (from-name-spoof.ts answers as the plugin does once loaded).
    'HashBL',
    'DMARC',
  ].map((name) => `Mail::SpamAssassin::Plugin::${name}`),
);

/**
 * `can(...)` features SpamAssassin 4.0.1 has and Mailyard answers false to, on purpose: none
 * since capture rules were built (capture-rules.ts). The ASN and DecodeShortURLs plugins'
 * features are false in SpamAssassin too (not loaded by default).
 */
export const FEATURES_NOT_BUILT: ReadonlySet<string> = new Set<string>();

export const DEFAULT_ENVIRONMENT: CfEnvironment = {
  version: 4.000001,
  plugins: DEFAULT_PLUGINS,
  // What SpamAssassin 4.0.1 with Debian's init.pre answers (Conf/Parser.pm's
  // cond_clause_can: the sub exists and returns true), but FEATURES_NOT_BUILT.
  features: new Set([
    ...[
      'feature_bug6558_free',
      'feature_welcomelist_blocklist',
      'feature_dns_block_rule',
      'feature_originating_ip_headers',
      'feature_yesno_can_plugin',
      // Only configuration behind these (report templates, DNS ports, TLD lists), read or not.
      'feature_yesno_takes_args',
      'feature_dns_local_ports_permit_avoid',
      'feature_registryboundaries',
      // Debian's init.pre says `enable_compat welcomelist_blocklist`: the old rule names go.
      'compat_welcomelist_blocklist',
      // Bayes.pm reads 60_bayes_stopwords.cf's lists (bayes-stopwords.ts).
      'feature_bayes_stopwords',
      // Named groups set tags that `%{NAME}` templates read (capture-rules.ts).
      'feature_capture_rules',
      'perl_min_version_5010000',
    ].map((name) => `Mail::SpamAssassin::Conf::${name}`),
    ...[
      // Evals written here (body-length-eval-tests.ts, unicode-ratio-eval-tests.ts,
      // ascii-text-eval-tests.ts).
      'BodyEval::has_check_body_length',
      'MIMEEval::has_check_abundant_unicode_ratio',
      'MIMEEval::has_check_for_ascii_text_illegal',
      // Network tests only (`tflags net`), which never fire without the network, as with -L.
      'DKIM::has_arc',
      'SPF::has_check_for_spf_errors',
      'URIDNSBL::has_tflags_domains_only',
      'URIDNSBL::has_uridnsbl_for_a',
    ].map((name) => `Mail::SpamAssassin::Plugin::${name}`),
  ]),
};

const RULE_KINDS = new Set<string>([
  'header',
  'body',
  'rawbody',
  'uri',
  'full',
  'meta',
  'mimeheader',
]);

export function emptySaConfig(): SaConfig {
  return {
    rules: new Map(),
    scores: new Map(),
    descriptions: new Map(),
    tflags: new Map(),
    replaceTags: new Map(),
    replacePre: new Map(),
    replacePost: new Map(),
    replaceInter: new Map(),
    replaceRules: new Set(),
    requiredScore: null,
    freemailDomains: new Set(),
    bayesStopwordRegexes: new Map(),
    bayesStopwordLanguages: null,
    bayesIgnoreHeaders: new Set(),
    addressLists: new Map(),
    uriHostLists: new Map(),
    validTlds: new Set(),
    twoLevelDomains: new Set(),
    threeLevelDomains: new Set(),
    redirectorPatterns: [],
    fromNameSpoof: {
      ownerLists: new Map(),
      extraChars: 50,
      ignoreDkim: new Set(),
      ignoreHeaders: new Set(),
      check: 1,
    },
    senderLists: emptySenderLists(),
    okLocales: ['all'],
    ignored: new Map(),
    problems: [],
  };
}

/**
 * Reads one `.cf` file into `config` (files are read in order, later ones override earlier
 * ones, as SpamAssassin reads its directory). Never throws: a line it cannot read is recorded
 * in `problems` and skipped.
 */
export function parseCfFile(
  config: SaConfig,
  file: string,
  text: string,
  env: CfEnvironment = DEFAULT_ENVIRONMENT,
): void {
  // Each entry: whether this block is active, and whether its parent was.
  const stack: { active: boolean; parent: boolean }[] = [];
  const active = () => stack.length === 0 || stack[stack.length - 1]!.active;
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const lineNumber = index + 1;
    const line = rawLine
      .replace(/(?<!\\)#.*$/, '')
      .replaceAll('\\#', '#')
      .trim();
    if (line === '') return;
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const directive = match[1]!.toLowerCase();
    const rest = match[2]!;
    switch (directive) {
      case 'if':
      case 'ifplugin': {
        const holds =
          directive === 'if'
            ? evaluateCondition(rest, env)
            : env.plugins.has(rest.trim()) ||
              env.plugins.has(`Mail::SpamAssassin::Plugin::${rest.trim()}`);
        stack.push({ active: active() && holds, parent: active() });
        return;
      }
      case 'else': {
        const top = stack[stack.length - 1];
        if (!top) config.problems.push({ file, line: lineNumber, message: 'else without if' });
        else top.active = top.parent && !top.active;
        return;
      }
      case 'endif':
        if (!stack.pop())
          config.problems.push({ file, line: lineNumber, message: 'endif without if' });
        return;
    }
    if (!active()) return;
    const problem = applyDirective(config, directive, rest, file, lineNumber);
    if (problem) config.problems.push({ file, line: lineNumber, message: problem });
  });
  if (stack.length > 0)
    config.problems.push({
      file,
      line: lines.length,
      message: `${stack.length} if block(s) not closed`,
    });
}

function applyDirective(
  config: SaConfig,
  directive: string,
  rest: string,
  file: string,
  line: number,
): string | null {
  const [name = '', ...words] = rest.split(/\s+/);
  const value = rest.slice(name.length).trim();
  if (RULE_KINDS.has(directive)) {
    if (!/^[\w.]+$/.test(name)) return `bad rule name "${name}"`;
    if (value === '') return `${directive} ${name} has no test`;
    config.rules.set(name, { name, kind: directive as SaRuleKind, spec: value, file, line });
    return null;
  }
  switch (directive) {
    case 'score': {
      const numbers = words.map(Number);
      if (numbers.length === 0 || numbers.some((n) => !Number.isFinite(n)))
        return `score ${name}: not a number`;
      config.scores.set(name, numbers);
      return null;
    }
    case 'describe':
      config.descriptions.set(name, value);
      return null;
    case 'tflags':
      config.tflags.set(name, words);
      return null;
    case 'replace_tag':
      config.replaceTags.set(name, value);
      return null;
    case 'replace_pre':
      config.replacePre.set(name, value);
      return null;
    case 'replace_post':
      config.replacePost.set(name, value);
      return null;
    case 'replace_inter':
      config.replaceInter.set(name, value);
      return null;
    case 'replace_rules':
      for (const rule of [name, ...words]) if (rule) config.replaceRules.add(rule);
      return null;
    case 'freemail_domains':
      for (const domain of [name, ...words])
        if (/^[a-zA-Z0-9.*?-]+$/.test(domain)) config.freemailDomains.add(domain.toLowerCase());
      return null;
    case 'required_score':
    case 'required_hits': {
      const required = Number(name);
      if (!Number.isFinite(required)) return `${directive}: not a number`;
      config.requiredScore = required;
      return null;
    }
    case 'bayes_ignore_header': {
      // Conf.pm: every word a header name, kept in lower case.
      const names = rest.split(/\s+/).filter(Boolean);
      if (names.length === 0) return `${directive}: no header name`;
      for (const header of names) config.bayesIgnoreHeaders.add(header.toLowerCase());
      return null;
    }
    case 'bayes_stopword_languages': {
      if (rest.trim() === 'disable') {
        config.bayesStopwordLanguages = [];
        return null;
      }
      const languages = rest
        .toLowerCase()
        .split(/\s*,\s*|\s+/)
        .filter(Boolean);
      if (languages.length === 0) return `${directive}: no language`;
      const bad = languages.find((language) => !/^[a-z]{2}$/.test(language));
      if (bad !== undefined) return `${directive}: "${bad}" is no two-letter language code`;
      config.bayesStopwordLanguages = languages;
      return null;
    }
    case 'enlist_addrlist':
    case 'fns_add_addrlist':
    case 'fns_remove_addrlist': {
      // Conf.pm and FromNameSpoof.pm: `(NAME) word...`, the name in parentheses as written;
      // Perl's lc on the octets of the files lowers the ASCII letters only.
      const listed = NAMED_LIST.exec(rest);
      if (!listed) return `${directive}: no (list name) and value`;
      const globs = asciiLowerCase(listed[2]!).split(/\s+/);
      if (directive === 'enlist_addrlist')
        return addAll(
          mapEntry(config.addressLists, listed[1]!, () => new Set()),
          globs,
        );
      const owners = config.fromNameSpoof.ownerLists;
      const owner = asciiLowerCase(listed[1]!);
      if (directive === 'fns_add_addrlist')
        return addAll(
          mapEntry(owners, owner, () => new Set()),
          globs,
        );
      for (const glob of globs) owners.get(owner)?.delete(glob);
      return null;
    }
    case 'blocklist_uri_host':
    case 'blacklist_uri_host':
    case 'welcomelist_uri_host':
    case 'whitelist_uri_host': {
      // Conf.pm: shorthands for `enlist_uri_host (BLOCK)` and `(WELCOME)`, which
      // check_uri_host_in_blocklist and _welcomelist read.
      const name = /^b/.test(directive) ? 'BLOCK' : 'WELCOME';
      const list = mapEntry(config.uriHostLists, name, () => new Map<string, boolean>());
      for (const host of asciiLowerCase(rest).split(/\s+/).filter(Boolean))
        list.set(host.replace(/^!/, ''), !host.startsWith('!'));
      return null;
    }
    case 'enlist_uri_host': {
      const listed = NAMED_LIST.exec(rest);
      if (!listed) return `${directive}: no (list name) and hosts`;
      const list = mapEntry(config.uriHostLists, listed[1]!, () => new Map<string, boolean>());
      for (const host of asciiLowerCase(listed[2]!).split(/\s+/))
        if (host.startsWith('!')) list.set(host.slice(1), false);
        else list.set(host, true);
      return null;
    }
    case 'delist_uri_host': {
      // The list name is optional: without it, every list made so far.
      const listed = /^(?:\((.+?)\)\s+)?(.+)$/s.exec(rest);
      if (!listed) return `${directive}: no hosts`;
      const names = listed[1] !== undefined ? [listed[1]] : [...config.uriHostLists.keys()];
      const hosts = asciiLowerCase(listed[2]!)
        .split(/\s+/)
        .map((host) => host.replace(/^!/, ''));
      for (const name of names)
        for (const host of hosts) config.uriHostLists.get(name)?.delete(host);
      return null;
    }
    case 'util_rb_tld':
    case 'util_rb_2tld':
    case 'util_rb_3tld': {
      // Conf.pm: one, two or three dot-free labels a word. Without Net::LibIDN (Debian's
      // SpamAssassin has neither), idn_to_ascii only lower-cases the ASCII letters.
      const labels = { util_rb_tld: 1, util_rb_2tld: 2, util_rb_3tld: 3 }[directive];
      const names = rest.split(/\s+/).filter(Boolean);
      if (names.length === 0) return `${directive}: no value`;
      if (names.some((name) => name.split('.').length !== labels || name.split('.').includes('')))
        return `${directive}: not ${labels} label(s) a name`;
      const set =
        labels === 1
          ? config.validTlds
          : labels === 2
            ? config.twoLevelDomains
            : config.threeLevelDomains;
      for (const name of names) set.add(asciiLowerCase(name));
      return null;
    }
    case 'redirector_pattern':
      if (rest.trim() === '') return `${directive}: no value`;
      config.redirectorPatterns.push(rest.trim());
      return null;
    case 'clear_util_rb':
      config.validTlds.clear();
      config.twoLevelDomains.clear();
      config.threeLevelDomains.clear();
      return null;
    case 'fns_extrachars': {
      const chars = Number(name);
      if (name === '' || !Number.isFinite(chars)) return `${directive}: not a number`;
      config.fromNameSpoof.extraChars = chars;
      return null;
    }
    case 'fns_ignore_dkim':
    case 'fns_ignore_headers': {
      const names = rest.split(/\s+/).filter(Boolean);
      if (names.length === 0) return `${directive}: no value`;
      const settings = config.fromNameSpoof;
      if (directive === 'fns_ignore_dkim') addAll(settings.ignoreDkim, names.map(asciiLowerCase));
      else addAll(settings.ignoreHeaders, names);
      return null;
    }
    case 'fns_check':
      if (!/^[012]$/.test(rest.trim())) return `${directive}: not 0, 1 or 2`;
      config.fromNameSpoof.check = Number(rest.trim());
      return null;
    case 'ok_locales': {
      const locales = rest.split(/\s+/).filter(Boolean);
      if (locales.length === 0) return `${directive}: no locale`;
      config.okLocales = locales;
      return null;
    }
    default: {
      const listed = applyListDirective(config.senderLists, directive, rest);
      if (listed !== undefined) return listed;
      // Bayes.pm's parse_config: each word of the value compiled in turn, the last one kept.
      const stopwordLanguage = /^bayes_stopword_([a-z]{2})$/.exec(directive)?.[1];
      if (stopwordLanguage !== undefined) {
        const regex = rest.split(/\s+/).pop() ?? '';
        const compiled = compileStopwordRegex(regex);
        if ('reason' in compiled) return `${directive}: ${compiled.reason}`;
        config.bayesStopwordRegexes.set(stopwordLanguage, regex);
        return null;
      }
      config.ignored.set(directive, (config.ignored.get(directive) ?? 0) + 1);
      return null;
    }
  }
}

/** `(NAME) value`: the named lists' directives (Conf.pm's `^ \( (.+?) \) \s+ (.+) \z`). */
const NAMED_LIST = /^\((.+?)\)\s+(.+)$/s;

function mapEntry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

function addAll(set: Set<string>, values: readonly string[]): null {
  for (const value of values) if (value !== '') set.add(value);
  return null;
}
