/**
 * The antivirus and attachment filter's decisions that need no virus: clamd that cannot be
 * reached (a real refused connection on a free loopback port), a message too large to scan, and
 * the attachment filter's rules. A real clamd finding a virus is in spam.test.ts.
 */
import { freePort } from '@mailyard/test-kit';
import { describe, expect, it } from 'vitest';
import { ContentScreen, virusLevel } from '../src/content-screen.js';
import { DEFAULT_SPAM_CONFIG } from '../src/server-config.js';

const envelope = { from: 'dave@elsewhere.test', recipients: ['alice@example.test'] };

function message(attachmentName: string, head = ''): Buffer {
  return Buffer.from(
    [
      `${head}From: <dave@elsewhere.test>`,
      'Subject: files',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Attached.',
      '--b',
      `Content-Type: application/octet-stream; name="${attachmentName}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('some bytes').toString('base64'),
      '--b--',
      '',
    ].join('\r\n'),
  );
}

async function screen(options: {
  unscannable?: 'deliver' | 'reject';
  attachments?: boolean;
  antivirus?: boolean;
}) {
  const warnings: string[] = [];
  const security: string[] = [];
  const nobody = await freePort();
  const screen = new ContentScreen({
    antivirus: {
      ...DEFAULT_SPAM_CONFIG.antivirus,
      enabled: options.antivirus ?? true,
      clamd: `127.0.0.1:${nobody}`,
      timeoutMs: 5_000,
      unscannable: options.unscannable ?? 'deliver',
    },
    attachments: {
      enabled: options.attachments ?? false,
      rules: [
        { type: 'filename', pattern: '*.exe', action: 'block' },
        { type: 'filename', pattern: '*', action: 'accept' },
      ],
    },
    securityLog: (line) => security.push(line),
    logger: {
      error: () => undefined,
      warn: (line) => warnings.push(line),
      info: () => undefined,
    },
  });
  return { screen, warnings, security };
}

describe('the antivirus and attachment filter', () => {
  it("delivers a message clamd cannot scan with X-Virus-Status: Unscanned, the sender's removed", async () => {
    const { screen: filter, warnings } = await screen({});
    const outcome = await filter.screen(
      envelope,
      message('notes.txt', 'X-Virus-Status: Clean\r\n'),
    );
    expect(outcome.kind).toBe('deliver');
    const text = Buffer.from((outcome as { bytes: Uint8Array }).bytes).toString();
    expect(text.match(/X-Virus-Status: [^\r\n]*/g)).toEqual(['X-Virus-Status: Unscanned']);
    expect(warnings.join('\n')).toMatch(/antivirus: a message could not be scanned/);
  });

  it('refuses it with 451 4.7.0 when unscannable mail is refused', async () => {
    const { screen: filter } = await screen({ unscannable: 'reject' });
    expect(await filter.screen(envelope, message('notes.txt'))).toEqual({
      kind: 'refuse',
      reply: {
        code: 451,
        enhanced: '4.7.0',
        lines: ['The message could not be scanned for viruses, try again later'],
      },
    });
  });

  it('counts a message over AntivirusMaxSize as unscannable: delivered, or 552 5.3.4', async () => {
    const start = message('notes.txt');
    const delivered = await (await screen({})).screen.screenOversized(envelope, start, 100);
    expect(Buffer.from((delivered as { bytes: Uint8Array }).bytes).toString()).toMatch(
      /^X-Virus-Status: Unscanned\r\n/,
    );
    const refused = await (
      await screen({ unscannable: 'reject' })
    ).screen.screenOversized(envelope, start, 100);
    expect(refused).toMatchObject({ kind: 'refuse', reply: { code: 552, enhanced: '5.3.4' } });
  });

  it('replaces an attachment a rule blocks with a notice, logs it, and lets others through', async () => {
    const { screen: filter, security } = await screen({ antivirus: false, attachments: true });
    const blocked = await filter.screen(envelope, message('setup.EXE'));
    const text = Buffer.from((blocked as { bytes: Uint8Array }).bytes).toString();
    expect(text).toContain('Attached.');
    expect(text).toContain('The attachment "setup.EXE" (application/octet-stream) was removed');
    expect(text).not.toContain(Buffer.from('some bytes').toString('base64'));
    expect(security).toEqual([
      'Attachment setup.EXE removed from mail from <dave@elsewhere.test> to <alice@example.test>: it matches the attachment filter rule *.exe',
    ]);
    const accepted = message('report.pdf');
    expect(await filter.screen(envelope, accepted)).toEqual({ kind: 'deliver', bytes: accepted });
  });

  it("maps X-Virus-Status to virustest's levels (RFC 5235)", () => {
    expect(['Clean', 'Removed (X.Y)', 'Infected (X.Y)', 'Unscanned', ''].map(virusLevel)).toEqual([
      1,
      2,
      5,
      undefined,
      undefined,
    ]);
  });
});
