import type { Rule, RuleList, UserRule } from './rule-model.js';

/** A rule the model does not allow, found when a rule list is saved. */
export interface RuleProblem {
  /** The rule's position in the list. */
  readonly index: number;
  /** The message names the rule, so a settings screen can show it as is. */
  readonly message: string;
}

/**
 * Checks a rule list before it is saved (rules.md 1.2-1.6): the combinations Kerio refuses (Keep
 * in Inbox alone or with Discard), the ones Mailyard refuses (Reject with Autoreply, RFC 5429),
 * conditions with nothing to match, unique rule names, the predefined rules once each and ahead
 * of the user's rules, and text the script could not carry faithfully. Returns every problem
 * found; an empty list means the rules can be written.
 */
export function validateRules(list: RuleList): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const names = new Set<string>();
  let sawUserRule = false;
  const seen = { spam: false, 'out-of-office': false };
  list.rules.forEach((rule, index) => {
    const problem = (message: string) => problems.push({ index, message });
    if (rule.kind === 'spam' || rule.kind === 'out-of-office') {
      const title = rule.kind === 'spam' ? 'The Spam rule' : 'The Out of office rule';
      if (seen[rule.kind]) problem(`${title} is in the list twice`);
      if (sawUserRule) problem(`${title} must come before the user's rules`);
      seen[rule.kind] = true;
    }
    if (rule.kind === 'user') {
      sawUserRule = true;
      const name = rule.name.trim().toLowerCase();
      if (names.has(name)) problem(`Rule "${rule.name}": another rule has the same name`);
      names.add(name);
      for (const message of userRuleProblems(rule)) problem(`Rule "${rule.name}": ${message}`);
    }
    for (const text of textsOf(rule)) {
      if (text.includes('${')) problem(`${title(rule)}: "\${" cannot be used in rule text`);
      if (/(^|\n)# rule:\[/.test(text))
        problem(`${title(rule)}: a line of text starts like a rule marker`);
    }
  });
  return problems;
}

function title(rule: Rule): string {
  switch (rule.kind) {
    case 'user':
      return `Rule "${rule.name}"`;
    case 'spam':
      return 'The Spam rule';
    case 'out-of-office':
      return 'The Out of office rule';
    case 'custom':
      return 'Custom Sieve code';
  }
}

function userRuleProblems(rule: UserRule): string[] {
  const problems: string[] = [];
  if (rule.name.trim() === '') problems.push('a rule needs a name');
  if (/[\x00-\x1f\x7f]/.test(rule.name)) problems.push('the name has a control character');
  if (rule.conditions.length === 0) problems.push('a rule needs at least one condition');
  if (rule.conditions.length > 1 && rule.conditions.some((c) => c.kind === 'all-messages')) {
    problems.push('"For all messages" must be the only condition');
  }
  for (const condition of rule.conditions) {
    if (
      (condition.kind === 'address' || condition.kind === 'subject') &&
      condition.keys.length === 0
    ) {
      problems.push('a condition has nothing to match');
    }
    if (
      condition.kind === 'size-over' &&
      !(Number.isSafeInteger(condition.size) && condition.size >= 0)
    ) {
      problems.push('the message size must be a whole number');
    }
  }
  const actions = rule.actions;
  const taken = [
    actions.moveTo !== undefined,
    (actions.forwardTo ?? []).length > 0,
    actions.reject !== undefined,
    actions.keepInInbox === true,
    actions.discard === true,
    actions.notify !== undefined,
    actions.autoreply !== undefined,
    actions.stop === true,
  ].filter(Boolean).length;
  if (taken === 0) problems.push('a rule needs at least one action');
  if (actions.keepInInbox && taken === 1) {
    problems.push('"Keep in Inbox" must be combined with another action');
  }
  if (actions.keepInInbox && actions.discard) {
    problems.push('"Keep in Inbox" cannot be combined with "Discard the message"');
  }
  if (actions.reject !== undefined && actions.autoreply !== undefined) {
    problems.push('"Reject message" cannot be combined with "Send autoreply" (RFC 5429)');
  }
  if (actions.moveTo !== undefined && actions.moveTo.trim() === '') {
    problems.push('"Move the message" needs a folder');
  }
  for (const address of [
    ...(actions.forwardTo ?? []),
    ...(actions.notify ? [actions.notify.address] : []),
  ]) {
    if (!PLAIN_ADDRESS.test(address)) problems.push(`"${address}" is not an email address`);
  }
  return problems;
}

/** local@domain, without what a mailto: URI or an SMTP path would need escaped. */
const PLAIN_ADDRESS = /^[^\s@"<>()[\]\\,;:?#%&]+@[^\s@"<>()[\]\\,;:?#%&]+$/;

function textsOf(rule: Rule): string[] {
  switch (rule.kind) {
    case 'user': {
      const { actions } = rule;
      return [
        ...rule.conditions.flatMap((c) => ('keys' in c ? c.keys : [])),
        actions.moveTo ?? '',
        actions.reject ?? '',
        actions.notify?.text ?? '',
        actions.autoreply ?? '',
      ];
    }
    case 'spam':
      return [rule.folder, ...rule.trustedSenders];
    case 'out-of-office':
      return [rule.text, ...rule.addresses];
    case 'custom':
      return [];
  }
}
