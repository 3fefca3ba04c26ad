import { describe, expect, it } from 'vitest';
import { ruleFirer } from './helpers.js';

const fire = ruleFirer(
  [
    "body SPACE_RATIO eval:tvd_vertical_words('0','10')",
    "body SPACED_OUT eval:tvd_vertical_words('50','100')",
    "header LOCALPART_IN_SUBJECT eval:check_for_to_in_subject('user')",
    "header ADDRESS_IN_SUBJECT eval:check_for_to_in_subject('address')",
  ].join('\n'),
);
const fired = (headers: string[], body = 'An ordinary sentence with its spaces in place.') =>
  fire(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`);

describe('tvd_vertical_words', () => {
  it('fires when no paragraph has even one space in ten', () => {
    expect(fired(['Subject: x'], 'clickhere-now-for-the-cheapest-offer')).toEqual(['SPACE_RATIO']);
    // Lines of a paragraph are joined with a space, as SpamAssassin renders the body.
    expect(fired(['Subject: x'], 'Buy\r\nnow\r\ncheapest')).toEqual([]);
  });

  it('not on ordinary text, nor on paragraphs of 5 characters or less', () => {
    expect(fired(['Subject: x'])).toEqual([]);
    expect(fired(['Subject: x'], 'abc')).toEqual([]);
  });

  it('a max of 100 reaches 100: words spread out letter by letter', () => {
    // Whitespace runs are squeezed: 8 spaces to 9 letters, 88.
    expect(fired(['Subject: x'], 'F  R  E  E    m  o  n  e  y')).toEqual(['SPACED_OUT']);
  });

  it('reads the Subject as the first paragraph', () => {
    expect(fired(['Subject: an ordinary subject line'], 'abc')).toEqual([]);
  });
});

describe('check_for_to_in_subject', () => {
  it("fires on a Subject that is the recipient's mailbox name, or starts by calling them", () => {
    expect(fired(['To: john@example.com', 'Subject: john'])).toEqual(['LOCALPART_IN_SUBJECT']);
    expect(fired(['To: john@example.com', 'Subject: Re: hello John'])).toEqual([
      'LOCALPART_IN_SUBJECT',
    ]);
    expect(fired(['To: john@example.com', 'Subject: john, your account'])).toEqual([
      'LOCALPART_IN_SUBJECT',
    ]);
  });

  it('the name followed by a comma only as written (that branch is case-sensitive)', () => {
    expect(fired(['To: john@example.com', 'Subject: JOHN, your account'])).toEqual([]);
  });

  it('not when the name is only somewhere in the Subject, nor without a To', () => {
    expect(fired(['To: john@example.com', 'Subject: news for john and friends'])).toEqual([]);
    expect(fired(['Subject: john'])).toEqual([]);
  });

  it("'address' looks for the whole address as a word", () => {
    expect(fired(['To: john@example.com', 'Subject: Offer for john@example.com today'])).toEqual([
      'ADDRESS_IN_SUBJECT',
    ]);
    expect(fired(['To: j.o@example.com', 'Subject: jxo@example.com'])).toEqual([]);
  });

  it('finds the name or address in any case where the pattern is caseless', () => {
    expect(fired(['To: John@example.com', 'Subject: JOHN'])).toEqual(['LOCALPART_IN_SUBJECT']);
    expect(fired(['To: john@example.com', 'Subject: fw: Mr JoHn'])).toEqual([
      'LOCALPART_IN_SUBJECT',
    ]);
    expect(fired(['To: John@Example.com', 'Subject: for JOHN@EXAMPLE.COM'])).toEqual([
      'ADDRESS_IN_SUBJECT',
    ]);
  });
});
