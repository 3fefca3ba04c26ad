import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import {
  type AttachmentRule,
  KERIO_ATTACHMENT_RULES,
  blockedAttachments,
  removeAttachments,
} from '../src/index.js';

const MESSAGE = [
  'From: a@example.net',
  'Subject: files',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  '--b',
  'Content-Type: text/plain',
  '',
  'See attached.',
  '--b',
  'Content-Type: application/octet-stream; name="setup.EXE"',
  'Content-Disposition: attachment; filename="setup.EXE"',
  'Content-Transfer-Encoding: base64',
  '',
  'TVqQAAMAAAAEAAAA',
  '--b',
  'Content-Type: application/pdf',
  'Content-Disposition: attachment; filename="report.pdf"',
  '',
  '%PDF-1.4',
  '--b',
  'Content-Type: image/png; name="=?utf-8?q?b=C3=B6se.png?="',
  '',
  'PNG',
  '--b--',
  '',
].join('\r\n');
const bytes = new TextEncoder().encode(MESSAGE);
const root = summarize(bytes).body;
const names = (rules: AttachmentRule[]) =>
  blockedAttachments(root, rules).map((b) => b.filename ?? b.mimeType);

describe("Kerio's attachment filter", () => {
  it('blocks by file name or MIME type with * patterns; the first matching rule wins', () => {
    expect(names([{ type: 'filename', pattern: '*.exe', action: 'block' }])).toEqual(['setup.EXE']);
    expect(names([{ type: 'mimetype', pattern: 'application/*', action: 'block' }])).toEqual([
      'setup.EXE',
      'report.pdf',
    ]);
    expect(
      names([
        { type: 'filename', pattern: '*.pdf', action: 'accept' },
        { type: 'mimetype', pattern: 'application/*', action: 'block' },
        { type: 'filename', pattern: 'böse*', action: 'block' },
      ]),
    ).toEqual(['setup.EXE', 'böse.png']);
    expect(
      names([{ type: 'filename', pattern: '*.exe', action: 'block', enabled: false }]),
    ).toEqual([]);
    expect(names([...KERIO_ATTACHMENT_RULES])).toEqual([]);
    expect(names(KERIO_ATTACHMENT_RULES.map((rule) => ({ ...rule, enabled: true })))).toEqual([
      'setup.EXE',
    ]);
  });

  it('never treats the text of the message as an attachment', () => {
    expect(names([{ type: 'mimetype', pattern: '*', action: 'block' }])).not.toContain(
      'text/plain',
    );
    const single = new TextEncoder().encode('Content-Type: application/octet-stream\r\n\r\nxx\r\n');
    expect(
      blockedAttachments(summarize(single).body, [
        { type: 'mimetype', pattern: '*', action: 'block' },
      ]),
    ).toEqual([]);
  });

  it('delivers the message without the blocked attachments, a notice in their place, still valid MIME', () => {
    const blocked = blockedAttachments(root, [
      { type: 'filename', pattern: '*.exe', action: 'block' },
    ]);
    const cleaned = removeAttachments(
      bytes,
      blocked,
      (b) => `The attachment ${b.filename} was removed.`,
    );
    const text = new TextDecoder().decode(cleaned);
    expect(text).not.toContain('TVqQAAMAAAAEAAAA');
    expect(text).toContain('The attachment setup.EXE was removed.');
    const parts = summarize(cleaned).body.parts!;
    expect(parts.map((part) => `${part.contentType.type}/${part.contentType.subtype}`)).toEqual([
      'text/plain',
      'text/plain',
      'application/pdf',
      'image/png',
    ]);
  });
});
