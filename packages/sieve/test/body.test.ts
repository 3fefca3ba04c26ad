import { describe, expect, it } from 'vitest';
import { compileSieve, runScript } from '../src/index.js';
import { bytes, compileErrors } from './helpers.js';

const MULTIPART = [
  'From: a@example.com',
  'To: b@example.org',
  'Subject: plans',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  'This is the prologue: missile',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'The launch coordinates are =C3=BCber secret.',
  '--b1',
  'Content-Type: text/html; charset=us-ascii',
  '',
  '<html><body><p>Hello <b>World</b> &amp; friends</p></body></html>',
  '--b1',
  'Content-Type: audio/basic',
  'Content-Transfer-Encoding: base64',
  '',
  'AAECAwQ=',
  '--b1--',
  '',
].join('\r\n');

function fileinto(script: string, message = MULTIPART, limits = {}): string[] {
  const compiled = compileSieve(`require ["body", "fileinto"];\r\n${script}`);
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const run = runScript(
    compiled.script,
    { message: bytes(message), envelope: { from: 'a@example.com', to: 'b@example.org' } },
    { limits },
  );
  return run.actions.map((action) => (action.type === 'fileinto' ? action.mailbox : action.type));
}

describe('body (RFC 5173)', () => {
  it('runs the examples of RFC 5173 section 7', () => {
    expect(
      fileinto(
        'if body :content "text" :contains ["missile", "coordinates"] { fileinto "secrets"; }\r\n' +
          'if body :content "audio" :contains "" { fileinto "jukebox"; }\r\n',
      ),
    ).toEqual(['secrets', 'jukebox']);
    expect(
      fileinto(
        'if body :raw :contains "MAKE MONEY FAST" { discard; }\r\n',
        MULTIPART + 'MAKE MONEY FAST\r\n',
      ),
    ).toEqual(['discard']);
  });

  it(':text (the default) reads text parts decoded, HTML as text; :raw reads the body as it is', () => {
    const test = (condition: string) => fileinto(`if ${condition} { fileinto "y"; }\r\n`)[0];
    expect(test('body :contains "über secret"')).toBe('y');
    expect(test('body :text :contains "Hello World & friends"')).toBe('y');
    expect(test('body :text :contains "<b>"')).toBe('keep');
    expect(test('body :raw :contains "=C3=BCber"')).toBe('y');
    expect(test('body :raw :contains "über"')).toBe('keep');
    expect(test('body :content "text/html" :contains "<b>World</b>"')).toBe('y');
    expect(test('body :content "text/html" :contains "coordinates"')).toBe('keep');
    // The prologue of a multipart is not a part (RFC 5173 5.2 leaves it to "multipart").
    expect(test('body :contains "missile"')).toBe('keep');
  });

  it('reads at most maxBodyTestSize bytes of each part', () => {
    const big = ['From: a@example.com', 'Subject: long', '', `${'x'.repeat(500)} needle`, ''].join(
      '\r\n',
    );
    const test = (limit: number) =>
      fileinto('if body :contains "needle" { fileinto "y"; }\r\n', big, {
        maxBodyTestSize: limit,
      })[0];
    expect(test(1000)).toBe('y');
    expect(test(100)).toBe('keep');
    expect(
      fileinto('if body :raw :contains "needle" { fileinto "y"; }\r\n', big, {
        maxBodyTestSize: 100,
      })[0],
    ).toBe('keep');
    // At 100 times the body's size, the whole body is read.
    expect(test(100 * big.length)).toBe('y');
  });

  it('takes one transform, and needs require', () => {
    expect(compileErrors('require "body";\r\nif body :raw :text "x" { discard; }\r\n')[0]).toMatch(
      /transform/,
    );
    expect(compileErrors('if body "x" { discard; }\r\n')[0]).toMatch(/body/);
  });
});
