/**
 * rules.md 1.9 and the checklist's items 20-22: the rule model and the user's Sieve script
 * convert into each other without loss, and hand-written Sieve survives byte for byte.
 */
import { describe, expect, it } from 'vitest';
import {
  type AddressLine,
  type Rule,
  type RuleActions,
  type RuleCondition,
  type RuleList,
  type RuleMatch,
  type UserRule,
  JUNK_FOLDER,
  RULES_HEADER,
  compileSieve,
  parseScript,
  rulesToSieve,
  sieveToRules,
  validateRules,
} from '../../src/index.js';

const MATCHES: RuleMatch[] = [
  'is',
  'is-not',
  'contains',
  'does-not-contain',
  'matches',
  'does-not-match',
];
const LINES: AddressLine[] = ['recipient', 'from', 'to', 'cc', 'sender'];

/** The 10 conditions, the first six under each of the 6 options. */
function everyCondition(): RuleCondition[] {
  const conditions: RuleCondition[] = [];
  for (const match of MATCHES) {
    for (const line of LINES) conditions.push({ kind: 'address', line, match, keys: ['k@x.com'] });
    conditions.push({ kind: 'subject', match, keys: ['Invoice ?-*', 'a "quoted" \\ word'] });
  }
  conditions.push(
    { kind: 'has-attachment' },
    { kind: 'size-over', size: 100, unit: 'KB' },
    { kind: 'size-over', size: 1024, unit: 'KB' },
    { kind: 'size-over', size: 2, unit: 'MB' },
    { kind: 'size-over', size: 5000, unit: 'B' },
    { kind: 'spam' },
    { kind: 'all-messages' },
  );
  return conditions;
}

/** Every combination of the eight actions that validation accepts. */
function everyValidActionSet(): RuleActions[] {
  const sets: RuleActions[] = [];
  for (let bits = 1; bits < 256; bits++) {
    const has = (n: number) => (bits & (1 << n)) !== 0;
    const actions: RuleActions = {
      ...(has(0) && { moveTo: 'INBOX/Orders' }),
      ...(has(1) && { forwardTo: ['a@ext.com', 'b@ext.com'] }),
      ...(has(2) && { reject: 'Go away.' }),
      ...(has(3) && { keepInInbox: true }),
      ...(has(4) && { discard: true }),
      ...(has(5) && {
        notify: { address: 'phone@sms.example', text: 'New: $subject$ / $text[10]$' },
      }),
      ...(has(6) && { autoreply: 'I read mail on Mondays.\r\nReally.' }),
      ...(has(7) && { stop: true }),
    };
    const rule: UserRule = { ...userRule('r'), actions };
    if (validateRules({ rules: [rule] }).length === 0) sets.push(actions);
  }
  return sets;
}

function userRule(name: string, overrides: Partial<UserRule> = {}): UserRule {
  return {
    kind: 'user',
    name,
    enabled: true,
    operator: 'and',
    conditions: [{ kind: 'subject', match: 'contains', keys: ['X'] }],
    actions: { moveTo: 'Y', stop: true },
    ...overrides,
  };
}

const SPAM: Rule = {
  kind: 'spam',
  enabled: true,
  folder: JUNK_FOLDER,
  trustedSenders: ['boss@partner.com'],
  trustContacts: false,
};
const OUT_OF_OFFICE: Rule = {
  kind: 'out-of-office',
  enabled: true,
  text: 'I am out of the office.',
  addresses: ['jsmith@company.com', 'john.smith@company.com'],
};

function roundTrips(list: RuleList): void {
  const script = rulesToSieve(list);
  const back = sieveToRules(script);
  expect(back).toEqual(list);
  expect(rulesToSieve(back)).toBe(script);
}

