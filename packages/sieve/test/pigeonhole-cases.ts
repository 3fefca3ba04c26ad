// Scripts and messages of our own for the differential test against Pigeonhole's sieve-test.
export interface DifferentialCase {
  readonly name: string;
  readonly script: string;
  readonly message: string;
  readonly from?: string;
  readonly to?: string;
  /** Scripts `include` finds, by `personal:NAME` or `global:NAME`. */
  readonly included?: Readonly<Record<string, string>>;
}

const crlf = (lines: readonly string[]) => lines.join('\r\n');

const LIST_MESSAGE = crlf([
  'From: "Wile E. Coyote" <Coyote@Desert.Example.org>',
  'To: roadrunner@acme.example.com, "Acme Sales" <sales@acme.example.com>',
  'Cc: team: beep@example.net, meep@example.net;',
  'List-Id: Acme users <acme-users.lists.example.org>',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  'Received: from a by b',
  'Received: from c by d',
  'X-Spam-Score: 12',
  'X-Count: 007',
  '',
  'Look, I am sorry about the anvil.',
  '',
]);

const ENCODED_MESSAGE = crlf([
  'From: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>',
  'To: bob@example.org',
  'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=',
  '',
  'Hallo.',
  '',
]);

export const PIGEONHOLE_CASES: readonly DifferentialCase[] = [
  { name: 'an empty script keeps', script: '# nothing\n', message: LIST_MESSAGE },
  { name: 'keep', script: 'keep;\n', message: LIST_MESSAGE },
  { name: 'discard', script: 'discard;\n', message: LIST_MESSAGE },
  {
    name: 'fileinto and keep',
    script: 'require "fileinto";\nfileinto "Archive";\nkeep;\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'duplicates are merged',
    script:
      'require "fileinto";\nfileinto "A";\nfileinto "A";\nkeep;\nfileinto "INBOX";\nredirect "x@example.com";\nredirect "x@example.com";\n',
    message: LIST_MESSAGE,
  },
  {
    name: ':matches with match variables',
    script:
      'require ["fileinto", "variables"];\nif header :matches "List-Id" "*<*.lists.*>" { fileinto "lists.${2}"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: ':matches leftmost-shortest',
    script:
      'require ["fileinto", "variables"];\nif header :matches "Subject" "[*] *" { fileinto "${1}/${2}"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'address parts',
    script:
      'require "fileinto";\nif address :domain :is "from" "desert.example.org" { fileinto "domain"; }\nif address :localpart :is "to" "SALES" { fileinto "local"; }\nif address :all :contains "cc" "meep@" { fileinto "group"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'envelope',
    script:
      'require ["envelope", "fileinto"];\nif envelope :is "from" "tim@example.com" { fileinto "from"; }\nif envelope :domain :is "to" "example.net" { fileinto "to"; }\n',
    message: LIST_MESSAGE,
    from: 'tim@example.com',
    to: 'someone@example.net',
  },
  {
    name: 'size, exists, anyof, allof, not',
    script:
      'require "fileinto";\nif size :over 100 { fileinto "big"; }\nif size :under 10 { fileinto "small"; }\nif exists ["List-Id", "Subject"] { fileinto "exists"; }\nif anyof (false, not exists "X-Nope") { fileinto "anyof"; }\nif allof (true, header :contains "subject" "VERSION") { fileinto "allof"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'if, elsif, else and stop',
    script:
      'require "fileinto";\nif header :is "subject" "x" { fileinto "a"; } elsif header :contains "from" "coyote" { fileinto "b"; stop; } else { fileinto "c"; }\nfileinto "d";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'reject',
    script: 'require "reject";\nreject "I do not want it";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'reject conflicts with fileinto',
    script: 'require ["reject", "fileinto"];\nfileinto "A";\nreject "no";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'relational :count and :value',
    script:
      'require ["relational", "comparator-i;ascii-numeric", "fileinto"];\nif header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "two"; }\nif address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "4" { fileinto "four"; }\nif header :value "gt" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto "spam"; }\nif header :value "lt" :comparator "i;ascii-numeric" "x-count" "10" { fileinto "count"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'comparators',
    script:
      'require "fileinto";\nif header :comparator "i;octet" :contains "subject" "VERSION" { fileinto "octet"; }\nif header :comparator "i;ascii-casemap" :contains "subject" "VERSION" { fileinto "casemap"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'variables and modifiers',
    script:
      'require ["variables", "fileinto"];\nset "a" "juMBlEd";\nset :upperfirst :lower "b" "${a}";\nset :length "c" "${a}";\nfileinto "${b}-${c}";\nif string :is "${unknown}" "" { fileinto "empty"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'encoded-character',
    script: 'require ["encoded-character", "fileinto"];\nfileinto "${hex:41 42}${unicode:43}";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'RFC 2047 subjects are decoded',
    script:
      'require "fileinto";\nif header :contains "subject" "Grüße" { fileinto "decoded"; }\nif address :is "from" "joerg@example.com" { fileinto "addr"; }\n',
    message: ENCODED_MESSAGE,
  },
  {
    name: 'wildcards and escapes',
    script:
      'require "fileinto";\nif header :matches "subject" "?acme-users? *" { fileinto "q"; }\nif header :matches "subject" "*\\\\**" { fileinto "star"; }\nif header :matches "subject" "*1.?*" { fileinto "dot"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'too many redirects',
    script:
      'redirect "a@example.com";\nredirect "b@example.com";\nredirect "c@example.com";\nredirect "d@example.com";\nredirect "e@example.com";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'the address test reads only address headers',
    script: 'if address :is "subject" "a@example.com" { discard; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'a compile error',
    script: 'if header :is "subject" { keep; }\n',
    message: LIST_MESSAGE,
  },
];
