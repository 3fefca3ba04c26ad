import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeModifiedUtf7, encodeModifiedUtf7 } from '../../src/protocol/index.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

describe('modified UTF-7 (RFC 3501 5.1.3)', () => {
  it('encodes and decodes the RFC example', () => {
    expect(encodeModifiedUtf7('~peter/mail/台北/日本語')).toBe('~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    expect(decodeModifiedUtf7('~peter/mail/&U,BTFw-/&ZeVnLIqe-')).toBe('~peter/mail/台北/日本語');
  });

  it('escapes & and keeps printable ASCII', () => {
    expect(encodeModifiedUtf7('Tom & Jerry')).toBe('Tom &- Jerry');
    expect(decodeModifiedUtf7('Tom &- Jerry')).toBe('Tom & Jerry');
    expect(encodeModifiedUtf7('Entwürfe')).toBe('Entw&APw-rfe');
    expect(encodeModifiedUtf7('INBOX/Work\u00e9')).toBe('INBOX/Work&AOk-');
  });

  it('refuses what is not modified UTF-7', () => {
    for (const bad of ['a&b', '&Jjo!-', '&AGE-', '&U,BTFw-&ZeVnLIqe-', '&U-', 'ü', '&2D0-']) {
      expect(decodeModifiedUtf7(bad), bad).toBeNull();
    }
  });

  it('round-trips any name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (name) => {
        expect(decodeModifiedUtf7(encodeModifiedUtf7(name))).toBe(name);
      }),
      { seed: 6, numRuns: runs },
    );
  });
});
