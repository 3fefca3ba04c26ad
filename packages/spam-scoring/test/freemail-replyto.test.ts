import { describe, expect, it } from 'vitest';
import { ruleFirer } from './helpers.js';

const RULES = [
  'freemail_domains hotmail.com yahoo.* gmail.com',
  "header REPLYTO eval:check_freemail_replyto('replyto')",
  "header REPLY eval:check_freemail_replyto('reply')",
].join('\n');
const fire = ruleFirer(RULES);
const fired = (headers: string[], body = 'Hello\r\n', mailFrom: string | null = null) =>
  fire(`${headers.join('\r\n')}\r\n\r\n${body}`, { mailFrom });

describe('check_freemail_replyto', () => {
  it('fires on a free-mail From answered at another free-mail Reply-To', () => {
    expect(fired(['From: eve@hotmail.com', 'Reply-To: Mallory <mal@yahoo.fr>'])).toEqual([
      'REPLY',
      'REPLYTO',
    ]);
    expect(fired(['From: eve@hotmail.com', 'Reply-To: eve@hotmail.com'])).toEqual([]);
    expect(fired(['From: eve@example.com', 'Reply-To: mal@yahoo.fr'])).toEqual([]);
    expect(fired(['From: eve@hotmail.com', 'Reply-To: desk@example.com'])).toEqual([]);
  });

  it('compares the address answered with the free-mail addresses of the body', () => {
    const body = 'Send your details to claims.agent@gmail.com today\r\n';
    expect(fired(['From: a@example.com', 'Reply-To: mal@yahoo.fr'], body)).toEqual(['REPLYTO']);
    expect(fired(['From: eve@hotmail.com'], body)).toEqual(['REPLY']);
    expect(fired(['From: eve@hotmail.com'], 'Write to eve@hotmail.com\r\n')).toEqual([]);
    expect(fired(['From: a@example.com'], body)).toEqual([]);
  });

  it('reads mailto: links of HTML parts', () => {
    const html = '<p>Answer <a href="mailto:claims@gmail.com">here</a></p>\r\n';
    expect(fired(['From: eve@hotmail.com', 'Content-Type: text/html'], html)).toEqual(['REPLY']);
  });

  it('skips quoted writers, addresses in links and a body that lists many addresses', () => {
    expect(
      fired(['From: eve@hotmail.com'], 'On Monday <bob@gmail.com> wrote:\r\n> hi\r\n'),
    ).toEqual([]);
    expect(fired(['From: eve@hotmail.com'], 'http://example.com/?u=bob@gmail.com\r\n')).toEqual([]);
    const many = 'a@gmail.com b@example.org c@example.net d@example.com e@example.com\r\n';
    expect(fired(['From: eve@hotmail.com'], many)).toEqual([]);
  });

  it('skips mail from lists and robots, whose Reply-To differs by design', () => {
    const headers = ['From: eve@hotmail.com', 'Reply-To: mal@yahoo.fr'];
    expect(fired(headers, 'Hi\r\n', 'list-bounces@example.org')).toEqual([]);
    expect(fired(headers, 'Hi\r\n', 'eve@hotmail.com')).toEqual(['REPLY', 'REPLYTO']);
  });
});
