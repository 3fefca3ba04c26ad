import { once } from 'node:events';
import { type WriteStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Clock, Logger } from '@mailyard/mailstore-interface';
import { type MailLog, formatLogTimestamp, textMailLog } from '@mailyard/smtp-core';
import { formatLogLine } from './log-line.js';
import { StartupError } from './startup-error.js';

export interface KerioLogsOptions {
  /** Write the Debug log (`debug.log`): the engines' informational entries. Off in Kerio too. */
  readonly debug: boolean;
  /** Where an Error log entry is repeated, with the error's stack: the operator's terminal. */
  readonly stderr: (text: string) => void;
}

/**
 * Kerio's logs in `<data>/logs/` (Admin Guide 24), each line starting with
 * `[DD/Mon/YYYY HH:MM:SS]` in the server's local time:
 *
 * - `mail.log`: a line per message received and per recipient delivered, from the queue;
 * - `security.log`: failed logins, locks, relay attempts, harvest attacks, spam and virus refusals;
 * - `spam.log`: each message rated as spam, and each message a user marked (Kerio 24.8);
 * - `error.log`: what stops a service from working (a bug answered `[SERVERBUG]`, a store or
 *   directory that failed); each entry is also written to stderr, with the error's stack;
 * - `warning.log`: what an operator may want to look into (why a login failed, a folder index
 *   rebuilt, a TLS handshake that failed);
 * - `config.log`: administrative actions (Kerio 24.2), such as `Admin - Store backup started`;
 * - `debug.log`, only when configured: logins, sessions, client IDs.
 *
 * The engines and the store write the last three through a `Logger` each (`logger(service)`);
 * their entries carry the session id. No entry carries a password or a message's content: the
 * engines never hand them to a logger, and the tests hold them to it.
 */
export class KerioLogs {
  readonly mail: MailLog;
  /** A Security log line, without its time stamp. */
  readonly security: (line: string) => void;
  /** A Config log line, without its time stamp. */
  readonly config: (line: string) => void;
  /** A Spam log line, without its time stamp. */
  readonly spam: (line: string) => void;
  private closed = false;

  private constructor(
    private readonly files: Readonly<Record<LogName, WriteStream | null>>,
    private readonly clock: Clock,
    private readonly options: KerioLogsOptions,
  ) {
    const mail = files.mail!;
    this.mail = textMailLog({
      write: (line) => {
        if (!this.closed && mail.writable) mail.write(`${line}\n`);
      },
      utcOffset: localOffset,
    });
    this.security = (line) => this.write('security', line);
    this.config = (line) => this.write('config', line);
    this.spam = (line) => this.write('spam', line);
  }

  /**
   * Opens the log files in `directory` (which must exist). A file that cannot be opened (a
   * directory in its place, no permission) is a StartupError naming it. A write that fails
   * later (a full disk) is told on stderr, once per file; the server goes on without that log.
   */
  static async open(
    directory: string,
    clock: Clock,
    options: KerioLogsOptions,
  ): Promise<KerioLogs> {
    const opened: WriteStream[] = [];
    const open = (name: string) => {
      const file = createWriteStream(join(directory, name), { flags: 'a' });
      opened.push(file);
      return file;
    };
    const files = {
      mail: open('mail.log'),
      security: open('security.log'),
      error: open('error.log'),
      warning: open('warning.log'),
      config: open('config.log'),
      spam: open('spam.log'),
      debug: options.debug ? open('debug.log') : null,
    };
    try {
      await Promise.all(opened.map((file) => once(file, 'open')));
    } catch (error) {
      for (const file of opened) file.destroy();
      throw new StartupError(`cannot write the logs: ${(error as Error).message}`);
    }
    for (const file of opened) {
      // Without a listener, a stream's 'error' ends the process. A failed stream is destroyed,
      // and writes to it are skipped (see `writable`).
      let told = false;
      file.on('error', (error) => {
        if (!told) options.stderr(`cannot write ${String(file.path)}: ${error.message}`);
        told = true;
      });
    }
    return new KerioLogs(files, clock, options);
  }

  /** A logger for one service (`imap`, `pop3`, `smtp`, `store`, `queue`): its name tags each line. */
  logger(service: string): Logger {
    return {
      error: (message, fields) => {
        const line = formatLogLine(service, message, fields);
        this.write('error', line);
        const stack = Object.values(fields ?? {}).find((value) => value instanceof Error);
        this.options.stderr(
          stack instanceof Error && stack.stack ? `${line}\n${indent(stack.stack)}` : line,
        );
      },
      warn: (message, fields) => this.write('warning', formatLogLine(service, message, fields)),
      info: (message, fields) => this.write('debug', formatLogLine(service, message, fields)),
    };
  }

  /** Writes out what is buffered and closes the files. */
  async close(): Promise<void> {
    // A session still finishing may log after this; its entries are dropped, not an error.
    this.closed = true;
    await Promise.all(
      Object.values(this.files).map((file) =>
        file === null ? undefined : new Promise<void>((resolve) => file.end(() => resolve())),
      ),
    );
  }

  private write(name: LogName, line: string): void {
    const file = this.files[name];
    if (this.closed || !file?.writable) return;
    file.write(`${formatLogTimestamp(this.clock.now(), localOffset)} ${line}\n`);
  }
}

type LogName = 'mail' | 'security' | 'error' | 'warning' | 'config' | 'spam' | 'debug';

function indent(stack: string): string {
  return stack
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n');
}

/** The server's offset from UTC at a moment, in minutes (follows daylight saving). */
function localOffset(time: number): number {
  return -new Date(time).getTimezoneOffset();
}
