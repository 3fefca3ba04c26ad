import { type WriteStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '@mailyard/mailstore-interface';
import { type MailLog, formatLogTimestamp, textMailLog } from '@mailyard/smtp-core';

/**
 * Kerio's logs in `<data>/logs/`: `mail.log` (a line per message received and per recipient
 * delivered, from the queue) and `security.log` (failed logins, relay attempts, harvest attacks).
 * Each line starts with `[DD/Mon/YYYY HH:MM:SS]` in the server's local time.
 */
export class KerioLogs {
  readonly mail: MailLog;
  /** A Security log line, without its time stamp. */
  readonly security: (line: string) => void;

  private constructor(
    private readonly files: readonly WriteStream[],
    mailFile: WriteStream,
    securityFile: WriteStream,
    clock: Clock,
  ) {
    this.mail = textMailLog({
      write: (line) => mailFile.write(`${line}\n`),
      utcOffset: localOffset,
    });
    this.security = (line) =>
      securityFile.write(`${formatLogTimestamp(clock.now(), localOffset)} ${line}\n`);
  }

  static async open(directory: string, clock: Clock): Promise<KerioLogs> {
    await mkdir(directory, { recursive: true });
    const open = (name: string) => createWriteStream(join(directory, name), { flags: 'a' });
    const mail = open('mail.log');
    const security = open('security.log');
    return new KerioLogs([mail, security], mail, security, clock);
  }

  /** Writes out what is buffered and closes the files. */
  async close(): Promise<void> {
    await Promise.all(
      this.files.map((file) => new Promise<void>((resolve) => file.end(() => resolve()))),
    );
  }
}

/** The server's offset from UTC at a moment, in minutes (follows daylight saving). */
function localOffset(time: number): number {
  return -new Date(time).getTimezoneOffset();
}
