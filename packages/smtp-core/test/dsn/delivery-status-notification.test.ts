import { type MimePart, mediaType, parseHeaders, parseMimeTree } from '@mailyard/mime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DsnInput, buildDsn } from '../../src/dsn/delivery-status-notification.js';
import { DEFAULT_NOTIFY, wantsNotification } from '../../src/dsn/notify-policy.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);
const ORIGINAL = Buffer.from(
  'From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nSubject: Lunch\r\nMessage-ID: <m1@a.test>\r\n\r\nSee you at noon.\r\n',
);
const T0 = Date.UTC(2005, 10, 30, 16, 57, 14);

function input(extra: Partial<DsnInput> = {}): DsnInput {
  return {
    reportingMta: 'mail.a.test',
    envelope: {
      from: 'alice@a.test',
      envelopeId: 'env-1',
      recipients: [{ address: 'bob@b.test' }],
    },
    recipients: [
      {
        recipient: { address: 'bob@b.test', originalRecipient: 'rfc822;Bob@B.test' },
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'mx1.b.test',
        diagnostic: '550 5.1.1 <bob@b.test>: no such user',
        lastAttempt: T0 + 60_000,
      },
    ],
    arrivalDate: T0,
    date: T0 + 61_000,
    utcOffset: 60,
    messageId: '438dd9ea-00000000.1@mail.a.test',
    original: ORIGINAL,
    ...extra,
  };
}

/** The bytes of a part: its body, as the MIME tree records it. */
const body = (content: Uint8Array, part: MimePart) =>
  Buffer.from(content).subarray(part.bodyStart, part.end).toString('utf8');

/** The delivery-status body: blocks of fields (per message, then per recipient). */
function statusBlocks(text: string) {
  return text
    .split(/\r\n\r\n/)
    .filter((block) => block.trim())
    .map((block) => parseHeaders(Buffer.from(`${block}\r\n\r\n`)));
}

