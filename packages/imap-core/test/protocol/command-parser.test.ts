import { describe, expect, it } from 'vitest';
import { DEFAULT_PARSER_LIMITS } from '../../src/index.js';
import { parseAll, parseError, parseOne } from './framing.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('parseCommand: the RFCs own examples', () => {
  it('reads the commands without arguments', () => {
    for (const name of ['CAPABILITY', 'NOOP', 'LOGOUT', 'STARTTLS', 'CHECK', 'CLOSE', 'IDLE']) {
      expect(parseOne(`a002 ${name.toLowerCase()}`)).toEqual({ tag: 'a002', name });
    }
    expect(parseOne('A142 EXPUNGE')).toEqual({ tag: 'A142', name: 'EXPUNGE' });
  });

  it('reads LOGIN with atoms, quoted strings and literals', () => {
    expect(parseOne('a001 LOGIN SMITH SESAME')).toEqual({
      tag: 'a001',
      name: 'LOGIN',
      user: 'SMITH',
      password: 'SESAME',
    });
    expect(parseOne('a LOGIN "fred foobar" "pass \\"word\\\\"')).toMatchObject({
      user: 'fred foobar',
      password: 'pass "word\\',
    });
    expect(parseOne('a LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man')).toMatchObject({
      user: 'FRED FOOBAR',
      password: 'fat man',
    });
  });

  it('reads AUTHENTICATE with and without an initial response (SASL-IR)', () => {
    expect(parseOne('a AUTHENTICATE plain')).toEqual({
      tag: 'a',
      name: 'AUTHENTICATE',
      mechanism: 'PLAIN',
    });
    expect(parseOne('a AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=')).toMatchObject({
      initialResponse: 'dGVzdAB0ZXN0AHRlc3Q=',
    });
    expect(parseOne('a AUTHENTICATE PLAIN =')).toMatchObject({ initialResponse: '=' });
    expect(parseError('a AUTHENTICATE PLAIN !!')).toMatch(/initial response/);
  });

  it('reads SELECT with CONDSTORE and QRESYNC parameters', () => {
    expect(parseOne('A142 SELECT INBOX')).toEqual({
      tag: 'A142',
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
    });
    expect(parseOne('a SELECT INBOX (CONDSTORE)')).toMatchObject({ condstore: true });
    expect(
      parseOne('A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))'),
    ).toMatchObject({
      qresync: {
        uidValidity: 67890007,
        modSeq: Number.MAX_SAFE_INTEGER,
        knownUids: {
          type: 'ranges',
          ranges: [
            { start: 41, end: 41 },
            { start: 43, end: 211 },
            { start: 214, end: 541 },
          ],
        },
      },
    });
    expect(
      parseOne(
        'B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979:29997)))',
      ),
    ).toMatchObject({ qresync: { sequenceMatch: { sequences: { type: 'ranges' } } } });
  });

  it('reads CREATE with USE (RFC 6154) and RENAME', () => {
    expect(parseOne('t1 CREATE "Important Messages" (USE (\\Important))')).toEqual({
      tag: 't1',
      name: 'CREATE',
      mailbox: 'Important Messages',
      specialUse: ['\\Important'],
    });
    expect(parseOne('A683 RENAME blurdybloop sarasoop')).toEqual({
      tag: 'A683',
      name: 'RENAME',
      from: 'blurdybloop',
      to: 'sarasoop',
    });
  });

  it('reads LIST, basic and extended (RFC 5258, RFC 5819)', () => {
    expect(parseOne('A101 LIST "" ""')).toMatchObject({
      reference: '',
      patterns: [''],
      extended: false,
    });
    expect(parseOne('A202 LIST ~/Mail/ %')).toMatchObject({
      reference: '~/Mail/',
      patterns: ['%'],
    });
    expect(
      parseOne(
        'A04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))',
      ),
    ).toMatchObject({
      selection: { subscribed: true, recursiveMatch: true },
      returns: { children: true, status: ['MESSAGES', 'UNSEEN'] },
      extended: true,
    });
    expect(parseOne('A05 LIST "" ("INBOX" "Drafts" foo*)')).toMatchObject({
      patterns: ['INBOX', 'Drafts', 'foo*'],
    });
    expect(parseError('a LIST (RECURSIVEMATCH) "" *')).toMatch(/RECURSIVEMATCH/);
  });

  it('reads STATUS and APPEND, MULTIAPPEND and literal8 included', () => {
    expect(parseOne('A042 STATUS blurdybloop (UIDNEXT MESSAGES)')).toMatchObject({
      mailbox: 'blurdybloop',
      items: ['UIDNEXT', 'MESSAGES'],
    });
    const message = 'Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\r\nHello\r\n';
    expect(
      parseOne(
        `A003 APPEND saved-messages (\\Seen) "07-Feb-1994 21:52:25 -0800" {${message.length}}\r\n${message}\r\n`,
      ),
    ).toEqual({
      tag: 'A003',
      name: 'APPEND',
      mailbox: 'saved-messages',
      messages: [
        {
          flags: ['\\Seen'],
          internalDate: Date.UTC(1994, 1, 8, 5, 52, 25),
          internalDateZone: -480,
          content: Buffer.from(message),
          binary: false,
          utf8: false,
        },
      ],
    });
    const multi = parseOne('a APPEND INBOX {1+}\r\nx ($Junk) ~{2+}\r\nyz UTF8 (~{1+}\r\nw)');
    expect(multi).toMatchObject({
      messages: [
        { content: Buffer.from('x'), flags: [] },
        { content: Buffer.from('yz'), flags: ['$Junk'], binary: true },
        { content: Buffer.from('w'), utf8: true },
      ],
    });
    expect(parseError('a APPEND INBOX (\\Recent) {1+}\r\nx')).toBe('Invalid system flag \\RECENT');
    expect(parseError('a APPEND INBOX "31-Feb-2020 00:00:00 +0000" {1+}\r\nx')).toMatch(
      /date-time/,
    );
  });

  it('reads FETCH items, sections, partials, macros and modifiers', () => {
    expect(parseOne('A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])')).toEqual({
      tag: 'A654',
      name: 'FETCH',
      uid: false,
      sequence: { type: 'ranges', ranges: [{ start: 2, end: 4 }] },
      items: [
        { type: 'FLAGS' },
        {
          type: 'BODY[]',
          peek: false,
          section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] },
        },
      ],
      vanished: false,
    });
    expect(parseOne('a FETCH 1 ALL')).toMatchObject({
      items: [
        { type: 'FLAGS' },
        { type: 'INTERNALDATE' },
        { type: 'RFC822.SIZE' },
        { type: 'ENVELOPE' },
      ],
    });
    expect(parseOne('a FETCH * full').name).toBe('FETCH');
    expect(
      parseOne('a UID FETCH 1:* (BODY.PEEK[1.2.MIME]<0.100> BINARY[2] BINARY.SIZE[] UID)'),
    ).toMatchObject({
      uid: true,
      items: [
        {
          type: 'BODY[]',
          peek: true,
          section: { part: [1, 2], text: 'MIME' },
          partial: { start: 0, length: 100 },
        },
        { type: 'BINARY[]', peek: false, part: [2] },
        { type: 'BINARY.SIZE', part: [] },
        { type: 'UID' },
      ],
    });
    expect(parseOne('s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)')).toMatchObject({
      changedSince: 12345,
      vanished: true,
    });
    expect(parseError('a FETCH 1 (ALL)')).toMatch(/Unknown fetch item ALL/);
    expect(parseError('a FETCH 1 BODY[MIME]')).toMatch(/section/);
    expect(parseError('a FETCH 1 (FLAGS) (VANISHED)')).toMatch(/VANISHED/);
    expect(parseError('a FETCH 0 FLAGS')).toMatch(/sequence/);
  });

  it('reads STORE in all its forms', () => {
    expect(parseOne('A003 STORE 2:4 +FLAGS (\\Deleted)')).toMatchObject({
      operation: 'add',
      silent: false,
      flags: ['\\Deleted'],
    });
    expect(parseOne('a STORE 1 -FLAGS.SILENT \\seen $Label1')).toMatchObject({
      operation: 'remove',
      silent: true,
      flags: ['\\Seen', '$Label1'],
    });
    expect(
      parseOne('d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)'),
    ).toMatchObject({ unchangedSince: 320162338 });
    expect(parseError('a STORE 1 FLAGS (\\Recent)')).toBe('Invalid system flag \\RECENT');
  });

  it('reads SEARCH keys into a tree, with CHARSET and RETURN', () => {
    expect(parseOne('A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"')).toEqual({
      tag: 'A282',
      name: 'SEARCH',
      uid: false,
      returns: null,
      charset: null,
      key: {
        type: 'and',
        keys: [
          { type: 'flag', flag: '\\Flagged', set: true },
          {
            type: 'date',
            field: 'internal',
            comparison: 'since',
            date: { year: 1994, month: 2, day: 1 },
          },
          { type: 'not', key: { type: 'header', field: 'from', value: bytes('Smith') } },
        ],
      },
    });
    expect(parseOne('A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nXXXXXXXXXXXX')).toMatchObject({
      charset: 'UTF-8',
      key: { type: 'text' },
    });
    expect(parseOne('A301 UID SEARCH RETURN (MIN COUNT) OR (DELETED) $')).toMatchObject({
      uid: true,
      returns: { min: true, count: true, max: false, all: false, save: false },
      key: {
        type: 'or',
        left: { type: 'flag' },
        right: { type: 'sequence', set: { type: 'saved' } },
      },
    });
    expect(parseOne('a SEARCH MODSEQ "/flags/\\\\draft" all 620162338')).toMatchObject({
      key: { type: 'modseq', modSeq: 620162338, entry: { flag: '\\draft', kind: 'all' } },
    });
    expect(parseOne('a SEARCH YOUNGER 3600 HEADER X-Spam yes 1:* UID 2,4')).toMatchObject({
      key: {
        keys: [
          { type: 'age', comparison: 'younger', seconds: 3600 },
          { type: 'header', field: 'x-spam' },
          { type: 'sequence' },
          { type: 'uid' },
        ],
      },
    });
    expect(parseOne('a SEARCH EMAILID M6d99ac3275bb4e SAVEDBEFORE "1-Jan-2020"')).toMatchObject({
      key: {
        keys: [
          { type: 'emailid', id: 'M6d99ac3275bb4e' },
          { type: 'date', field: 'saved' },
        ],
      },
    });
    expect(parseError('a SEARCH FOO')).toMatch(/Unknown search key/);
    expect(parseError('a SEARCH SINCE 30-Feb-2020')).toMatch(/date/);
  });

  it('reads SORT and THREAD (RFC 5256) and ESORT', () => {
    expect(parseOne('A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994')).toMatchObject({
      criteria: [{ key: 'SUBJECT', reverse: false }],
      charset: 'UTF-8',
    });
    expect(parseOne('a UID SORT RETURN (MIN) (REVERSE DATE FROM) US-ASCII ALL')).toMatchObject({
      uid: true,
      returns: { min: true },
      criteria: [
        { key: 'DATE', reverse: true },
        { key: 'FROM', reverse: false },
      ],
    });
    expect(parseOne('A283 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000')).toMatchObject({
      algorithm: 'REFERENCES',
    });
  });

  it('reads COPY, MOVE, UID EXPUNGE, ENABLE, ID, quota, ACL and COMPRESS commands', () => {
    expect(parseOne('a UID MOVE 42:69 foo')).toMatchObject({
      name: 'MOVE',
      uid: true,
      mailbox: 'foo',
    });
    expect(parseOne('A003 UID EXPUNGE 3000:3002')).toMatchObject({ uids: { type: 'ranges' } });
    expect(parseOne('t2 ENABLE CONDSTORE X-GOOD-IDEA')).toMatchObject({
      capabilities: ['CONDSTORE', 'X-GOOD-IDEA'],
    });
    expect(parseOne('a023 ID ("name" "sodr" "version" "19.34" "vendor" NIL)')).toMatchObject({
      parameters: [
        ['name', 'sodr'],
        ['version', '19.34'],
        ['vendor', null],
      ],
    });
    expect(parseOne('a ID NIL')).toMatchObject({ parameters: null });
    expect(parseOne('S0000 GETQUOTA "!partition/sda4"')).toMatchObject({ root: '!partition/sda4' });
    expect(parseOne('S1 SETQUOTA "" (STORAGE 512 MESSAGE 100)')).toMatchObject({
      resources: [
        { name: 'STORAGE', limit: 512 },
        { name: 'MESSAGE', limit: 100 },
      ],
    });
    expect(parseOne('A035 SETACL INBOX/Drafts John lrQswicda')).toMatchObject({
      identifier: 'John',
      rights: 'lrQswicda',
      mode: 'replace',
    });
    expect(parseOne('a SETACL INBOX Fred -w')).toMatchObject({ rights: 'w', mode: 'remove' });
    expect(parseOne('a LISTRIGHTS ~/Mail/saved smith')).toMatchObject({ name: 'LISTRIGHTS' });
    expect(parseOne('t1 COMPRESS DEFLATE')).toMatchObject({ algorithm: 'DEFLATE' });
  });

  it('reads UTF-8 mailbox names and refuses invalid UTF-8', () => {
    expect(parseOne('a SELECT "Entwürfe"')).toMatchObject({ mailbox: 'Entwürfe' });
    expect(parseError('a SELECT Entwürfe')).toBe('8bit data in atom');
    const bad = Buffer.concat([
      Buffer.from('a SELECT "'),
      Buffer.from([0xff]),
      Buffer.from('"\r\n'),
    ]);
    expect(parseAll(bad)).toEqual([{ error: 'Invalid UTF-8 in argument', tag: 'a' }]);
  });

  it('answers BAD with the tag when it has one, without one when it has not', () => {
    expect(parseAll('a FOO\r\n+x NOOP\r\n(x NOOP\r\n')).toEqual([
      { error: 'Unknown command FOO', tag: 'a' },
      { error: 'Expected a tag', tag: null },
      { error: 'Expected a tag', tag: null },
    ]);
    expect(parseError('a NOOP extra')).toBe('Unexpected extra arguments');
    expect(parseError('a  NOOP')).toMatch(/keyword/);
    expect(parseError('a LOGIN "unterminated')).toMatch(/Unterminated/);
    expect(parseError('a LOGIN "bad\\escape" x')).toMatch(/escape/);
  });

  it('stops at the nesting and argument limits', () => {
    const over = DEFAULT_PARSER_LIMITS.maxNestingDepth + 1;
    const deep = `a SEARCH ${'('.repeat(over)}ALL${')'.repeat(over)}`;
    expect(parseError(deep)).toBe('Nested too deeply');
    // NOT and OR nest too, with the parentheses: one limit on the depth of the tree.
    expect(parseError(`a SEARCH ${'NOT '.repeat(over)}ALL`)).toBe('Nested too deeply');
    expect(parseError(`a SEARCH ${'OR ('.repeat(Math.ceil(over / 2))}ALL`)).toBe(
      'Nested too deeply',
    );
    const many = `a SEARCH ${Array.from({ length: 10_001 }, () => 'ALL').join(' ')}`;
    expect(parseError(many)).toBe('Too many arguments');
  });
});
