/**
 * rules.md's checklist run by our own interpreter, for the conditions and actions its extensions
 * cover so far (the rest run under Pigeonhole in pigeonhole.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { type RuleCondition, type UserRule, rulesToSieve } from '../../src/index.js';
import { run, summary } from '../helpers.js';

function rule(name: string, conditions: RuleCondition[], actions: UserRule['actions']): UserRule {
  return { kind: 'user', name, enabled: true, operator: 'and', conditions, actions };
}

function actionsFor(rules: UserRule[], headers: string, body = 'Text.\r\n'): string[] {
  const message = `From: Sender <s@x.com>\r\nTo: me@company.com\r\n${headers}\r\n${body}`;
  return summary(run(rulesToSieve({ rules }), message).actions);
}

describe('the rule model under our interpreter', () => {
  it('item 6: ? is exactly one character and * any run (RFC 5228 2.7.1)', () => {
    const rules = [
      rule('6', [{ kind: 'subject', match: 'matches', keys: ['Invoice ?-*'] }], { moveTo: 'I' }),
    ];
    expect(actionsFor(rules, 'Subject: Invoice 7-2024\r\n')).toEqual(['fileinto:I']);
    expect(actionsFor(rules, 'Subject: Invoice 12-2024\r\n')).toEqual(['implicit-keep']);
  });

  it('items 1, 2, 5 and 8: subject conditions', () => {
    const x = [
      rule('1', [{ kind: 'subject', match: 'contains', keys: ['X'] }], { moveTo: 'Y', stop: true }),
    ];
    expect(actionsFor(x, 'Subject: re: x marks\r\n')).toEqual(['fileinto:Y']);
    expect(actionsFor(x, 'Subject: =?UTF-8?B?w6lYw6k=?=\r\n')).toEqual(['fileinto:Y']);
    const notAB = [
      rule('5', [{ kind: 'subject', match: 'does-not-contain', keys: ['a', 'b'] }], {
        moveTo: 'N',
      }),
    ];
    expect(actionsFor(notAB, 'Subject: only b\r\n')).toEqual(['implicit-keep']);
    const stars = [
      rule('8', [{ kind: 'subject', match: 'contains', keys: ['*****'] }], { moveTo: 'S' }),
    ];
    expect(actionsFor(stars, 'Subject: [******] cheap\r\n')).toEqual(['fileinto:S']);
    expect(actionsFor(stars, 'Subject: [****] cheap\r\n')).toEqual(['implicit-keep']);
  });

  it('items 3, 4, 7 and 16: addresses, size, order and stop', () => {
    const spamCom = [
      rule('3', [{ kind: 'address', line: 'from', match: 'contains', keys: ['spam.com'] }], {
        discard: true,
      }),
    ];
    expect(
      summary(run(rulesToSieve({ rules: spamCom }), 'From: a@spam.com\r\n\r\nx\r\n').actions),
    ).toEqual(['discard']);
    const cc = [
      rule('4', [{ kind: 'address', line: 'recipient', match: 'contains', keys: ['k@x.com'] }], {
        moveTo: 'K',
      }),
    ];
    expect(actionsFor(cc, 'Cc: k@x.com\r\n')).toEqual(['fileinto:K']);
    expect(actionsFor(cc, 'Bcc: k@x.com\r\n')).toEqual(['implicit-keep']);
    const big = [rule('7', [{ kind: 'size-over', size: 100, unit: 'KB' }], { moveTo: 'Big' })];
    const head = 'From: Sender <s@x.com>\r\nTo: me@company.com\r\n\r\n';
    const sized = (total: number) =>
      summary(run(rulesToSieve({ rules: big }), head + 'x'.repeat(total - head.length)).actions);
    expect(sized(102400)).toEqual(['implicit-keep']);
    expect(sized(102401)).toEqual(['fileinto:Big']);
    const all: RuleCondition[] = [{ kind: 'all-messages' }];
    expect(
      actionsFor(
        [rule('1', all, { moveTo: 'A', stop: true }), rule('2', all, { moveTo: 'B' })],
        '',
      ),
    ).toEqual(['fileinto:A']);
    expect(
      actionsFor([rule('1', all, { moveTo: 'A' }), rule('2', all, { moveTo: 'B' })], ''),
    ).toEqual(['fileinto:A', 'fileinto:B']);
  });
});
