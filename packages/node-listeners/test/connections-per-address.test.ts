import { describe, expect, it } from 'vitest';
import { ConnectionsPerAddress } from '../src/index.js';

describe('ConnectionsPerAddress', () => {
  it('admits up to the cap per address and again once one is released', () => {
    const perAddress = new ConnectionsPerAddress(2);
    const first = perAddress.admit('192.0.2.1');
    const second = perAddress.admit('192.0.2.1');
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(perAddress.admit('192.0.2.1')).toBeNull();
    expect(perAddress.admit('192.0.2.2')).not.toBeNull();
    first!();
    first!(); // a second release of the same connection changes nothing
    expect(perAddress.count('192.0.2.1')).toBe(1);
    expect(perAddress.admit('192.0.2.1')).not.toBeNull();
  });

  it('keeps no entry for an address whose connections all ended', () => {
    const perAddress = new ConnectionsPerAddress(0);
    const releases = Array.from({ length: 1000 }, (_, i) =>
      perAddress.admit(`10.0.${i >> 8}.${i & 255}`)!,
    );
    for (const release of releases) release();
    expect(perAddress.count('10.0.0.1')).toBe(0);
    expect(perAddress['counts'].size).toBe(0);
  });
});
