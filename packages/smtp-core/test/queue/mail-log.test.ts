import { describe, expect, it } from 'vitest';
import { formatLogTimestamp, formatMailLogEntry, textMailLog } from '../../src/log/mail-log.js';

// 0x438dd9ea is 2005-11-30 16:57:14 UTC: the logged 17:57:14 is CET (+60 minutes).
const at = (hex: string, extraSeconds = 0) => (Number.parseInt(hex, 16) + extraSeconds) * 1000;
const CET = 60;

describe("Kerio's Mail log lines (Admin Guide 24, exactly)", () => {
  it('reproduces the SMTP Recv line', () => {
    const lines: string[] = [];
    textMailLog({ write: (line) => lines.push(line), utcOffset: CET }).write({
      kind: 'recv',
      time: at('438dd9ea'),
      queueId: '438dd9ea-00000000',
      service: 'SMTP',
      from: 'jwayne@company.com',
      to: ['jwayne@company.com'],
      size: 1229,
      user: 'jwayne@company.com',
      senderHost: '195.39.55.2',
      ssl: true,
    });
    expect(lines).toEqual([
      '[30/Nov/2005 17:57:14] Recv: Queue-ID: 438dd9ea-00000000, Service: SMTP, From: <jwayne@company.com>, To: <jwayne@company.com>, Size: 1229, User: jwayne@company.com, Sender-Host: 195.39.55.2, SSL: yes',
    ]);
  });

  it('reproduces the Sent line', () => {
    const lines: string[] = [];
    textMailLog({ write: (line) => lines.push(line), utcOffset: CET }).write({
      kind: 'sent',
      time: at('438dd9ea', 1),
      queueId: '438dd9ea-00000000',
      recipient: 'wsmith@company.com',
      result: 'delivered',
      status: '2.0.0',
    });
    expect(lines).toEqual([
      '[30/Nov/2005 17:57:15] Sent: Queue-ID: 438dd9ea-00000000, Recipient: <wsmith@company.com>, Result: delivered, Status: 2.0.0',
    ]);
  });

  it('reproduces the DSN and List Recv lines', () => {
    expect(
      `${formatLogTimestamp(at('438db7cc'), CET)} ${formatMailLogEntry({
        kind: 'recv',
        time: 0,
        queueId: '438db7cc-00000000',
        service: 'DSN',
        from: '',
        to: ['jwayne@company.com'],
        size: 1650,
        report: 'failed',
      })}`,
    ).toBe(
      '[30/Nov/2005 15:31:40] Recv: Queue-ID: 438db7cc-00000000, Service: DSN, From: <>, To: <jwayne@company.com>, Size: 1650, Report: failed',
    );
    expect(
      formatMailLogEntry({
        kind: 'recv',
        time: 0,
        queueId: '438deac7-00000009',
        service: 'List',
        from: 'mailinglist-bounce@company.com',
        to: ['jwayne@company.com'],
        size: 3302,
        answer: 'subscribe response',
      }),
    ).toBe(
      'Recv: Queue-ID: 438deac7-00000009, Service: List, From: <mailinglist-bounce@company.com>, To: <jwayne@company.com>, Size: 3302, Answer: subscribe response',
    );
  });

  it('shows no User for anonymous sessions, SSL only for SMTP, and every recipient', () => {
    expect(
      formatMailLogEntry({
        kind: 'recv',
        time: 0,
        queueId: 'q',
        service: 'SMTP',
        from: 'a@b',
        to: ['c@d', 'e@f'],
        size: 1,
        user: null,
        ssl: false,
      }),
    ).toBe('Recv: Queue-ID: q, Service: SMTP, From: <a@b>, To: <c@d>, <e@f>, Size: 1, SSL: no');
    expect(
      formatMailLogEntry({
        kind: 'recv',
        time: 0,
        queueId: 'q',
        service: 'HTTP',
        from: 'a@b',
        to: ['c@d'],
        size: 1,
        ssl: true,
      }),
    ).toBe('Recv: Queue-ID: q, Service: HTTP, From: <a@b>, To: <c@d>, Size: 1');
  });

  it('never lets a control character in an address start a new line', () => {
    const line = formatMailLogEntry({
      kind: 'sent',
      time: 0,
      queueId: 'q',
      recipient: 'a\r\n[01/Jan/2000] Sent: x',
      result: 'failed',
      status: '5.1.1',
    });
    expect(line).not.toMatch(/[\r\n]/);
  });

  it('formats time stamps in the server zone, with daylight saving through a function', () => {
    const summer = Date.UTC(2024, 6, 1, 22, 30, 5);
    expect(formatLogTimestamp(summer)).toBe('[01/Jul/2024 22:30:05]');
    expect(formatLogTimestamp(summer, (t) => (new Date(t).getUTCMonth() === 6 ? 120 : 60))).toBe(
      '[02/Jul/2024 00:30:05]',
    );
    expect(formatLogTimestamp(Date.UTC(2024, 0, 1, 0, 0, 0), -300)).toBe('[31/Dec/2023 19:00:00]');
  });
});
