import {
  type AddressLine,
  type OutOfOfficeRule,
  type Rule,
  type RuleActions,
  type RuleCondition,
  type RuleList,
  type RuleMatch,
  type SpamRule,
  type UserRule,
  OUT_OF_OFFICE_RULE_NAME,
  SPAM_RULE_NAME,
} from './rule-model.js';

/** The first line of every generated script: how `sieveToRules` recognises its own output. */
export const RULES_HEADER =
  '# Mailyard rules v1 (Kerio model). Generated; the "# rule:" lines carry the model.';

/** What starts a rule's marker line; the rest of the line carries name, kind, state, operator. */
export const RULE_MARKER = '# rule:[';

/**
 * Writes a rule list as the user's Sieve script (rules.md 1.9): a header, one `require` naming
 * exactly the capabilities used, then each rule under its marker comment, in order. Custom rules
 * are written back byte for byte. The output is deterministic, so a script this function wrote
 * reads back (`sieveToRules`) to the same list and writes again byte for byte.
 */
export function rulesToSieve(list: RuleList): string {
  const capabilities = new Set(list.extraCapabilities ?? []);
  const blocks = list.rules.map((rule) => ruleToSieve(rule, capabilities));
  const require =
    capabilities.size === 0 ? '' : `require ${stringList([...capabilities].sort())};\n`;
  return `${RULES_HEADER}\n${require}${blocks.join('')}`;
}

/** One rule's text, marker line included; adds the capabilities it uses to `capabilities`. */
export function ruleToSieve(rule: Rule, capabilities: Set<string>): string {
  switch (rule.kind) {
    case 'custom':
      return rule.text.endsWith('\n') ? rule.text : `${rule.text}\n`;
    case 'spam':
      return spamRule(rule, capabilities);
    case 'out-of-office':
      return outOfOfficeRule(rule, capabilities);
    case 'user':
      return userRule(rule, capabilities);
  }
}

/** The marker comment. `]` and `\` in a name are escaped with `\` so the name's end is clear. */
export function markerLine(name: string, fields: string): string {
  return `${RULE_MARKER}${name.replace(/[\\\]]/g, '\\$&')}] ${fields}\n`;
}

function spamRule(rule: SpamRule, capabilities: Set<string>): string {
  capabilities.add('fileinto');
  const tests = [SPAM_TEST];
  if (rule.trustedSenders.length > 0) {
    tests.push(`not address :all :is "from" ${keys(rule.trustedSenders)}`);
  }
  if (rule.trustContacts) {
    capabilities.add('extlists');
    tests.push('not address :all :list "from" ":addrbook:default"');
  }
  const test = tests.length === 1 ? tests[0]! : `allof(${tests.join(', ')})`;
  return (
    markerLine(SPAM_RULE_NAME, `kind=spam enabled=${flag(rule.enabled)}`) +
    `if ${enabledTest(rule.enabled, test)} {\n` +
    `  fileinto ${quoted(rule.folder)};\n` +
    '  stop;\n' +
    '}\n'
  );
}

function outOfOfficeRule(rule: OutOfOfficeRule, capabilities: Set<string>): string {
  capabilities.add('vacation');
  capabilities.add('variables');
  const addresses = rule.addresses.length > 0 ? `:addresses ${stringList(rule.addresses)} ` : '';
  return (
    markerLine(OUT_OF_OFFICE_RULE_NAME, `kind=out-of-office enabled=${flag(rule.enabled)}`) +
    (rule.enabled ? 'set "kerio_ooo" "on";\n' : '') +
    `if ${enabledTest(rule.enabled, NOT_LIST_MAIL)} {\n` +
    '  set "kerio_vacation" "done";\n' +
    `  vacation :days 7 ${addresses}${quoted(rule.text)};\n` +
    '}\n'
  );
}

function userRule(rule: UserRule, capabilities: Set<string>): string {
  const conditions = rule.conditions.map((condition) => conditionTest(condition, capabilities));
  const joined =
    conditions.length === 1
      ? conditions[0]!
      : `${rule.operator === 'and' ? 'allof' : 'anyof'}(${conditions.join(', ')})`;
  return (
    markerLine(rule.name, `enabled=${flag(rule.enabled)} op=${rule.operator}`) +
    `if ${enabledTest(rule.enabled, joined)} {\n` +
    actionLines(rule.actions, capabilities)
      .map((line) => `  ${line}\n`)
      .join('') +
    '}\n'
  );
}

