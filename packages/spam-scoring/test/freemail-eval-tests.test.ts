import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { emptySaConfig, parseCfFile, SaMessageView, SaRuleSet } from '../src/index.js';

const RULES = [
  'freemail_domains hotmail.com yahoo.* mail?.example',
  'header FREEMAIL_FROM eval:check_freemail_from()',
  "header FREEMAIL_ENVFROM_END_DIGIT eval:check_freemail_header('EnvelopeFrom', '\\d@')",
  "header FREEMAIL_REPLYTO_HDR eval:check_freemail_header('Reply-To')",
  'full __DKIM_DEPENDABLE eval:check_dkim_dependable()',
  'meta DEPENDABLE __DKIM_DEPENDABLE',
].join('\n');
const config = emptySaConfig();
parseCfFile(config, 'freemail.cf', RULES);
const rules = SaRuleSet.compile(config);
const fired = (headers: string[], mailFrom: string | null = null) => {
  const bytes = new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
  return rules
    .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom }), 0)
    .map((hit) => hit.name)
    .filter((name) => name !== 'DEPENDABLE')
    .sort();
};

describe('the FreeMail checks', () => {
  it('reads freemail_domains, wildcards included', () => {
    expect([...config.freemailDomains]).toEqual(['hotmail.com', 'yahoo.*', 'mail?.example']);
    expect(fired(['From: Eve <eve@hotmail.com>'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@yahoo.co.uk'])).toEqual([]);
    expect(fired(['From: eve@YAHOO.fr'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@mail1.example'])).toEqual(['FREEMAIL_FROM']);
    expect(fired(['From: eve@example.com'])).toEqual([]);
  });

  it('checks any header, with a pattern on the address', () => {
    expect(fired(['From: a@example.com', 'Reply-To: x <eve@hotmail.com>'])).toEqual([
      'FREEMAIL_REPLYTO_HDR',
    ]);
    expect(fired(['From: a@example.com'], 'eve77@hotmail.com')).toEqual([
      'FREEMAIL_ENVFROM_END_DIGIT',
    ]);
    expect(fired(['From: a@example.com'], 'eve@hotmail.com')).toEqual([]);
  });

  it('takes DKIM signatures as dependable only once the engine verified them (DKIM.pm, -L: never)', () => {
    const bytes = new TextEncoder().encode('Subject: x\r\n\r\nbody\r\n');
    const names = (dkimVerified: boolean) =>
      rules
        .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom: null, dkimVerified }), 0)
        .map((h) => h.name);
    expect(names(false)).toEqual([]);
    expect(names(true)).toEqual(['DEPENDABLE']);
  });
});
