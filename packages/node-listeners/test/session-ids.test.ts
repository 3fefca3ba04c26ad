import { describe, expect, it } from 'vitest';
import { sessionIds } from '../src/index.js';

describe('sessionIds', () => {
  it('counts up behind a prefix that differs between servers', () => {
    const first = sessionIds();
    const a = [first(), first(), first()];
    expect(a.map((id) => id.slice(0, 6))).toEqual([
      a[0]!.slice(0, 6),
      a[0]!.slice(0, 6),
      a[0]!.slice(0, 6),
    ]);
    expect(a.map((id) => id.slice(6))).toEqual(['000000', '000001', '000002']);
    const prefixes = new Set(Array.from({ length: 20 }, () => sessionIds()().slice(0, 6)));
    expect(prefixes.size).toBeGreaterThan(1);
    expect(a[0]).toMatch(/^[0-9a-f]{12}$/);
  });
});
