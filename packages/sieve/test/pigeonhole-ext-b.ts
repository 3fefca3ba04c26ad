// Differential cases of extension batch B (regex, editheader, ...), run by pigeonhole.test.ts
// beside the core's cases.
import type { DifferentialCase } from './pigeonhole-cases.js';

const crlf = (lines: readonly string[]) => lines.join('\r\n');

/** A multipart message with a nested alternative and an attachment (foreverypart, mime). */
export const MULTIPART = crlf([
  'From: a@example.com',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  '--b',
  'Content-Type: text/plain',
  '',
  'hello world',
  '--b',
  'Content-Type: multipart/alternative; boundary=c',
  '',
  '--c',
  'Content-Type: text/plain',
  '',
  'inner',
  '--c',
  'Content-Type: text/html',
  '',
  '<p>html</p>',
  '--c--',
  '--b',
  'Content-Type: application/pdf',
  '',
  'PDF',
  '--b--',
  '',
]);

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
  {
    name: 'editheader: later tests see added and deleted fields',
    script:
      'require ["editheader", "fileinto"];\naddheader "X-Added" "yes";\nif header :is "x-added" "yes" { fileinto "added"; }\ndeleteheader "subject";\nif not exists "subject" { fileinto "deleted"; }\naddheader :last "Subject" "new";\nif header :is "subject" "new" { fileinto "re-added"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'editheader: deleteheader with :index, :last and a match type',
    script:
      'require ["editheader", "fileinto", "relational", "comparator-i;ascii-numeric"];\naddheader "X-T" "a1";\naddheader "X-T" "b2";\naddheader "X-T" "c3";\ndeleteheader :index 1 :last "X-T";\nif header :count "eq" :comparator "i;ascii-numeric" "x-t" "2" { fileinto "two"; }\nif header :is "x-t" "a1" { fileinto "a1-left"; }\ndeleteheader :matches "x-t" "c*";\nif not header :is "x-t" "c3" { fileinto "c3-gone"; }\ndeleteheader :index 1 "x-t";\nif header :count "eq" :comparator "i;ascii-numeric" "x-t" "0" { fileinto "none"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'editheader: Received and Auto-Submitted are never deleted',
    script:
      'require ["editheader", "fileinto"];\ndeleteheader "received";\nif exists "received" { fileinto "still-there"; }\n',
    message: 'Received: from a by b\r\n' + LIST_MESSAGE,
  },
  {
    name: 'enotify: notify keeps, one per recipient, and tests',
    script:
      'require ["enotify", "fileinto"];\nnotify :importance "1" :message "hello" "mailto:alm@example.com";\nnotify "mailto:alm@example.com";\nif valid_notify_method ["mailto:a@example.com", "mailto:b@example.com?subject=x"] { fileinto "valid"; }\nif valid_notify_method "xmpp:tim@example.com" { fileinto "xmpp"; }\nif notify_method_capability "mailto:a@example.com" "online" "maybe" { fileinto "maybe"; }\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'enotify: a bad :importance does not compile',
    script: 'require "enotify";\nnotify :importance "4" "mailto:alm@example.com";\n',
    message: LIST_MESSAGE,
  },
  {
    name: 'foreverypart and extracttext: every part, depth first',
    script:
      'require ["foreverypart", "extracttext", "variables", "fileinto"];\nset "n" "";\nforeverypart { set "n" "${n}x"; extracttext :first 5 "t"; fileinto "p${n}-${t}"; }\n',
    message: MULTIPART,
  },
  {
    name: 'foreverypart: break, named loops, nested loops',
    script:
      'require ["foreverypart", "extracttext", "variables", "fileinto"];\nforeverypart :name "outer" {\n  extracttext "o";\n  if string :is "${o}" "inner" { break :name "outer"; }\n  foreverypart { extracttext :first 5 "i"; fileinto "in-${i}"; break; }\n}\nfileinto "after";\n',
    message: MULTIPART,
  },
  {
    name: 'foreverypart: break outside any loop does not compile (RFC 5703 3.2)',
    script: 'require "foreverypart";\nforeverypart { keep; }\nbreak;\n',
    message: MULTIPART,
  },
  {
    name: 'foreverypart: break naming no enclosing loop does not compile',
    script: 'require "foreverypart";\nforeverypart :name "a" { break :name "b"; }\n',
    message: MULTIPART,
  },
  {
    name: 'extracttext: outside foreverypart does not compile (RFC 5703 7)',
    script: 'require ["foreverypart", "extracttext", "variables"];\nextracttext "t";\n',
    message: MULTIPART,
  },
  {
    name: 'mime: :type, :subtype, :contenttype, :anychild, :param',
    script:
      'require ["mime", "fileinto", "foreverypart", "variables"];\nif header :mime :type "Content-Type" "multipart" { fileinto "multipart"; }\nif header :mime :anychild :contenttype "Content-Type" "text/html" { fileinto "html"; }\nif header :mime :contenttype "Content-Type" "text/html" { fileinto "top-is-html"; }\nif header :mime :subtype "Content-Type" "mixed" { fileinto "mixed"; }\nforeverypart { if header :mime :param "charset" "Content-Type" "us-ascii" { fileinto "ascii"; } }\nif exists :mime :anychild "content-type" { fileinto "exists"; }\n',
    message: MULTIPART.replace(
      'Content-Type: text/html',
      'Content-Type: text/html; charset=us-ascii',
    ),
  },
  {
    name: 'include: personal, global, :optional, :once, return',
    script:
      'require ["include", "fileinto"];\ninclude "ph-inc";\ninclude :global "ph-global";\ninclude :optional "ph-none";\ninclude :once "ph-once";\ninclude :once "ph-once";\nfileinto "main";\n',
    message: LIST_MESSAGE,
    included: {
      'personal:ph-inc':
        'require ["include", "fileinto"];\nfileinto "from-inc";\nreturn;\nfileinto "never";\n',
      'global:ph-global': 'require "fileinto";\nfileinto "from-global";\n',
      'personal:ph-once': 'require "fileinto";\nfileinto "once";\n',
    },
  },
  {
    name: 'include: global variables',
    script:
      'require ["include", "variables", "fileinto"];\nglobal "g";\nset "g" "main";\nset "l" "main";\ninclude "ph-vars";\nfileinto "${g}-${l}";\n',
    message: LIST_MESSAGE,
    included: {
      'personal:ph-vars':
        'require ["include", "variables", "fileinto"];\nglobal "g";\nfileinto "inc-${g}-${l}";\nset "g" "changed";\nset "l" "changed";\n',
    },
  },
  {
    name: 'include: the global. namespace without a declaration (RFC 6609 3.5)',
    script:
      'require ["include", "variables", "fileinto"];\nglobal "d";\nset "d" "declared";\nset "global.u" "undeclared";\ninclude "ph-ns";\nfileinto "${global.u}-${d}-${global.d}";\n',
    message: LIST_MESSAGE,
    included: {
      'personal:ph-ns':
        'require ["include", "variables", "fileinto"];\nfileinto "inc-${global.u}-${global.d}";\nset "global.u" "changed";\nset "global.d" "also";\n',
    },
  },
];