describe('buildDsn (RFC 3464), read back with @mailyard/mime', () => {
  it('is a multipart/report with the human part, the delivery status and the returned header', () => {
    const dsn = buildDsn(input());
    const tree = parseMimeTree(dsn.content);
    const headers = parseHeaders(dsn.content);
    expect(mediaType(tree.root)).toBe('multipart/report');
    expect(tree.root.contentType.parameters).toContainEqual({
      name: 'report-type',
      value: 'delivery-status',
    });
    expect(headers.get('from')).toBe('Mail Delivery System <MAILER-DAEMON@mail.a.test>');
    expect(headers.get('to')).toBe('<alice@a.test>');
    expect(headers.get('subject')).toBe('Undelivered Mail Returned to Sender');
    expect(headers.get('auto-submitted')).toBe('auto-replied');
    expect(headers.get('message-id')).toBe('<438dd9ea-00000000.1@mail.a.test>');
    expect(headers.get('date')).toBe('Wed, 30 Nov 2005 17:58:15 +0100');
    const parts = tree.root.parts!;
    expect(parts.map(mediaType)).toEqual([
      'text/plain',
      'message/delivery-status',
      'text/rfc822-headers',
    ]);
    expect(body(dsn.content, parts[0]!)).toContain(
      '<bob@b.test>: 550 5.1.1 <bob@b.test>: no such user',
    );

    const [message, recipient] = statusBlocks(body(dsn.content, parts[1]!));
    expect(message!.get('reporting-mta')).toBe('dns; mail.a.test');
    expect(message!.get('original-envelope-id')).toBe('env-1');
    expect(message!.get('arrival-date')).toBe('Wed, 30 Nov 2005 17:57:14 +0100');
    expect(recipient!.get('original-recipient')).toBe('rfc822; Bob@B.test');
    expect(recipient!.get('final-recipient')).toBe('rfc822; bob@b.test');
    expect(recipient!.get('action')).toBe('failed');
    expect(recipient!.get('status')).toBe('5.1.1');
    expect(recipient!.get('remote-mta')).toBe('dns; mx1.b.test');
    expect(recipient!.get('diagnostic-code')).toBe('smtp; 550 5.1.1 <bob@b.test>: no such user');
    expect(recipient!.get('last-attempt-date')).toBe('Wed, 30 Nov 2005 17:58:14 +0100');
    expect(recipient!.has('will-retry-until')).toBe(false);

    expect(parseHeaders(Buffer.from(body(dsn.content, parts[2]!))).get('message-id')).toBe(
      '<m1@a.test>',
    );
    expect(body(dsn.content, parts[2]!)).not.toContain('See you at noon');
  });

  it('comes from the null sender, to the original sender, and asks for no DSN itself', () => {
    expect(buildDsn(input()).envelope).toEqual({
      from: '',
      recipients: [{ address: 'alice@a.test', notify: 'NEVER' }],
    });
  });

  it('returns the whole message for RET=FULL, and only the header for RET=HDRS', () => {
    const full = buildDsn(input({ envelope: { ...input().envelope, ret: 'FULL' } }));
    const tree = parseMimeTree(full.content);
    const returned = tree.root.parts![2]!;
    expect(mediaType(returned)).toBe('message/rfc822');
    expect(returned.message!.envelope.subject).toBe('Lunch');
    expect(body(full.content, returned)).toBe(ORIGINAL.toString());
    const headers = buildDsn(
      input({ envelope: { ...input().envelope, ret: 'HDRS' }, returnContent: 'full' }),
    );
    expect(mediaType(parseMimeTree(headers.content).root.parts![2]!)).toBe('text/rfc822-headers');
  });

  it('without RET follows returnContent, and returns a message too large as its header only', () => {
    const full = buildDsn(input({ returnContent: 'full' }));
    expect(mediaType(parseMimeTree(full.content).root.parts![2]!)).toBe('message/rfc822');
    const big = buildDsn(input({ returnContent: 'full', maxReturnSize: 50 }));
    const parts = parseMimeTree(big.content).root.parts!;
    expect(mediaType(parts[2]!)).toBe('text/rfc822-headers');
    expect(body(big.content, parts[0]!)).toContain('too large to return');
  });

  it('a delay warning says delayed, when it will retry until, and returns the header only', () => {
    const dsn = buildDsn(
      input({
        envelope: { ...input().envelope, ret: 'FULL' },
        recipients: [
          {
            recipient: { address: 'bob@b.test' },
            action: 'delayed',
            status: '4.4.1',
            diagnostic: '451 4.4.1 Cannot connect to remote host',
            lastAttempt: T0,
            willRetryUntil: T0 + 5 * 86_400_000,
          },
        ],
      }),
    );
    const headers = parseHeaders(dsn.content);
    expect(headers.get('subject')).toBe('Delayed Mail (still being retried)');
    const parts = parseMimeTree(dsn.content).root.parts!;
    const recipient = statusBlocks(body(dsn.content, parts[1]!))[1]!;
    expect(recipient.get('action')).toBe('delayed');
    expect(recipient.get('will-retry-until')).toBe('Mon, 05 Dec 2005 17:57:14 +0100');
    expect(mediaType(parts[2]!)).toBe('text/rfc822-headers');
    expect(body(dsn.content, parts[0]!)).toContain('keeps trying');
  });

  it('reports every recipient in its own block', () => {
    const dsn = buildDsn(
      input({
        recipients: ['x@b.test', 'y@b.test', 'z@c.test'].map((address) => ({
          recipient: { address },
          action: 'failed' as const,
          status: '5.0.0',
        })),
      }),
    );
    const blocks = statusBlocks(body(dsn.content, parseMimeTree(dsn.content).root.parts![1]!));
    expect(blocks.slice(1).map((b) => b.get('final-recipient'))).toEqual([
      'rfc822; x@b.test',
      'rfc822; y@b.test',
      'rfc822; z@c.test',
    ]);
  });

  it('is a global delivery status (RFC 6533) when addresses need UTF-8', () => {
    const dsn = buildDsn(
      input({
        envelope: {
          from: 'jörg@a.test',
          smtpUtf8: true,
          ret: 'FULL',
          recipients: [{ address: 'zoë@b.test' }],
        },
        recipients: [
          {
            recipient: { address: 'zoë@b.test' },
            action: 'failed',
            status: '5.1.1',
            diagnostic: '550 5.1.1 unbekannt: zoë',
          },
        ],
        original: Buffer.from('Subject: Grüße\r\n\r\nHallo\r\n'),
      }),
    );
    expect(dsn.envelope).toMatchObject({
      from: '',
      smtpUtf8: true,
      body: '8BITMIME',
      recipients: [{ address: 'jörg@a.test' }],
    });
    const parts = parseMimeTree(dsn.content).root.parts!;
    expect(parts.map(mediaType)).toEqual([
      'text/plain',
      'message/global-delivery-status',
      'message/global',
    ]);
    const recipient = statusBlocks(body(dsn.content, parts[1]!))[1]!;
    expect(recipient.get('final-recipient')).toBe('utf-8; zoë@b.test');
    expect(recipient.get('diagnostic-code')).toBe('smtp; 550 5.1.1 unbekannt: zoë');
  });

  it('keeps non-ASCII out of a plain report, and line breaks out of every field', () => {
    const dsn = buildDsn(
      input({
        recipients: [
          {
            recipient: { address: 'bob@b.test' },
            action: 'failed',
            status: '5.7.1',
            diagnostic: '550 5.7.1 rejected\r\nX-Injected: yes ü',
            remoteMta: 'mx\r\nEvil: 1',
          },
        ],
      }),
    );
    const text = Buffer.from(dsn.content).toString('utf8');
    expect(text).not.toContain('\r\nX-Injected');
    expect(text).not.toContain('\r\nEvil');
    const recipient = statusBlocks(
      body(dsn.content, parseMimeTree(dsn.content).root.parts![1]!),
    )[1]!;
    expect(recipient.get('diagnostic-code')).toBe('smtp; 550 5.7.1 rejected X-Injected: yes ?');
  });

  it('the boundary never occurs in what it encloses, whatever the original', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.constantFrom<'full' | 'headers'>('full', 'headers'),
        (original, returnContent) => {
          const dsn = buildDsn(input({ original, returnContent }));
          const tree = parseMimeTree(dsn.content);
          expect(mediaType(tree.root)).toBe('multipart/report');
          expect(tree.root.parts!.map(mediaType).slice(0, 2)).toEqual([
            'text/plain',
            'message/delivery-status',
          ]);
          expect(tree.root.parts).toHaveLength(3);
        },
      ),
      { seed: 3464, numRuns: runs },
    );
  });
});

