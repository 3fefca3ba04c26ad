import { parseHeaders } from '@mailyard/mime';
import {
  type CustomRule,
  type RuleSubject,
  customRuleMatches,
  envelopeSubject,
  headerSubject,
  joinSubjects,
} from '../core/custom-rule.js';
import type { SpamTest, SpamTestContext, TestHit } from '../core/spam-test.js';

/**
 * Kerio's custom rules (13.3) as two tests: the From/To rules at the top of the list run at
 * MAIL/RCPT time against the envelope (a Reject there is the 553 Kerio gives); the rest run after
 * DATA, From and To against the envelope and the headers alike. Rules run top-down; the first
 * Allow or Reject that matches ends the list, score rules add up. Each hit is named
 * `CUSTOM_RULE_<n>` after its 1-based place in the list, so the administrator's "Last Used"
 * column can be kept from the verdicts.
 */
export function customRuleTests(rules: readonly CustomRule[]): SpamTest[] {
  const numbered = rules.map((rule, index) => ({ rule, number: index + 1 }));
  const enabled = numbered.filter(({ rule }) => rule.enabled !== false);
  const firstOther = enabled.findIndex(({ rule }) => !isEnvelopeHeader(rule.header));
  const atSmtp = firstOther < 0 ? enabled : enabled.slice(0, firstOther);
  const afterData = firstOther < 0 ? [] : enabled.slice(firstOther);
  const tests: SpamTest[] = [];
  if (atSmtp.length > 0)
    tests.push({
      name: 'CUSTOM_RULES_SMTP',
      stage: 'envelope',
      kind: 'list',
      run: (context) => evaluate(atSmtp, (rule) => envelopeFor(rule, context), true),
    });
  if (afterData.length > 0)
    tests.push({
      name: 'CUSTOM_RULES',
      stage: 'content',
      kind: 'list',
      run: (context) => {
        const headers = parseHeaders(context.message!.bytes);
        return evaluate(
          afterData,
          (rule) => {
            const inHeader = headerSubject(headers, rule.header);
            return isEnvelopeHeader(rule.header)
              ? joinSubjects(envelopeFor(rule, context), inHeader)
              : inHeader;
          },
          false,
        );
      },
    });
  return tests;
}

function isEnvelopeHeader(header: string): boolean {
  const name = header.toLowerCase();
  return name === 'from' || name === 'to';
}

function envelopeFor(rule: CustomRule, { facts }: SpamTestContext): RuleSubject {
  return rule.header.toLowerCase() === 'from'
    ? envelopeSubject([facts.mailFrom])
    : envelopeSubject(facts.rcptTo);
}

function evaluate(
  rules: readonly { rule: CustomRule; number: number }[],
  subjectOf: (rule: CustomRule) => RuleSubject,
  atSmtp: boolean,
): TestHit[] {
  const hits: TestHit[] = [];
  for (const { rule, number } of rules) {
    if (!customRuleMatches(rule, subjectOf(rule))) continue;
    const name = `CUSTOM_RULE_${number}`;
    const description =
      rule.description || `${rule.header} ${rule.type}${rule.content ? ` ${rule.content}` : ''}`;
    switch (rule.action.kind) {
      case 'score':
        hits.push({ name, effect: 'score', score: rule.action.score, description });
        break;
      case 'allow':
        hits.push({ name, effect: 'allow', score: 0, description });
        return hits;
      case 'reject':
        hits.push({
          name,
          effect: 'block',
          score: 0,
          description,
          ...(atSmtp && {
            reply: {
              code: 553,
              enhanced: '5.7.1',
              text: 'Sender or recipient rejected by custom rule',
            },
          }),
        });
        return hits;
    }
  }
  return hits;
}
