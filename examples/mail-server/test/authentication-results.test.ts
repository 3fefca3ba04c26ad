import { describe, expect, it } from 'vitest';
import { authservIdOf, withAuthenticationResults } from '../src/authentication-results.js';

const message = (head: string) => Buffer.from(`${head}Subject: Hi\r\n\r\nBody\r\n`);

describe('Authentication-Results (RFC 8601)', () => {
  it('reads the authserv-id past comments and folding, without its version, in lower case', () => {
    expect(authservIdOf('mx.example.com; spf=pass')).toBe('mx.example.com');
    expect(authservIdOf(' (forged (nested) comment) MX.Example.COM 1; dkim=pass')).toBe(
      'mx.example.com',
    );
    expect(authservIdOf('\r\n\tmx.example.com\r\n\t;spf=pass')).toBe('mx.example.com');
    expect(authservIdOf('(a \\) quoted paren) mx.example.com; none')).toBe('mx.example.com');
  });

  it("puts ours on top and removes only the sender's fields that claim our authserv-id", () => {
    const out = withAuthenticationResults(
      message(
        'Authentication-Results: mx.example.com; dkim=pass header.d=bank.example\r\n' +
          'Authentication-Results: relay.example.net; spf=pass\r\n' +
          'Authentication-Results: (x)\r\n MX.EXAMPLE.COM 1;\r\n arc=pass\r\n',
      ),
      'mx.example.com',
      'mx.example.com;\r\n spf=fail smtp.mailfrom=a@b.example',
    ).toString();
    expect(out).toBe(
      'Authentication-Results: mx.example.com;\r\n spf=fail smtp.mailfrom=a@b.example\r\n' +
        'Authentication-Results: relay.example.net; spf=pass\r\n' +
        'Subject: Hi\r\n\r\nBody\r\n',
    );
  });

  it('with nothing checked, removes the forged fields and adds none; a message without any is unchanged', () => {
    const forged = message('Authentication-Results: mx.example.com; dkim=pass\r\n');
    expect(withAuthenticationResults(forged, 'mx.example.com', null).toString()).toBe(
      'Subject: Hi\r\n\r\nBody\r\n',
    );
    const clean = message('');
    expect(withAuthenticationResults(clean, 'mx.example.com', null)).toBe(clean);
  });
});
