import { describe, expect, it } from 'vitest';
import { SaslServer, saslPerConnection } from '../src/index.js';
import { memoryCredentials } from './credentials-fixture.js';

interface Connection {
  readonly remoteAddress: string;
}

const defaults = {
  credentials: memoryCredentials({ tim: 'tanstaaftanstaaf' }),
  hostname: 'mail.example.com',
  service: 'pop',
};
const lan: Connection = { remoteAddress: '192.168.1.5' };
const internet: Connection = { remoteAddress: '203.0.113.9' };

describe('saslPerConnection', () => {
  it('makes default servers without plaintext mechanisms in the clear unless allowed', () => {
    const strict = saslPerConnection<Connection>({ defaults });
    expect(strict.plaintextAllowed(lan)).toBe(false);
    expect(strict.saslFor(lan)!.advertise({ secure: false })).not.toContain('PLAIN');
    const lax = saslPerConnection<Connection>({ defaults, allowPlaintextAuth: true });
    expect(lax.plaintextAllowed(lan)).toBe(true);
    expect(lax.saslFor(lan)!.advertise({ secure: false })).toContain('PLAIN');
  });

  it('decides plaintext per connection, and shares one default server per decision', () => {
    const sasl = saslPerConnection<Connection>({
      defaults,
      allowPlaintextAuth: (connection) => connection.remoteAddress.startsWith('192.168.'),
    });
    expect(sasl.plaintextAllowed(lan)).toBe(true);
    expect(sasl.plaintextAllowed(internet)).toBe(false);
    expect(sasl.saslFor(lan)!.advertise({ secure: false })).toContain('PLAIN');
    expect(sasl.saslFor(internet)!.advertise({ secure: false })).not.toContain('PLAIN');
    expect(sasl.saslFor(lan)).toBe(sasl.saslFor({ remoteAddress: '192.168.7.7' }));
    expect(sasl.saslFor(lan)).not.toBe(sasl.saslFor(internet));
  });

  it('uses the application’s server, or its pick per connection, over the defaults', () => {
    const own = new SaslServer({ ...defaults, mechanisms: ['PLAIN'], allowPlaintext: true });
    expect(saslPerConnection<Connection>({ defaults, sasl: own }).saslFor(internet)).toBe(own);
    const picked = saslPerConnection<Connection>({
      defaults,
      sasl: (connection) => (connection === lan ? own : undefined),
    });
    expect(picked.saslFor(lan)).toBe(own);
    expect(picked.saslFor(internet)).toBeUndefined();
  });
});
