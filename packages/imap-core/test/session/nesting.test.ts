import { MemoryMailStore } from '@mailyard/mailstore-interface';
import { MIME_LIMITS } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_LIMITS } from '../../src/index.js';
import { ALICE, TestClient, message } from './harness.js';

/** Nesting a hundred times past a limit: what a hostile client or message can send. */
const HOSTILE = 100;
/** Threads have no depth limit: they are as deep as the mail, so they are walked without recursion. */
const LONG_THREAD = 10_000;

describe('nesting, past every limit', () => {
  const limit = DEFAULT_SESSION_LIMITS.maxNestingDepth;

  it.each([
    ['NOT', `${'NOT '.repeat(limit * HOSTILE)}ALL`],
    ['OR', `${'OR 1 '.repeat(limit * HOSTILE)}1`],
    ['parentheses', `${'('.repeat(limit * HOSTILE)}ALL${')'.repeat(limit * HOSTILE)}`],
  ])('answers SEARCH nested with %s 100x past the limit with BAD, and goes on', async (_, keys) => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('one') });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    expect(await client.command(`a SEARCH ${keys}`)).toBe('a BAD Nested too deeply\r\n');
    expect(await client.command(`b UID SEARCH ${keys}`)).toBe('b BAD Nested too deeply\r\n');
    expect(await client.command('c NOOP')).toBe('c OK NOOP completed\r\n');
  });

  it('searches keys nested up to the limit', async () => {
    const store = new MemoryMailStore();
    await store.deliver(ALICE, { content: message('one') });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    // An even number of NOTs is no NOT at all; ORs of `1` find message 1.
    expect(await client.command(`a SEARCH ${'NOT '.repeat(limit)}ALL`)).toBe(
      '* SEARCH 1\r\na OK Search completed\r\n',
    );
    expect(await client.command(`b SEARCH ${'OR 2 '.repeat(limit)}1`)).toBe(
      '* SEARCH 1\r\nb OK Search completed\r\n',
    );
    expect(await client.command(`c SEARCH NOT ${'OR 2 '.repeat(limit - 1)}1`)).toBe(
      '* SEARCH\r\nc OK Search completed\r\n',
    );
  });

  it('threads a message whose References name 10,000 ids', async () => {
    const store = new MemoryMailStore();
    const references = Array.from({ length: LONG_THREAD }, (_, i) => `<r${i}@example.com>`);
    await store.deliver(ALICE, {
      content: message('deep', 'Hi\r\n', `References: ${references.join(' ')}\r\n`),
    });
    await store.deliver(ALICE, { content: message('flat') });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    expect(await client.command('a THREAD REFERENCES UTF-8 ALL')).toBe(
      '* THREAD (1)(2)\r\na OK Thread completed\r\n',
    );
  });

  it('threads a reply chain of 10,000 messages', async () => {
    const store = new MemoryMailStore();
    const depth = LONG_THREAD;
    for (let i = 0; i < depth; i++) {
      const inReplyTo = i === 0 ? '' : `In-Reply-To: <m${i - 1}@example.com>\r\n`;
      await store.deliver(ALICE, {
        content: Buffer.from(
          `From: a@example.com\r\nSubject: chain\r\nMessage-ID: <m${i}@example.com>\r\n` +
            `Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n${inReplyTo}\r\nx\r\n`,
        ),
      });
    }
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    const chain = Array.from({ length: depth }, (_, i) => i + 1).join(' ');
    expect(await client.command('a THREAD REFERENCES UTF-8 ALL')).toBe(
      `* THREAD (${chain})\r\na OK Thread completed\r\n`,
    );
  }, 60_000);

  it('serves a message of multiparts nested 100x past the MIME depth limit', async () => {
    const depth = MIME_LIMITS.maxDepth * HOSTILE;
    let body = 'Content-Type: text/plain\r\n\r\nneedle\r\n';
    for (let i = depth - 1; i >= 0; i--) {
      body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
    }
    const store = new MemoryMailStore();
    await store.deliver(ALICE, {
      content: Buffer.from(`From: a@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`),
    });
    const client = await TestClient.loggedIn({ store });
    await client.command('s SELECT INBOX');
    expect(await client.command('a FETCH 1 BODYSTRUCTURE')).toMatch(
      /^\* 1 FETCH \(BODYSTRUCTURE \(+"application" "octet-stream"[^\r\n]*\)\r\na OK Fetch completed\r\n$/,
    );
    expect(await client.command('b FETCH 1 BINARY.PEEK[]')).toMatch(/b OK Fetch completed\r\n$/);
    expect(await client.command('c SEARCH BODY needle')).toMatch(/c OK Search completed\r\n$/);
  });
});
