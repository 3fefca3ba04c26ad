import { summarize } from '@mailyard/mime';
import { describe, expect, it } from 'vitest';
import { SaMessageView } from '../src/index.js';

const envelopeFrom = (headers: string[], mailFrom: string | null = null) => {
  const bytes = new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\nbody\r\n`);
  return new SaMessageView(bytes, summarize(bytes), { mailFrom }).header('EnvelopeFrom', null);
};
const HOP =
  'Received: from mail.example.net (mail.example.net [203.0.113.9]) by mx.example.org (8.11.6/8.11.6) with ESMTP id g95EYGK12689; Sat, 5 Oct 2002 15:34:17 +0100';
const HOP_WITH_SENDER =
  'Received: from mail.example.net (mail.example.net [203.0.113.9]) by mx.example.org (8.11.6/8.11.6) with ESMTP id g95EYGK12689 (envelope-from list-bounce@lists.example.net); Sat, 5 Oct 2002 15:34:17 +0100';
const FETCHED =
  'Received: from pop.example.org [127.0.0.1] by localhost with POP3 (fetchmail-5.9.0) for bob@localhost (single-drop); Sat, 05 Oct 2002 17:22:56 +0100 (IST)';

describe('the EnvelopeFrom pseudo-header without an envelope', () => {
  it('is what the MTA gave, when it gave one', () => {
    expect(envelopeFrom(['Return-Path: <rp@example.net>'], 'smtp@example.com')).toBe(
      'smtp@example.com',
    );
  });

  it('is the sender the relay that handed the message in recorded, first', () => {
    expect(envelopeFrom(['Return-Path: <rp@example.net>', HOP_WITH_SENDER])).toBe(
      'list-bounce@lists.example.net',
    );
  });

  it('is Return-Path written above every Received line, not one below', () => {
    expect(envelopeFrom(['Return-Path: <rp@example.net>', HOP])).toBe('rp@example.net');
    // A list that re-sent the message would have put a Received line above its own.
    expect(envelopeFrom([HOP, 'Return-Path: <rp@example.net>'])).toBe(null);
    // A local delivery's Return-Path on top does not count when another sits below a Received.
    expect(
      envelopeFrom(['Return-Path: local@example.org', HOP, 'Return-Path: <rp@example.net>']),
    ).toBe(null);
  });

  it('prefers X-Envelope-From and Envelope-Sender to Return-Path', () => {
    const returnPath = 'Return-Path: <rp@example.net>';
    expect(envelopeFrom([returnPath, 'X-Envelope-From: <x@example.net>', HOP])).toBe(
      'x@example.net',
    );
    expect(envelopeFrom([returnPath, 'Envelope-Sender: e@example.net', HOP])).toBe('e@example.net');
    // X-Envelope-From below a Received line ends the search: no envelope sender.
    expect(envelopeFrom([returnPath, HOP, 'X-Envelope-From: <x@example.net>'])).toBe(null);
  });

  it('is none for mail fetchmail fetched with an X-Sender (the mailbox owner, not the sender)', () => {
    const headers = ['Return-Path: <rp@example.net>', FETCHED, HOP, 'X-Sender: owner@example.org'];
    expect(envelopeFrom(headers)).toBe(null);
    expect(envelopeFrom(headers.slice(0, 3))).toBe('rp@example.net');
  });
});
