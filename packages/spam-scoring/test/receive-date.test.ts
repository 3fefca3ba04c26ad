import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { SaMessageView, receiveDate } from '../src/index.js';

const relay = (date: string) =>
  `Received: from mx.example.net (mx.example.net [192.0.2.1])\n\tby mail.example.org (Postfix) with ESMTP id 1A2B\n\tfor <bob@example.org>; ${date}`;
const fetchmailLocal =
  'Received: from localhost (localhost [127.0.0.1])\n\tby phobos.example.org (Postfix) with ESMTP id 9F\n\tfor <bob@localhost>; Fri, 23 Aug 2002 06:06:41 -0400 (EDT)';
const fetchmail =
  'Received: from imap.example.org [192.0.2.9]\n\tby localhost with IMAP (fetchmail-5.9.0)\n\tfor bob@localhost (single-drop); Fri, 23 Aug 2002 11:06:41 +0100 (IST)';

/** Header blocks, each a way SpamAssassin's receive_date picks a date. */
const HEADERS: Record<string, string[]> = {
  'a relay': [relay('Tue, 1 Oct 2002 12:00:00 +0000'), 'Date: Mon, 30 Sep 2002 08:00:00 +0000'],
  "fetchmail's local hops on top": [
    fetchmailLocal,
    fetchmail,
    relay('Thu, 22 Aug 2002 10:14:42 +0100'),
    relay('Thu, 22 Aug 2002 09:00:00 +0100'),
  ],
  'a local hop alone counts as the relay': [
    fetchmailLocal,
    relay('Thu, 22 Aug 2002 10:14:42 +0100'),
  ],
  "qmail's local line on top": [
    'Received: (qmail 30170 invoked by uid 33); 3 Sep 2002 19:48:55 -0000',
    fetchmail,
    relay('Tue, 3 Sep 2002 13:32:56 -0700'),
  ],
  'no date in the top relay: the local hops': [
    fetchmailLocal,
    fetchmail,
    'Received: from mx.example.net by mail.example.org with SMTP id 42',
    relay('Thu, 22 Aug 2002 09:00:00 +0100'),
  ],
  'no date in the top relay nor local hops: the other relays': [
    'Received: from mx.example.net by mail.example.org with SMTP id 42',
    relay('Thu, 22 Aug 2002 09:00:00 +0100'),
  ],
  'no Received: Resent-Date before Date': [
    'Resent-Date: Wed, 2 Oct 2002 10:00:00 +0200',
    'Date: Tue, 1 Oct 2002 10:00:00 +0200',
  ],
  'no Received: Date': ['Date: Tue, 1 Oct 2002 10:00:00 PDT'],
};

/** Util.pm's receive_date over each header block, in one Perl process. */
function spamAssassinReceiveDates(blocks: string[]): number[] {
  const directory = mkdtempSync(join(tmpdir(), 'mailyard-receive-date-'));
  try {
    const files = blocks.map((block, index) => {
      const file = join(directory, `${index}.txt`);
      writeFileSync(file, `${block}\n`);
      return file;
    });
    const script =
      'use Mail::SpamAssassin::Util; local $/; for my $f (@ARGV) { open(my $h, "<", $f) or die; my $t = <$h>; print Mail::SpamAssassin::Util::receive_date($t), "\\n"; }';
    return execFileSync('perl', ['-e', script, ...files])
      .toString()
      .trim()
      .split('\n')
      .map(Number);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const view = (headers: string[]) => {
  const bytes = new TextEncoder().encode(`${headers.join('\n')}\nSubject: x\n\nbody\n`);
  return new SaMessageView(bytes, summarize(bytes));
};

describe('receiveDate', () => {
  it("gives SpamAssassin's receive_date", () => {
    const names = Object.keys(HEADERS);
    const theirs = spamAssassinReceiveDates(names.map((name) => HEADERS[name]!.join('\n')));
    const now = Math.floor(Date.now() / 1000);
    const ours = names.map((name) => receiveDate(view(HEADERS[name]!), now));
    expect(Object.fromEntries(names.map((name, i) => [name, ours[i]]))).toEqual(
      Object.fromEntries(names.map((name, i) => [name, theirs[i]])),
    );
    // Every case found a date in the headers, none fell back to the clock.
    expect(ours.every((time) => time < now - 86_400 * 365)).toBe(true);
  });

  it('falls back to the clock without a date, and for a date over a day ahead of it', () => {
    const now = Date.UTC(2002, 9, 1) / 1000;
    expect(receiveDate(view(['From: a@example.org']), now)).toBe(now);
    expect(receiveDate(view(['Date: Sat, 5 Oct 2002 00:00:00 +0000']), now)).toBe(now);
    expect(receiveDate(view(['Date: Tue, 1 Oct 2002 12:00:00 +0000']), now)).toBe(now + 12 * 3600);
  });
});