describe('rules -> Sieve -> rules', () => {
  it('keeps every condition under every option with every valid set of actions (item 21)', () => {
    const actionSets = everyValidActionSet();
    // 256 subsets less the empty one, Keep alone, Keep with Discard, Reject with Autoreply.
    expect(actionSets.length).toBe(255 - 1 - 64 - 64 + 16);
    let rules = 0;
    for (const condition of everyCondition()) {
      for (const actions of actionSets) {
        roundTrips({ rules: [userRule('r', { conditions: [condition], actions })] });
        rules++;
      }
    }
    expect(rules).toBe(everyCondition().length * actionSets.length);
  });

  it('keeps and/or, several conditions, names with ] and \\, and the order of rules', () => {
    const list: RuleList = {
      rules: [
        SPAM,
        OUT_OF_OFFICE,
        userRule('Orders [new] \\ old', {
          operator: 'or',
          conditions: [
            { kind: 'address', line: 'to', match: 'contains', keys: ['orders@company.com'] },
            { kind: 'subject', match: 'contains', keys: ['order'] },
          ],
          actions: { moveTo: 'Orders', keepInInbox: true },
        }),
        userRule('Big', {
          conditions: [{ kind: 'size-over', size: 10, unit: 'MB' }, { kind: 'has-attachment' }],
          actions: { discard: true },
        }),
      ],
    };
    roundTrips(list);
  });

  it('writes a disabled rule behind allof(false, ...) and keeps it (item 20)', () => {
    const list: RuleList = {
      rules: [
        { ...SPAM, enabled: false },
        { ...OUT_OF_OFFICE, enabled: false },
        userRule('Off', {
          enabled: false,
          operator: 'or',
          conditions: [{ kind: 'spam' }, { kind: 'all-messages' }],
        }),
      ],
    };
    const script = rulesToSieve(list);
    expect(script).toContain('if allof(false, anyof(header :is "x-spam-flag" "yes", true)) {');
    expect(script).not.toContain('set "kerio_ooo"');
    roundTrips(list);
  });

  it('writes rules.md 1.9 for its example (with one fix)', () => {
    const script = rulesToSieve({
      rules: [
        SPAM,
        OUT_OF_OFFICE,
        userRule('Drop all messages from the spam.com domain', {
          conditions: [{ kind: 'address', line: 'from', match: 'contains', keys: ['spam.com'] }],
          actions: { discard: true },
        }),
      ],
    });
    expect(script).toBe(
      [
        RULES_HEADER,
        'require ["fileinto", "vacation", "variables"];',
        '# rule:[Spam] kind=spam enabled=1',
        'if allof(header :is "x-spam-flag" "yes", not address :all :is "from" "boss@partner.com") {',
        '  fileinto "Junk E-mail";',
        '  stop;',
        '}',
        '# rule:[Out of office] kind=out-of-office enabled=1',
        'set "kerio_ooo" "on";',
        // One exists per header: rules.md's `exists [list]` needs all three (RFC 5228 5.5).
        'if not anyof(exists "list-id", exists "list-post", exists "list-unsubscribe", header :is "precedence" ["list", "bulk", "junk"]) {',
        '  set "kerio_vacation" "done";',
        '  vacation :days 7 :addresses ["jsmith@company.com", "john.smith@company.com"] "I am out of the office.";',
        '}',
        '# rule:[Drop all messages from the spam.com domain] enabled=1 op=and',
        'if address :all :contains "from" "spam.com" {',
        '  discard;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('writes the checklist forms (items 1, 4, 5, 7, 8, 9, 12, 14, 15)', () => {
    const sieve = (rule: UserRule) => rulesToSieve({ rules: [rule] });
    expect(sieve(userRule('1'))).toContain(
      'if header :contains "subject" "X" {\n  fileinto "Y";\n  stop;\n}',
    );
    expect(
      sieve(
        userRule('4', {
          conditions: [
            { kind: 'address', line: 'recipient', match: 'contains', keys: ['k@x.com'] },
          ],
        }),
      ),
    ).toContain('address :all :contains ["to", "cc"] "k@x.com"');
    expect(
      sieve(
        userRule('5', {
          conditions: [{ kind: 'subject', match: 'does-not-contain', keys: ['a', 'b'] }],
        }),
      ),
    ).toContain('not header :contains "subject" ["a", "b"]');
    expect(
      sieve(userRule('7', { conditions: [{ kind: 'size-over', size: 100, unit: 'KB' }] })),
    ).toContain('size :over 100K');
    expect(
      sieve(
        userRule('8', { conditions: [{ kind: 'subject', match: 'matches', keys: ['\\*\\*\\*'] }] }),
      ),
    ).toContain('header :matches "subject" "\\\\*\\\\*\\\\*"');
    expect(sieve(userRule('9', { conditions: [{ kind: 'spam' }] }))).toContain(
      'header :is "x-spam-flag" "yes"',
    );
    expect(sieve(userRule('12', { actions: { moveTo: 'Y', keepInInbox: true } }))).toContain(
      '  fileinto "Y";\n  keep;\n',
    );
    expect(sieve(userRule('14', { actions: { forwardTo: ['a@ext.com'] } }))).toContain(
      '  redirect "a@ext.com";\n',
    );
    expect(sieve(userRule('15', { actions: { reject: 'No.' } }))).toMatch(
      /^require \["reject"\];$/m,
    );
  });

  it('writes scripts our own compiler accepts, requiring exactly what they use', () => {
    const script = rulesToSieve({
      rules: [userRule('1'), userRule('2', { actions: { discard: true } })],
    });
    expect(script).toMatch(/^require \["fileinto"\];$/m);
    expect(parseScript(script).diagnostics).toEqual([]);
    const compiled = compileSieve(script);
    expect(compiled.errors).toEqual([]);
  });
});

describe('Sieve that is not in the model', () => {
  it('keeps a hand-edited rule as custom, byte for byte, where it stood (item 22)', () => {
    const generated = rulesToSieve({ rules: [userRule('A'), userRule('B')] });
    const edited = generated
      .replace('require ["fileinto"];', 'require ["body", "fileinto"];')
      .replace(
        'if header :contains "subject" "X" {\n  fileinto "Y";\n  stop;\n}\n# rule:[B]',
        'if body :contains "invoice" {   # hand made\n  fileinto "Y";\n}\n# rule:[B]',
      );
    const list = sieveToRules(edited);
    expect(list.rules.map((rule) => rule.kind)).toEqual(['custom', 'user']);
    expect(list.rules[0]).toEqual({
      kind: 'custom',
      text: '# rule:[A] enabled=1 op=and\nif body :contains "invoice" {   # hand made\n  fileinto "Y";\n}\n',
    });
    expect(list.extraCapabilities).toEqual(['body']);
    expect(rulesToSieve(list)).toBe(edited);
  });

  it('reads a script written by hand, without markers, as one custom rule and keeps its requires', () => {
    const script =
      'require "fileinto";\r\nrequire ["imap4flags"];\r\nif header :is "x-a" "b" { addflag "\\\\Seen"; fileinto "A"; }\r\n';
    const list = sieveToRules(script);
    expect(list).toEqual({
      rules: [
        {
          kind: 'custom',
          text: 'if header :is "x-a" "b" { addflag "\\\\Seen"; fileinto "A"; }\r\n',
        },
      ],
      extraCapabilities: ['fileinto', 'imap4flags'],
    });
    const written = rulesToSieve(list);
    expect(written).toBe(
      `${RULES_HEADER}\nrequire ["fileinto", "imap4flags"];\n${(list.rules[0] as { text: string }).text}`,
    );
    expect(sieveToRules(written)).toEqual(list);
  });

  it('turns a marker whose rule does not read back the same into custom text', () => {
    const cases = [
      '# rule:[x] enabled=1 op=and\nif header :contains "subject" "X" { fileinto "Y"; }\n', // other layout
      '# rule:[x] enabled=1 op=and\nif header :contains "subject" "X" {\n  fileinto "Y";\n}\nkeep;\n',
      '# rule:[x] enabled=1 op=and\nif header :contains "subject" "X" {\n  fileinto "Y"\n', // broken
      '# rule:[Junk] kind=spam enabled=1\nif header :is "x-spam-flag" "yes" {\n  fileinto "Junk E-mail";\n  stop;\n}\n',
      '# rule:[x\n',
      '# rule:[x] enabled=1 op=and\nif size :over 0x10 {\n  discard;\n}\n',
    ];
    for (const text of cases) {
      const list = sieveToRules(`${RULES_HEADER}\n${text}`);
      expect(list.rules).toEqual([{ kind: 'custom', text }]);
      expect(rulesToSieve(list)).toBe(`${RULES_HEADER}\n${text}`);
    }
  });

  it('keeps a marker line inside a multi-line string from cutting the script apart', () => {
    const text = 'if true {\n  reject text:\n# rule:[Fake] enabled=1 op=and\n.\n;\n}\n';
    const script = `${RULES_HEADER}\nrequire ["reject"];\n${text}`;
    const list = sieveToRules(script);
    expect(list.rules.every((rule) => rule.kind === 'custom')).toBe(true);
    expect(rulesToSieve(list)).toBe(script);
  });
});

describe('validateRules', () => {
  const problems = (rule: Rule, others: Rule[] = []) =>
    validateRules({ rules: [...others, rule] }).map((p) => p.message);

  it('refuses Keep in Inbox alone and with Discard, naming the rule (item 13)', () => {
    expect(problems(userRule('Keeper', { actions: { keepInInbox: true } }))).toEqual([
      'Rule "Keeper": "Keep in Inbox" must be combined with another action',
    ]);
    expect(problems(userRule('Both', { actions: { keepInInbox: true, discard: true } }))).toEqual([
      'Rule "Both": "Keep in Inbox" cannot be combined with "Discard the message"',
    ]);
  });

  it('refuses Reject with Autoreply, rules without conditions or actions, empty keys, bad addresses', () => {
    expect(problems(userRule('R', { actions: { reject: 'x', autoreply: 'y' } }))).toEqual([
      'Rule "R": "Reject message" cannot be combined with "Send autoreply" (RFC 5429)',
    ]);
    expect(problems(userRule('E', { conditions: [], actions: {} }))).toEqual([
      'Rule "E": a rule needs at least one condition',
      'Rule "E": a rule needs at least one action',
    ]);
    expect(
      problems(userRule('K', { conditions: [{ kind: 'subject', match: 'is', keys: [] }] })),
    ).toEqual(['Rule "K": a condition has nothing to match']);
    expect(problems(userRule('F', { actions: { forwardTo: ['not an address'] } }))).toEqual([
      'Rule "F": "not an address" is not an email address',
    ]);
    expect(
      problems(userRule('All', { conditions: [{ kind: 'all-messages' }, { kind: 'spam' }] })),
    ).toEqual(['Rule "All": "For all messages" must be the only condition']);
  });

  it('wants unique names and the predefined rules once, before the user rules', () => {
    expect(problems(userRule('a'), [userRule('A')])).toEqual([
      'Rule "a": another rule has the same name',
    ]);
    expect(problems(SPAM, [userRule('a')])).toEqual([
      "The Spam rule must come before the user's rules",
    ]);
    expect(problems(OUT_OF_OFFICE, [OUT_OF_OFFICE])).toEqual([
      'The Out of office rule is in the list twice',
    ]);
  });

  it('refuses text the script could not carry faithfully', () => {
    expect(problems(userRule('V', { actions: { autoreply: 'Hi ${name}' } }))).toEqual([
      'Rule "V": "${" cannot be used in rule text',
    ]);
    expect(problems({ ...OUT_OF_OFFICE, text: 'a\n# rule:[x] enabled=1' })).toEqual([
      'The Out of office rule: a line of text starts like a rule marker',
    ]);
  });
});
