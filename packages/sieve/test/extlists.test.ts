import { describe, expect, it } from 'vitest';
import type { SieveHost } from '../src/index.js';
import { compileErrors, runWith, summary } from './helpers.js';

const LISTS = new Map<string, readonly string[]>([
  [':addrbook:default', ['coyote@desert.example.org', 'roadrunner@acme.example.com']],
  ['tag:example.com,2009:lists:vip', ['boss@example.org']],
]);

LISTS.set('tag:example.com,2010:lists:friends', [
  'Alice@Example.COM',
  'bob@example.net',
  'Alice@EXAMPLE.com',
]);
LISTS.set(':team', ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test']);
LISTS.set(':broken', ['a@x.test', 'not an address']);

const host: SieveHost = {
  listExists: (list) => LISTS.has(list),
  listMembers: (list) => LISTS.get(list),
  // Addresses compare without regard to case, as an address book would.
  listContains: (list, value) =>
    (LISTS.get(list) ?? []).some((member) => member.toLowerCase() === value.toLowerCase()),
};

const MESSAGE =
  'From: Wile <Coyote@Desert.Example.org>\r\nSubject: hi\r\nX-Spam-Score: 5\r\n\r\nx\r\n';

const run = (script: string, from = 'coyote@desert.example.org') =>
  runWith(script, { message: MESSAGE, envelope: { from, to: 'me@example.com' }, host });

describe('extlists (RFC 6134)', () => {
  it("runs the RFC's example: senders in the address book get a higher spam threshold", () => {
    const script = `require ["envelope", "extlists", "fileinto", "relational", "comparator-i;ascii-numeric"];
if envelope :list "from" ":addrbook:default" {
  if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "8" { fileinto "spam"; }
} elsif header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "3" { fileinto "spam"; }`;
    expect(summary(run(script).actions)).toEqual(['implicit-keep']);
    expect(summary(run(script, 'stranger@example.net').actions)).toEqual(['fileinto:spam']);
  });

  it(':list on address and header tests, any of several lists', () => {
    const result = run(`require ["extlists", "fileinto"];
if address :list "from" ":addrbook:default" { fileinto "known"; }
if address :list "from" ["tag:example.com,2009:lists:vip", ":addrbook:default"] { fileinto "either"; }
if address :list "from" "tag:example.com,2009:lists:vip" { fileinto "vip"; }
if header :list "subject" ":addrbook:nonexistent" { fileinto "nothing"; }`);
    expect(summary(result.actions)).toEqual(['fileinto:known', 'fileinto:either']);
  });

  it('valid_ext_list', () => {
    const result = run(`require ["extlists", "fileinto"];
if valid_ext_list ":addrbook:default" { fileinto "valid"; }
if valid_ext_list [":addrbook:default", ":addrbook:missing"] { fileinto "both"; }`);
    expect(summary(result.actions)).toEqual(['fileinto:valid']);
  });

  it('checks list names at compile time and needs require', () => {
    expect(
      compileErrors('require "extlists";\nif header :list "from" "not a list" { stop; }'),
    ).toEqual([
      "2:24: invalid list name 'not a list': a URI, or a name starting with ':' such as :addrbook:default",
    ]);
    expect(compileErrors('require "extlists";\nif valid_ext_list "" { stop; }')).toEqual([
      "2:19: invalid list name '': a URI, or a name starting with ':' such as :addrbook:default",
    ]);
    expect(compileErrors('if header :list "from" ":addrbook:default" { stop; }')[0]).toBe(
      "1:11: the :list match type of the header test needs the 'extlists' extension: add it to require",
    );
  });

  it('without the host methods no list exists or matches', () => {
    const result = runWith(
      'require ["extlists", "fileinto"];\nif anyof (valid_ext_list ":a", header :list "from" ":a") { fileinto "x"; }',
      { message: MESSAGE },
    );
    expect(summary(result.actions)).toEqual(['implicit-keep']);
  });

  describe('redirect :list (RFC 6134 2.5)', () => {
    it('redirects to every member of the list, once per address', () => {
      const result = run(`require "extlists";
if header :contains "subject" "hi" { redirect :list "tag:example.com,2010:lists:friends"; }`);
      // The domain compares without case, so the third member is the first one again.
      expect(summary(result.actions)).toEqual([
        'redirect:Alice@example.com',
        'redirect:bob@example.net',
      ]);
    });

    it('takes redirect tags (:copy keeps the message) and a list name from a variable', () => {
      const result = run(`require ["extlists", "copy", "variables"];
set "l" ":addrbook:default";
redirect :copy :list "\${l}";`);
      expect(summary(result.actions)).toEqual([
        'redirect:coyote@desert.example.org',
        'redirect:roadrunner@acme.example.com',
        'implicit-keep',
      ]);
      expect(result.actions.filter((a) => a.type === 'redirect' && a.copy)).toHaveLength(2);
    });

    it('counts each member against the redirect budget (maxRedirects, default 4)', () => {
      const result = run('require "extlists";\nredirect :list ":team";');
      expect(result.status).toBe('error');
      expect(result.error?.message).toBe('number of redirect actions exceeds the limit of 4');
      const wider = runWith('require "extlists";\nredirect :list ":team";', {
        message: MESSAGE,
        host,
        limits: { maxRedirects: 5 },
      });
      expect(summary(wider.actions)).toHaveLength(5);
    });

    it('fails the run for a list the host does not have, or a member that is not an address', () => {
      expect(run('require "extlists";\nredirect :list ":nobody";').error?.message).toBe(
        "redirect :list: there is no list ':nobody'",
      );
      expect(
        runWith('require "extlists";\nredirect :list ":addrbook:default";', { message: MESSAGE })
          .error?.message,
      ).toBe("redirect :list: there is no list ':addrbook:default'");
      expect(run('require "extlists";\nredirect :list ":broken";').error?.message).toBe(
        "redirect address 'not an address' is not a valid address",
      );
    });

    it('checks a constant list name when compiling, and needs extlists', () => {
      expect(compileErrors('require "extlists";\nredirect :list "not a list";')).toEqual([
        "2:16: redirect :list: invalid list name 'not a list': a URI, or a name starting with ':' such as :addrbook:default",
      ]);
      expect(compileErrors('redirect :list ":team";')).not.toEqual([]);
      // With extlists, a redirect without :list is the core's.
      expect(compileErrors('require "extlists";\nredirect "not an address";')).toEqual([
        "2:10: redirect address 'not an address' is not a valid address (local@domain)",
      ]);
      expect(summary(run('require "extlists";\nredirect "x@y.test";').actions)).toEqual([
        'redirect:x@y.test',
      ]);
    });
  });
});
