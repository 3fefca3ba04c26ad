import { describe, expect, it } from 'vitest';
import { envelopeToImap, parseMimeTree } from '../src/index.js';

const latin1 = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');

describe('ENVELOPE of header text that is neither ASCII nor UTF-8', () => {
  const message = latin1(
    'From: Ren\xe9e <renee@example.com>\nTo: plain@example.com\nSubject: caf\xe9  \xa3 prices\n' +
      'Message-ID: <a@example.com>\n\nbody\n',
  );
  const { envelope } = parseMimeTree(message);

  it('keeps the decoded text for searching and sorting', () => {
    expect(envelope.subject).toBe('caf\u00e9  \u00a3 prices');
    expect(envelope.from[0]).toMatchObject({ rawName: 'Ren\u00e9e', localPart: 'renee' });
  });

  it('shows the octets unchanged to a client without UTF-8, as Dovecot does', () => {
    const view = envelopeToImap(envelope) as unknown[];
    expect(view[1]).toEqual(latin1('caf\xe9 \xa3 prices'));
    expect(view[2]).toEqual([[latin1('Ren\xe9e'), null, 'renee', 'example.com']]);
    // Fields that are ASCII stay strings.
    expect(view[5]).toEqual([[null, null, 'plain', 'example.com']]);
    expect(view[9]).toBe('<a@example.com>');
  });

  it('shows decoded text to a client that enabled UTF-8', () => {
    const view = envelopeToImap(envelope, { utf8: true }) as unknown[];
    expect(view[1]).toBe('caf\u00e9 \u00a3 prices');
    expect(view[2]).toEqual([['Ren\u00e9e', null, 'renee', 'example.com']]);
  });

  it('keeps envelopes of ASCII and UTF-8 headers as they were', () => {
    const utf8 = parseMimeTree(Buffer.from('Subject: caf\u00e9\r\n\r\n', 'utf8')).envelope;
    expect(utf8.octets).toBeUndefined();
    expect((envelopeToImap(utf8) as unknown[])[1]).toBe('caf\u00e9');
  });
});