/** The actions in Kerio's fixed order, A1 to A8 (rules.md 1.6 rule 7). */
function actionLines(actions: RuleActions, capabilities: Set<string>): string[] {
  const lines: string[] = [];
  if (actions.moveTo !== undefined) {
    capabilities.add('fileinto');
    lines.push(`fileinto ${quoted(actions.moveTo)};`);
  }
  for (const address of actions.forwardTo ?? []) lines.push(`redirect ${quoted(address)};`);
  if (actions.reject !== undefined) {
    capabilities.add('reject');
    lines.push(`reject ${quoted(actions.reject)};`);
  }
  if (actions.keepInInbox) lines.push('keep;');
  if (actions.discard) lines.push('discard;');
  if (actions.notify !== undefined) {
    capabilities.add('enotify');
    const { address, text } = actions.notify;
    lines.push(`notify :message ${quoted(text)} ${quoted(`mailto:${address}`)};`);
  }
  if (actions.autoreply !== undefined) {
    // Out of office beats a rule's autoreply, and one script sends at most one (RFC 5230 4.7):
    // both are the variables rules.md 2.4 describes.
    capabilities.add('vacation');
    capabilities.add('variables');
    lines.push(
      `if allof(string :is "\${kerio_ooo}" "", string :is "\${kerio_vacation}" "") {`,
      '  set "kerio_vacation" "done";',
      `  vacation :days 7 ${quoted(actions.autoreply)};`,
      '}',
    );
  }
  if (actions.stop) lines.push('stop;');
  return lines;
}

const SPAM_TEST = 'header :is "x-spam-flag" "yes"';
const ATTACHMENT_TEST = 'header :mime :anychild :contains "content-disposition" "attachment"';
/**
 * Out of office answers no mailing list (rules.md 2.3); the runtime adds RFC 3834's checks. One
 * `exists` per header: `exists` with a list is true only when every header is there (RFC 5228
 * 5.5), so rules.md 1.9's `exists ["list-id", "list-post", "list-unsubscribe"]` would answer
 * most list mail (Pigeonhole showed it).
 */
const NOT_LIST_MAIL =
  'not anyof(exists "list-id", exists "list-post", exists "list-unsubscribe", ' +
  'header :is "precedence" ["list", "bulk", "junk"])';

const ADDRESS_HEADERS: Record<AddressLine, string> = {
  recipient: '["to", "cc"]',
  from: '"from"',
  to: '"to"',
  cc: '"cc"',
  sender: '"sender"',
};

const SIZE_SUFFIX = { B: '', KB: 'K', MB: 'M' } as const;

function conditionTest(condition: RuleCondition, capabilities: Set<string>): string {
  switch (condition.kind) {
    case 'address':
      return matchTest(
        condition.match,
        `address :all`,
        `${ADDRESS_HEADERS[condition.line]} ${keys(condition.keys)}`,
      );
    case 'subject':
      return matchTest(condition.match, 'header', `"subject" ${keys(condition.keys)}`);
    case 'has-attachment':
      capabilities.add('mime');
      return ATTACHMENT_TEST;
    case 'size-over':
      return `size :over ${condition.size}${SIZE_SUFFIX[condition.unit]}`;
    case 'spam':
      return SPAM_TEST;
    case 'all-messages':
      return 'true';
  }
}

/** `is not` is `not` around `:is`, and so on (rules.md 1.4). */
function matchTest(match: RuleMatch, test: string, operands: string): string {
  const [negated, tag] = MATCH_FORMS[match];
  return `${negated ? 'not ' : ''}${test} :${tag} ${operands}`;
}

export const MATCH_FORMS: Record<RuleMatch, readonly [negated: boolean, tag: string]> = {
  is: [false, 'is'],
  'is-not': [true, 'is'],
  contains: [false, 'contains'],
  'does-not-contain': [true, 'contains'],
  matches: [false, 'matches'],
  'does-not-match': [true, 'matches'],
};

/** A disabled rule keeps its test behind `false`, so its text survives and any engine compiles it. */
function enabledTest(enabled: boolean, test: string): string {
  return enabled ? test : `allof(false, ${test})`;
}

function flag(value: boolean): string {
  return value ? '1' : '0';
}

function keys(values: readonly string[]): string {
  return values.length === 1 ? quoted(values[0]!) : stringList(values);
}

function stringList(values: readonly string[]): string {
  return `[${values.map(quoted).join(', ')}]`;
}

/** A Sieve quoted string (RFC 5228 2.4.2): only `"` and `\` need a backslash. */
export function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
