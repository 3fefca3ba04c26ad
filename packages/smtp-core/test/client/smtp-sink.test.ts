/**
 * Our client delivering to Postfix's smtp-sink (Debian package postfix), a server nobody here
 * wrote: what it dumps is what it understood of our MAIL, RCPT and DATA.
 */
import { expect, it } from 'vitest';
import { connectSmtp } from '../../src/client/node-smtp-connection.js';
import {
  runSmtpConversation,
  type ConversationOptions,
} from '../../src/client/smtp-conversation.js';
import type { Envelope, MessageSource } from '../../src/envelope.js';
import { describeWithPeer } from '@mailyard/test-kit';
import { SMTP_SINK_PEER, startSmtpSink } from './peers.js';

function source(content: string): MessageSource {
  const bytes = Buffer.from(content, 'utf8');
  return {
    size: bytes.length,
    async *read() {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    },
  };
}

async function deliver(
  port: number,
  envelope: Envelope,
  message: string,
  options: Partial<ConversationOptions> = {},
) {
  const transport = await connectSmtp({ host: '127.0.0.1', port, timeouts: { greeting: 10_000 } });
  return runSmtpConversation(transport, envelope, source(message), {
    clientName: 'client.mailyard.test',
    remoteMta: 'smtp-sink',
    startTls: 'never',
    ...options,
  });
}

/** smtp-sink's dump: its X- records, its Received (3 lines), then the message with LF line ends. */
function parseDump(dump: string) {
  const lines = dump.split('\n');
  const records = lines.filter((line) => /^X-[A-Za-z-]+: /.test(line));
  const afterReceived = lines.findIndex((line) => line.startsWith('Received: ')) + 3;
  return {
    mail: records.find((r) => r.startsWith('X-Mail-Args: '))?.slice(13),
    rcpts: records.filter((r) => r.startsWith('X-Rcpt-Args: ')).map((r) => r.slice(13)),
    helo: records.find((r) => r.startsWith('X-Helo-Args: '))?.slice(13),
    proto: records.find((r) => r.startsWith('X-Client-Proto: '))?.slice(16),
    message: lines.slice(afterReceived).join('\n'),
  };
}

const MESSAGE =
  'From: Alice <alice@a.test>\r\nTo: bob@b.test\r\nSubject: sink\r\n\r\n' +
  'First line.\r\n.A line with a leading dot\r\n..two\r\n.\r\nLast, without a line end';

describeWithPeer(SMTP_SINK_PEER, "delivering to Postfix's smtp-sink", () => {
  it('delivers with PIPELINING, 8BITMIME and DSN parameters, and the data arrives intact', async () => {
    const sink = await startSmtpSink();
    try {
      const outcome = await deliver(
        sink.port,
        {
          from: 'alice@a.test',
          body: '8BITMIME',
          ret: 'HDRS',
          envelopeId: 'id 42',
          recipients: [
            {
              address: 'bob@b.test',
              notify: ['FAILURE', 'DELAY'],
              originalRecipient: 'rfc822;bob@b.test',
            },
            { address: 'carol@b.test' },
          ],
        },
        MESSAGE,
      );
      expect(
        outcome.results.map((r) => [r.recipient, r.status, r.code, r.enhancedCode, r.remoteMta]),
      ).toEqual([
        ['bob@b.test', 'delivered', 250, '2.0.0', 'smtp-sink'],
        ['carol@b.test', 'delivered', 250, '2.0.0', 'smtp-sink'],
      ]);
      const dumps = sink.dumps().map(parseDump);
      expect(dumps).toHaveLength(1);
      const dump = dumps[0]!;
      expect(dump.helo).toBe('client.mailyard.test');
      expect(dump.proto).toBe('ESMTP');
      expect(dump.mail).toBe('<alice@a.test> BODY=8BITMIME RET=HDRS ENVID=id+2042');
      expect(dump.rcpts).toEqual([
        '<bob@b.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@b.test',
        '<carol@b.test>',
      ]);
      // smtp-sink writes LF line ends and adds one empty line; the dots come back unstuffed.
      expect(dump.message).toBe(`${MESSAGE.replace(/\r\n/g, '\n')}\n\n`);
    } finally {
      await sink.stop();
    }
  });

  it('sends several messages on several connections', async () => {
    const sink = await startSmtpSink();
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          deliver(
            sink.port,
            { from: `s${i}@a.test`, recipients: [{ address: `r${i}@b.test` }] },
            `Subject: ${i}\r\n\r\nbody ${i}\r\n`,
          ),
        ),
      );
      expect(outcomes.every((o) => o.results[0]!.status === 'delivered')).toBe(true);
      const mails = sink
        .dumps()
        .map((d) => parseDump(d).mail)
        .sort();
      expect(mails).toEqual([0, 1, 2, 3, 4].map((i) => `<s${i}@a.test>`));
    } finally {
      await sink.stop();
    }
  });

  it('LMTP (-L): one reply per recipient', async () => {
    const sink = await startSmtpSink(['-L']);
    try {
      const outcome = await deliver(
        sink.port,
        {
          from: 'alice@a.test',
          recipients: [{ address: 'bob@b.test' }, { address: 'carol@b.test' }],
        },
        MESSAGE,
        { lmtp: true },
      );
      expect(outcome.results.map((r) => r.status)).toEqual(['delivered', 'delivered']);
      expect(parseDump(sink.dumps()[0]!).proto).toBe('LMTP');
    } finally {
      await sink.stop();
    }
  });

  it('soft and hard RCPT rejections become deferred and failed', async () => {
    for (const [flag, status, code] of [
      ['-r', 'deferred', 450],
      ['-f', 'failed', 500],
    ] as const) {
      const sink = await startSmtpSink([flag, 'RCPT']);
      try {
        const outcome = await deliver(
          sink.port,
          { from: 'a@a.test', recipients: [{ address: 'b@b.test' }] },
          MESSAGE,
        );
        expect(outcome.results[0]).toMatchObject({ status, code });
        expect(sink.dumps()).toEqual([]);
      } finally {
        await sink.stop();
      }
    }
  });

  it('a server that hangs up after DATA (-q) or says 421 (-Q) defers', async () => {
    for (const flag of ['-q', '-Q']) {
      const sink = await startSmtpSink([flag, 'DATA']);
      try {
        const outcome = await deliver(
          sink.port,
          { from: 'a@a.test', recipients: [{ address: 'b@b.test' }] },
          MESSAGE,
        );
        expect(outcome.results[0]!.status).toBe('deferred');
      } finally {
        await sink.stop();
      }
    }
  });

  it('a server that aborts the transaction with 550 (-A 1) fails the recipient', async () => {
    // -A 1: a second after the 354, a 550, and nothing more read. (With -A 0 the reset that
    // follows can reach the kernel before the 550 is read, and the client only sees EPIPE.)
    const sink = await startSmtpSink(['-A', '1']);
    try {
      const outcome = await deliver(
        sink.port,
        { from: 'a@a.test', recipients: [{ address: 'b@b.test' }] },
        MESSAGE,
      );
      expect(outcome.results[0]).toMatchObject({ status: 'failed', code: 550 });
      // smtp-sink opens a transaction's dump file at MAIL and removes it when it hears the
      // client leave, which may be after our client has its 550: wait for that.
      for (let i = 0; i < 100 && sink.dumps().some((dump) => dump === ''); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(sink.dumps()).toEqual([]);
    } finally {
      await sink.stop();
    }
  });
});
