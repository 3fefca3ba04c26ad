/**
 * What each package's README example prints, line by line (a pattern where a line varies from
 * run to run). Read by the package's own README test, which runs the example against the source,
 * and by the pack-and-install test, which runs it under plain node against the packed tarball:
 * one promise, checked both ways.
 */
export const README_OUTPUTS = {
    '@mailyard/access-policy': [
        'true true false',
        'false true',
        'false',
        'false',
        'true',
        'true',
        'false',
    ],
    '@mailyard/imap-core': ['* 1 FETCH (ENVELOPE (NIL "Hello" NIL NIL NIL NIL NIL NIL NIL NIL))'],
    '@mailyard/kmsrecover-format': ['true true', 'Hi'],
    '@mailyard/managesieve': [
        'OK "Logged in" | OK "Putscript completed" | OK "Setactive completed" | OK "Logout completed"',
        "{ name: 'main', content: 'keep;' }",
    ],
    '@mailyard/mailstore-fs': ['Hi', /\/mail\/example\.com\/alice\/INBOX\/#msgs\/00000001\.eml$/],
    '@mailyard/mailstore-interface': ['Hello', 'change: flags', "[ '\\\\Seen' ]", 'true'],
    '@mailyard/mailstore-postgres': ['Hi'],
    '@mailyard/mime': [
        '{',
        "  type: 'mailbox',",
        "  rawName: '=?utf-8?q?J=C3=B6rg?=',",
        "  name: 'Jörg',",
        '  route: null,',
        "  localPart: 'joerg',",
        "  domain: 'example.com',",
        "  address: 'joerg@example.com'",
        '}',
        '[["text","plain",["charset","utf-8"],null,null,"7bit",13,0,null,null,null,null],["application","pdf",["name","report.pdf"],null,null,"7bit",8,null,null,null,null],"mixed",["boundary","b"],null,null,null]',
        '[null,"Report",[["=?utf-8?q?J=C3=B6rg?=",null,"joerg","example.com"]],[["=?utf-8?q?J=C3=B6rg?=",null,"joerg","example.com"]],[["=?utf-8?q?J=C3=B6rg?=",null,"joerg","example.com"]],null,null,null,null,null]',
        '%PDF-1.4',
        'Report',
    ],
    '@mailyard/node-listeners': ['smtp submission'],
    '@mailyard/pop3-core': ['1 message, 22 octets', 'Subject: Hi'],
    '@mailyard/sasl': ['SCRAM-SHA-256 SCRAM-SHA-1 LOGIN PLAIN', 'logged in as alice@example.com'],
    '@mailyard/sieve': [
        '0',
        'completed fileinto',
        'lists.acme-users',
        '1:4 the header test needs 2 positional arguments (header-names, key-list), found 1',
    ],
    '@mailyard/spam-scoring': [
        'tag 5.5',
        'CUSTOM_RULE_1=1 CHEAP_PILLS=4.5',
        'Yes, score=5.50 required=5.00 tests=CUSTOM_RULE_1,CHEAP_PILLS',
        '"*SPAM* "',
    ],
    '@mailyard/smtp-core': [
        /^stored \d+ octets for bob@example\.com$/,
        'bob@example.com delivered 250 2.0.0',
        'eve@elsewhere.test failed 554 5.7.1',
    ],
};
//# sourceMappingURL=readme-outputs.js.map