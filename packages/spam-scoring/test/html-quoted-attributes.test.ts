// HTML::Parser reads a quoted attribute value whole, `>` included: spam-1/00387's
// `href="mailto:x%20<x@y>"` is one link, not a tag ended at `<x@y>`'s `>` (whose cut link
// `mailto:x%20<x@y` made HTTP_ESCAPED_HOST fire where spamd does not).
import { describeWithPeer } from '@mailyard/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/spamassassin/html-text.js';
import { debianSpamAssassin, ruleFirer, spamAssassinFiredEach } from './helpers.js';

const HEADER =
  'From: a@b.example\nTo: c@d.example\nSubject: links\nMessage-ID: <n@b.example>\n' +
  'Date: Sun, 6 Dec 2026 08:00:00 +0000\nMIME-Version: 1.0\nContent-Type: text/html\n\n';
const DOCUMENTS = {
  ESCAPED_ADDRESS:
    '<html><body><a href="http://x.example%20<x@y.example>">remove</a> me</body></html>\n',
  SINGLE_QUOTES: "<html><body><a href='http://a.example/?q=a>b'>see</a> it</body></html>\n",
  SPACED_EQUALS: '<html><body><a title = "a>b" href="http://a.example/">see</a></body></html>\n',
  // A quote not after `=` opens no value: the tag ends at the first `>`.
  QUOTE_IN_NAME: '<html><body><a b"c>d" href="http://a.example/">see</a></body></html>\n',
  // Never closed: the tag never ends, and hides the rest of the document, as HTML::Parser
  // leaves it (before stop 30 the first `>` ended it).
  UNCLOSED: '<html><body><a href="http://a.example/>see</a> it remove me</body></html>\n',
};

describe('a quoted attribute value', () => {
  it('is read whole, > included', () => {
    const escaped = renderHtml(DOCUMENTS.ESCAPED_ADDRESS);
    expect(escaped.links).toEqual(['http://x.example%20<x@y.example>']);
    expect(escaped.text.trim()).toBe('remove me');
    expect(renderHtml(DOCUMENTS.SINGLE_QUOTES).links).toEqual(['http://a.example/?q=a>b']);
    expect(renderHtml(DOCUMENTS.SPACED_EQUALS).text.trim()).toBe('see');
  });

  it('needs its = and its closing quote', () => {
    expect(renderHtml(DOCUMENTS.QUOTE_IN_NAME).text.trim()).toBe('d" href="http://a.example/">see');
    expect(renderHtml(DOCUMENTS.UNCLOSED).text.trim()).toBe('');
    expect(renderHtml(DOCUMENTS.UNCLOSED).links).toEqual([]);
  });

  it('stays linear when quotes are left open', () => {
    const hostile = '<a x="'.repeat(20_000) + "<b y='".repeat(20_000);
    expect(renderHtml(hostile).links).toEqual([]);
  });
});

const RULES = [
  // HTTP_ESCAPED_HOST as 20_uri_tests.cf has it.
  "uri T_EH_ESCAPED_HOST /^https?\\:\\/\\/[^\\/\\s\\?\\&\\#\\']*(?!%(?:20|3[cCeE])(?:https?:|mailto:))%[0-9a-fA-F][0-9a-fA-F]/",
  'body T_EH_TAG_AS_TEXT /href|">/',
  'body T_EH_REMOVE_ME /remove me/',
  ...['ESCAPED_HOST', 'TAG_AS_TEXT', 'REMOVE_ME'].map((name) => `score T_EH_${name} 0.01`),
].join('\n');
const fired = ruleFirer(RULES);

describeWithPeer(debianSpamAssassin, 'quoted attribute values against spamassassin', () => {
  const mails = Object.entries(DOCUMENTS).map(
    ([name, document]) => [name, HEADER + document] as const,
  );
  let theirs: string[][];
  beforeAll(() => {
    theirs = spamAssassinFiredEach(
      mails.map(([, mail]) => mail),
      RULES,
      /^T_EH_/,
    );
  });

  for (const [index, [name, mail]] of mails.entries())
    it(`fires where spamassassin -L -t fires: ${name}`, () => {
      expect(fired(mail)).toEqual(theirs[index]);
    });
});
