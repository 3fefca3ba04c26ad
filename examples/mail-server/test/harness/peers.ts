import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_DIRECTORY } from './server-process.js';

const run = promisify(execFile);

/** Runs one of the Python clients in test/clients and parses the JSON it prints. */
export async function python<T>(script: string, args: readonly string[]): Promise<T> {
  const { stdout } = await run(
    'python3',
    [join(PACKAGE_DIRECTORY, 'test', 'clients', script), ...args],
    {
      timeout: 30_000,
    },
  );
  return JSON.parse(stdout) as T;
}

/** Runs a program (swaks, curl) and returns its exit code and output, whatever the code. */
export async function command(
  program: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(program, [...args], {
      timeout: 30_000,
      encoding: 'latin1',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export interface Pop3Mailbox {
  readonly count: number;
  readonly size: number;
  readonly messages: readonly { readonly uidl: string; readonly content: Buffer }[];
}

/** A mailbox as Python's poplib reads it, over POP3S (or STLS) with the server's certificate. */
export async function readWithPoplib(options: {
  readonly port: number;
  readonly cafile: string;
  readonly user: string;
  readonly password: string;
  readonly stls?: boolean;
  readonly delete?: boolean;
}): Promise<Pop3Mailbox> {
  const result = await python<{
    count: number;
    size: number;
    messages: { uidl: string; content: string }[];
  }>('pop3_mailbox.py', [
    `--port=${options.port}`,
    `--cafile=${options.cafile}`,
    `--user=${options.user}`,
    `--password=${options.password}`,
    ...(options.stls ? ['--stls'] : []),
    ...(options.delete ? ['--delete'] : []),
  ]);
  return {
    ...result,
    messages: result.messages.map((m) => ({
      uidl: m.uidl,
      content: Buffer.from(m.content, 'base64'),
    })),
  };
}

export interface ImapMailbox {
  readonly uidvalidity: number;
  readonly messages: readonly {
    readonly uid: number;
    readonly flags: readonly string[];
    /** The flags after the fetch: `\Seen` is set by BODY[], not by BODY.PEEK[]. */
    readonly flagsAfter: readonly string[];
    readonly content: Buffer;
  }[];
}

/**
 * A mailbox (INBOX unless told) as Python's imaplib reads it, over IMAPS (or STARTTLS) with the
 * server's certificate; `create` makes the mailbox first.
 */
export async function readWithImaplib(options: {
  readonly port: number;
  readonly cafile: string;
  readonly user: string;
  readonly password: string;
  readonly starttls?: boolean;
  /** Fetch BODY[] (which sets \Seen) instead of BODY.PEEK[]. */
  readonly read?: boolean;
  readonly mailbox?: string;
  readonly create?: boolean;
}): Promise<ImapMailbox> {
  const result = await python<{
    uidvalidity: number;
    messages: { uid: number; flags: string[]; flagsAfter: string[]; content: string }[];
  }>('imap_mailbox.py', [
    `--port=${options.port}`,
    `--cafile=${options.cafile}`,
    `--user=${options.user}`,
    `--password=${options.password}`,
    ...(options.starttls ? ['--starttls'] : []),
    ...(options.read ? ['--read'] : []),
    ...(options.mailbox ? [`--mailbox=${options.mailbox}`] : []),
    ...(options.create ? ['--create'] : []),
  ]);
  return {
    ...result,
    messages: result.messages.map((m) => ({ ...m, content: Buffer.from(m.content, 'base64') })),
  };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A message as mail clients write it: CRLF line ends, a Message-ID to find it by. */
export function testMessage(fields: {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly id: string;
  readonly body?: string;
}): Buffer {
  const body =
    fields.body ??
    [
      'Hello,',
      '',
      '.a line that starts with a dot, and one that is only a dot:',
      '.',
      'Trailing spaces stay.   ',
      '\tTabs too.',
      '',
      'Bye',
    ].join('\r\n');
  return Buffer.from(
    [
      `From: <${fields.from}>`,
      `To: <${fields.to}>`,
      `Subject: ${fields.subject}`,
      `Message-ID: <${fields.id}>`,
      'Date: Sun, 01 Mar 2026 12:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      `${body}\r\n`,
    ].join('\r\n'),
  );
}

/**
 * What final delivery puts in front of a message: Return-Path, X-Envelope-To when configured,
 * the local delivery's Received (its Queue-ID is how exactly-once delivery recognises it) and the
 * Received of every SMTP server on the way.
 * Returns the trace fields and the message as it was sent.
 */
export function splitTrace(stored: Buffer): { trace: string[]; original: Buffer } {
  const trace: string[] = [];
  let offset = 0;
  for (;;) {
    const text = stored.subarray(offset).toString('latin1');
    const field = /^(Return-Path|X-Envelope-To|Received):[^\r\n]*\r\n([ \t][^\r\n]*\r\n)*/.exec(
      text,
    );
    if (!field) break;
    trace.push(field[0]);
    offset += field[0].length;
  }
  return { trace, original: stored.subarray(offset) };
}
