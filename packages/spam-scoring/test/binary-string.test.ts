import { describe, expect, it } from 'vitest';
import { bytesToBinaryString } from '../src/spamassassin/binary-string.js';

describe('bytesToBinaryString', () => {
  it('gives each octet its own code point, 0x80-0x9F included (not windows-1252)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = bytesToBinaryString(all);
    expect(text.length).toBe(256);
    expect([...text].map((c) => c.charCodeAt(0))).toEqual([...all]);
  });

  it('reads only the view it is given, over a larger buffer, and long inputs whole', () => {
    const big = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
    const view = big.subarray(3, 69_990);
    const text = bytesToBinaryString(view);
    expect(text.length).toBe(view.length);
    expect(text.charCodeAt(0)).toBe(21);
    expect(text.charCodeAt(view.length - 1)).toBe(view[view.length - 1]);
  });
});
