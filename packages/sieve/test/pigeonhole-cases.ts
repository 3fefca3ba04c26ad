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

const ODD_MESSAGE = crlf([
  'From: undisclosed-recipients:;',
  'To: "Bob" <bob@example.org>,',
  '  carol@example.org',
  'Subject: na\u00efve caf\u00e9 \u2603 snow',
  'X-Empty:',
  'X-Folded: first',
  '\tsecond',
  'X-Spaces: a',
  '   b',
  'X-Trailing: a ',
  ' b',
  '',
  'Body.',
  '',
]);

const BROKEN_ADDRESSES = crlf([
  'From: not an address',
  'To: a@b.c, bad address, "Q" <q@r.s>',
  'Cc: undisclosed-recipients:;, x@y.z',
  'Bcc: g: ;',
  'Reply-To: <@route:a@b.c>',
  'Sender: =?utf-8?q?J=C3=B6rg?= <j@ex.com>',
  'Resent-To: bob',
  'Resent-Cc: bob, a@b.c',
  'Resent-From: "A" <a@b.c',
  'Subject: x',
  '',
  'body',
  '',
]);

export const MORE_CASES: readonly DifferentialCase[] = [
  {
    name: 'addresses that are not valid',
    script: [
      'require ["fileinto", "variables", "relational", "comparator-i;ascii-numeric"];',
      'if address :all :matches "from" "*" { fileinto "from-${0}"; }',
      'if address :localpart :matches "from" "*" { fileinto "from-local-${0}"; }',
      'if address :count "eq" :comparator "i;ascii-numeric" "to" "2" { fileinto "to-2"; }',
      'if address :count "eq" :comparator "i;ascii-numeric" "cc" "1" { fileinto "cc-1"; }',
      'if address :all :matches "bcc" "*" { fileinto "bcc-${0}"; }',
      'if address :domain :matches "bcc" "*" { fileinto "bcc-domain"; }',
      'if address :all :matches "reply-to" "*" { fileinto "rt-${0}"; }',
      'if address :all :matches "sender" "*" { fileinto "sender-${0}"; }',
      'if address :all :matches "resent-to" "*" { fileinto "resent-to-${0}"; }',
      'if address :all :matches "resent-cc" "*" { fileinto "resent-cc-${0}"; }',
      'if address :all :matches "resent-from" "*" { fileinto "resent-from-${0}"; }',
      '',
    ].join('\n'),
    message: BROKEN_ADDRESSES,
  },
  { name: 'discard then keep', script: 'discard;\nkeep;\n', message: LIST_MESSAGE },
  { name: 'keep then discard', script: 'keep;\ndiscard;\n', message: LIST_MESSAGE },
  {
    name: 'keep and fileinto inbox in other case',
    script: 'require "fileinto";\nkeep;\nfileinto "inbox";\nfileinto "Inbox";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'two rejects',
    script: 'require "reject";\nreject "a";\nreject "b";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'reject and discard',
    script: 'require "reject";\ndiscard;\nreject "a";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'reject and redirect',
    script: 'require "reject";\nredirect "x@example.com";\nreject "a";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'redirects differing in case',
    script: 'redirect "x@example.com";\nredirect "X@EXAMPLE.COM";\nredirect "x@Example.com";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'stop in a nested block',
    script:
      'require "fileinto";\nif true { if true { fileinto "a"; stop; } fileinto "b"; }\nfileinto "c";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'match variables survive a failed match',
    script:
      'require ["fileinto", "variables"];\nif header :matches "subject" "[*]*" { set "x" "${1}"; }\nif header :matches "subject" "nope*" { fileinto "no"; }\nfileinto "${1}-${0}-${x}";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'i;ascii-casemap folds ASCII letters only',
    script:
      'require "fileinto";\nif header :contains "subject" "CAFÉ" { fileinto "folded"; }\nif header :contains "subject" "CAFé" { fileinto "ascii"; }\n',
    message: ODD_MESSAGE,
  },
  {
    name: 'empty and missing headers',
    script:
      'require "fileinto";\nif header :is "x-empty" "" { fileinto "empty-is"; }\nif header :contains "x-missing" "" { fileinto "missing-contains"; }\nif exists "x-empty" { fileinto "empty-exists"; }\nif header :matches "x-empty" "*" { fileinto "empty-star"; }\n',
    message: ODD_MESSAGE,
  },
  {
    name: 'folded headers are unfolded',
    script:
      'require ["fileinto", "variables"];\nif header :is "x-folded" "first second" { fileinto "space"; }\nif header :is "x-folded" "first\tsecond" { fileinto "tab"; }\nif header :matches "x-spaces" "*" { fileinto "spaces-${0}"; }\nif header :matches "x-trailing" "*" { fileinto "trailing-${0}"; }\n',
    message: ODD_MESSAGE,
  },
  {
    name: 'address lists with groups and continuation lines',
    script:
      'require ["fileinto", "relational", "comparator-i;ascii-numeric"];\nif address :count "eq" :comparator "i;ascii-numeric" "to" "2" { fileinto "two"; }\nif address :count "eq" :comparator "i;ascii-numeric" "from" "0" { fileinto "group-empty"; }\nif address :localpart :is "to" "carol" { fileinto "carol"; }\n',
    message: ODD_MESSAGE,
  },
  {
    name: ':value with the default comparator',
    script:
      'require ["fileinto", "relational"];\nif header :value "gt" "subject" "[A" { fileinto "gt"; }\nif header :value "lt" "x-spam-score" "2" { fileinto "lt-text"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'string :count skips empty strings',
    script:
      'require ["fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\nset "e" "";\nif string :count "eq" :comparator "i;ascii-numeric" ["${e}", "a", "", "b"] "2" { fileinto "two"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: ':quotewildcard',
    script:
      'require ["fileinto", "variables"];\nset :quotewildcard "q" "[acme-users]*";\nif header :matches "subject" "${q}" { fileinto "quoted-star"; }\nset "u" "[acme-users]*";\nif header :matches "subject" "${u}" { fileinto "wild-star"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'match variables past ${9}',
    script:
      'require ["variables", "fileinto"];\nif header :matches "subject" "*?*?*?*?*?*?" { fileinto "a${10}b${9}c${11}d${12}e${13}"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'i;ascii-numeric on headers without digits',
    script:
      'require ["fileinto", "relational", "comparator-i;ascii-numeric"];\nif header :value "gt" :comparator "i;ascii-numeric" "subject" "99999" { fileinto "infinity"; }\nif header :is :comparator "i;ascii-numeric" "x-count" "7" { fileinto "seven"; }\n',
    message: LIST_MESSAGE,
  },
];
