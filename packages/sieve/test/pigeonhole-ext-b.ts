// Differential cases of extension batch B (regex, editheader, ...), run by pigeonhole.test.ts
// beside the core's cases.
import type { DifferentialCase } from './pigeonhole-cases.js';

const crlf = (lines: readonly string[]) => lines.join('\r\n');

const LIST_MESSAGE = crlf([
  'From: "Wile E. Coyote" <Coyote@Desert.Example.org>',
  'To: me+sieve@company.com',
  'List-Id: Acme users <acme-users.lists.example.org>',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  'X-Spam-Score: 12',
  '',
  'Look, I am sorry about the anvil.',
  '',
]);

export const EXT_B_CASES: readonly DifferentialCase[] = [
  {
    name: 'regex: the draft section 3 example',
    script:
      'require "regex";\nif anyof (not address :regex ["to", "cc", "bcc"] "me(\\\\+.*)?@company\\\\.com", header :regex :comparator "i;octet" "subject" "^[^[:lower:]]+$") { discard; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'regex: groups, leftmost-longest, ${0}',
    script:
      'require ["regex", "variables", "fileinto"];\nif header :regex "Subject" "^\\\\[(.*)\\\\] (.*)$" { fileinto "${1}|${2}|${0}"; }\nif header :regex "List-Id" "<([a-z-]+)\\\\.(lists)" { fileinto "${0}|${1}|${2}"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'regex: an unmatched group and alternation',
    script:
      'require ["regex", "variables", "fileinto"];\nif header :regex "subject" "v(ersion)? ([0-9.]+)|(nothing)" { fileinto "[${1}][${2}][${3}]"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'regex: case under i;ascii-casemap and i;octet',
    script:
      'require ["regex", "fileinto"];\nif header :regex "subject" "VERSION" { fileinto "casemap"; }\nif header :regex :comparator "i;octet" "subject" "VERSION" { fileinto "octet"; }\nif address :regex :domain "from" "^desert\\\\.example\\\\.org$" { fileinto "domain"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'regex: a bad pattern does not compile',
    script: 'require "regex";\nif header :regex "subject" "a(b" { discard; }\n',
    message: LIST_MESSAGE,
  },
];