describe('NOTIFY (RFC 3461)', () => {
  const recipient = (notify?: readonly ('SUCCESS' | 'FAILURE' | 'DELAY')[] | 'NEVER') => ({
    address: 'b@b.test',
    ...(notify ? { notify } : {}),
  });

  it('defaults to failures and delays (Kerio: "deferred, failure"), never success', () => {
    expect(DEFAULT_NOTIFY).toEqual(['FAILURE', 'DELAY']);
    expect(wantsNotification('a@a.test', recipient(), 'FAILURE')).toBe(true);
    expect(wantsNotification('a@a.test', recipient(), 'DELAY')).toBe(true);
    expect(wantsNotification('a@a.test', recipient(), 'SUCCESS')).toBe(false);
    expect(wantsNotification('a@a.test', recipient(), 'DELAY', ['FAILURE'])).toBe(false);
  });

  it('honours NEVER, SUCCESS, DELAY and FAILURE as given', () => {
    expect(wantsNotification('a@a.test', recipient('NEVER'), 'FAILURE')).toBe(false);
    expect(wantsNotification('a@a.test', recipient(['SUCCESS']), 'SUCCESS')).toBe(true);
    expect(wantsNotification('a@a.test', recipient(['SUCCESS']), 'FAILURE')).toBe(false);
    expect(wantsNotification('a@a.test', recipient(['DELAY']), 'DELAY')).toBe(true);
    expect(wantsNotification('a@a.test', recipient(['FAILURE']), 'DELAY')).toBe(false);
  });

  it('never notifies the null sender: no bounce of a bounce', () => {
    for (const condition of ['SUCCESS', 'FAILURE', 'DELAY'] as const) {
      expect(wantsNotification('', recipient(['SUCCESS', 'FAILURE', 'DELAY']), condition)).toBe(
        false,
      );
    }
  });
});
