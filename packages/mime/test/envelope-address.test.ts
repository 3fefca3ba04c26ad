import { describe, expect, it } from 'vitest';
import { envelopeAddressList, parseAddressList } from '../src/index.js';

const envelope = (value: string) => envelopeAddressList(parseAddressList(value));

describe('envelopeAddressList', () => {
  it('is NIL for an empty list', () => {
    expect(envelopeAddressList([])).toBeNull();
    expect(envelope('   ')).toBeNull();
  });

  it('writes (name adl mailbox host) per mailbox', () => {
    expect(envelope('"John Doe" <john@example.com>, <@a,@b:c@d>')).toEqual([
      ['John Doe', null, 'john', 'example.com'],
      [null, '@a,@b', 'c', 'd'],
    ]);
  });

  it('opens a group with its name and closes it with an all-NIL address (RFC 9051 7.5.2)', () => {
    expect(envelope('Team: a@b, C <c@d>;, e@f')).toEqual([
      [null, null, 'Team', null],
      [null, null, 'a', 'b'],
      ['C', null, 'c', 'd'],
      [null, null, null, null],
      [null, null, 'e', 'f'],
    ]);
    expect(envelope('undisclosed-recipients:;')).toEqual([
      [null, null, 'undisclosed-recipients', null],
      [null, null, null, null],
    ]);
  });

  it("shows Dovecot's placeholders for what broken syntax left out", () => {
    expect(envelope('@b, foo, <>')).toEqual([
      [null, null, 'MISSING_MAILBOX', 'b'],
      [null, null, 'foo', 'MISSING_DOMAIN'],
      [null, null, 'MISSING_MAILBOX', 'MISSING_DOMAIN'],
    ]);
    expect(envelope('Name <a@b c>')).toEqual([['Name', null, 'a', 'SYNTAX_ERROR']]);
    expect(envelope('Name <@route a@b>')).toEqual([['Name', 'INVALID_ROUTE', 'a', 'b']]);
    expect(envelope('<@a b')).toEqual([[null, 'INVALID_ROUTE', 'b', 'SYNTAX_ERROR']]);
  });

  it('keeps an empty quoted local part as an empty string, not a placeholder', () => {
    expect(envelope('""@b')).toEqual([[null, null, '', 'b']]);
  });

  it('keeps encoded words in names, as IMAP clients decode them', () => {
    expect(envelope('=?utf-8?q?J=C3=B6rg?= <j@x>')).toEqual([
      ['=?utf-8?q?J=C3=B6rg?=', null, 'j', 'x'],
    ]);
  });
});
