import type { SieveScriptStore } from '@mailyard/managesieve';
import { type Clock, JUNK_EMAIL, type Logger, type MailStore } from '@mailyard/mailstore-interface';
import { formatRfc5322Date, parseHeaders } from '@mailyard/mime';
import { type RedirectAction, runScript } from '@mailyard/sieve';
import type {
  FiledCopy,
  FilterDecision,
  MailboxFilter,
  OutgoingMessage,
  Redirect,
} from '@mailyard/smtp-core';
import type { CompiledScripts } from './sieve-scripts.js';
import type { SieveTracking, SieveTrackingRecord } from './sieve-tracking.js';

export interface SieveDeliveryOptions {
  readonly scripts: SieveScriptStore;
  readonly compiled: CompiledScripts;
  readonly store: MailStore;
  readonly hostname: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Vacation replies and duplicate ids: on disk beside each user's scripts, or in the database
   * the servers share.
   */
  readonly tracking: SieveTracking;
  /**
   * A message with more Received fields than this is not redirected again (kept instead, and
   * logged): a redirect loop between servers ends there, as RFC 5321 6.3 counts hops. Default 100.
   */
  readonly maxHops?: number;
  /**
   * Kerio's predefined Spam rule for users without a script of their own: a message the spam
   * filter tagged (`X-Spam-Flag: YES`) goes to Junk E-mail. A user's script decides for itself
   * (its own Spam rule, `spamtest`, or nothing). Default false.
   */
  readonly junkWithoutScript?: boolean;
}

const KEEP: FilterDecision = { fileInto: [{ mailbox: 'INBOX' }], redirect: [], send: [] };
const JUNK: FilterDecision = {
  fileInto: [{ mailbox: JUNK_EMAIL, create: true }],
  redirect: [],
  send: [],
};

/**
 * Local delivery's filter: runs the user's active Sieve script (uploaded over ManageSieve) on
 * the message and turns its actions into a decision the delivery agent carries out once. No
 * active script: the INBOX. A script that does not compile or fails while it runs: the INBOX
 * too (RFC 5228 2.10.6), the error in the log and, once per script, a message in the user's
 * INBOX saying what went wrong, as Kerio and Pigeonhole do. A script that cannot be read
 * (an I/O error) throws: delivery is deferred rather than the user's rules skipped.
 */
export function sieveFilter(options: SieveDeliveryOptions): MailboxFilter {
  const reported = new Set<string>();
  const maxHops = options.maxHops ?? 100;

  return async ({ user, recipients, envelope, content }) => {
    const active = await options.scripts.getActive(user);
    if (!active) return options.junkWithoutScript && isTaggedSpam(content) ? JUNK : KEEP;
    const { script, errors } = options.compiled.get(active.content);
    if (!script) {
      await reportError(user, active.name, active.content, 'does not compile', errors);
      return KEEP;
    }
    const folders = await options.store.access(user).list();
    const mailboxes = new Set(folders.map((info) => info.name.toLowerCase()));
    const tracked = await options.tracking.load(user);
    // The interpreter asks synchronously: the user's other scripts are read before the run when
    // the active one may include them (RFC 6609 :personal; there are no global scripts here).
    const personal = new Map<string, string>();
    if (/\binclude\b/.test(active.content)) {
      for (const entry of (await options.scripts.list(user)).scripts) {
        const text = await options.scripts.get(user, entry.name);
        if (text !== null) personal.set(entry.name, text);
      }
    }
    /** Where a fileinto stores: its mailbox id (RFC 9042), its special use (RFC 8579), its name. */
    const folderOf = (action: { mailbox: string; mailboxId?: string; specialUse?: string }) =>
      (action.mailboxId !== undefined
        ? folders.find((info) => info.id === action.mailboxId)?.name
        : undefined) ??
      (action.specialUse !== undefined
        ? folders.find((info) => info.specialUse === action.specialUse)?.name
        : undefined) ??
      action.mailbox;
    const run = runScript(
      script,
      {
        message: content,
        envelope: {
          from: envelope.from,
          to: recipients[0] ?? user,
          ...(envelope.recipients[0]?.originalRecipient
            ? { originalRecipient: envelope.recipients[0].originalRecipient }
            : {}),
        },
      },
      {
        host: {
          mailboxExists: (name) =>
            name.toUpperCase() === 'INBOX' || mailboxes.has(name.toLowerCase()),
          now: () => new Date(options.clock.now()),
          vacationReplied: (sender, handle, seconds) =>
            tracked.vacationReplied(sender, handle, seconds),
          duplicateSeen: (id, handle) => tracked.duplicateSeen(id, handle),
          // RFC 5183 items: a delivery agent (MDA) runs the script while it delivers.
          environment: (name) =>
            ({
              host: options.hostname,
              domain: options.hostname,
              location: 'MDA',
              phase: 'during',
            })[name],
          specialUseExists: (attribute, mailbox) =>
            folders.some(
              (info) =>
                info.specialUse === attribute &&
                (mailbox === undefined || info.name.toLowerCase() === mailbox.toLowerCase()),
            ),
          mailboxIdExists: (id) => folders.some((info) => info.id === id),
          includedScript: (name, location) =>
            location === 'personal' ? personal.get(name) : undefined,
        },
      },
    );
    if (run.status === 'error') {
      const where = run.error ? `line ${run.error.line}: ${run.error.message}` : 'unknown error';
      await reportError(user, active.name, active.content, 'failed', [where]);
      return KEEP;
    }
    const fileInto: FiledCopy[] = [];
    const redirect: Redirect[] = [];
    const send: OutgoingMessage[] = [];
    const records: SieveTrackingRecord[] = [];
    /** Vacation replies, each with its record: it goes only if the record is made. */
    const replies: { record: number; message: OutgoingMessage; to: string }[] = [];
    let reject: string | undefined;
    const file = (copy: FiledCopy) => {
      if (!fileInto.some((known) => known.mailbox === copy.mailbox)) fileInto.push(copy);
    };
    for (const action of run.actions) {
      // The copy as the script made it when it took the action (editheader), if it changed it.
      const edited = action.message ? { content: Buffer.from(action.message.bytes) } : {};
      switch (action.type) {
        case 'keep':
          file({ mailbox: 'INBOX', ...(action.flags ? { flags: action.flags } : {}), ...edited });
          break;
        case 'fileinto':
          file({
            mailbox: folderOf(action),
            ...(action.flags ? { flags: action.flags } : {}),
            ...(action.create ? { create: true } : {}),
            ...edited,
          });
          break;
        case 'redirect':
          if (hops(content) > maxHops) {
            options.logger.warn(
              `sieve: ${user}'s script redirects a message that has made more than ${maxHops} hops; kept instead`,
            );
            file({ mailbox: 'INBOX' });
          } else redirect.push(redirectOf(action, edited.content));
          break;
        case 'reject':
          reject = action.reason;
          break;
        case 'discard':
          break;
        case 'vacation':
          if (action.reply && action.tracking) {
            // Through the queue like any message, from <> (RFC 5230 5.1).
            replies.push({
              record: records.length,
              to: action.reply.to,
              message: {
                from: action.reply.from,
                to: [action.reply.to],
                content: Buffer.from(action.reply.content),
              },
            });
            records.push({ kind: 'vacation', tracking: action.tracking });
          } else {
            options.logger.info(`sieve: ${user}'s vacation sends no reply: ${action.suppressed}`);
          }
          break;
        case 'duplicate':
          records.push({ kind: 'duplicate', action });
          break;
        case 'notify':
          // enotify's mailto: the notification, built by the script's run, goes out by the queue.
          send.push({
            from: action.mail.from,
            to: action.mail.to,
            content: Buffer.from(action.mail.content),
          });
          // fcc (RFC 8580): a copy of the notification in the user's own folder.
          if (action.fcc)
            file({ mailbox: action.fcc.mailbox, content: Buffer.from(action.mail.content) });
          break;
      }
    }
    // Recorded as the decision is made (the queue journals it and carries it out once): a
    // vacation reply is never sent twice for one sender and period. A reply whose record
    // another delivery made first (one of several servers, or this one's other delivery to the
    // user) does not go.
    const made = await options.tracking.record(user, records);
    for (const reply of replies) {
      if (made[reply.record]) {
        send.push(reply.message);
        options.logger.info(`sieve: ${user}'s vacation replies to <${reply.to}>`);
      } else {
        options.logger.info(
          `sieve: ${user}'s vacation sends no reply to <${reply.to}>: another delivery replied within the period`,
        );
      }
    }
    options.logger.info(
      `sieve: ${user} (${active.name}): ${run.actions.map((action) => action.type).join(', ') || 'discard'}`,
    );
    return { fileInto, redirect, ...(reject !== undefined ? { reject } : {}), send };
  };

  /**
   * What the queue is to do with a redirect: the message as the script made it (editheader's
   * copy, RFC 5293 7), with redirect-dsn's NOTIFY and RET (RFC 6009 2). The queue has no RFC 2852
   * DELIVERBY, so redirect-deliverby's deadline is not passed on (it is logged).
   */
  function redirectOf(action: RedirectAction, content: Buffer | undefined): Redirect {
    if (action.deliverBy)
      options.logger.info(
        `sieve: the redirect to <${action.address}> asks for DELIVERBY, which the queue does not send; it goes without`,
      );
    return {
      address: action.address,
      ...(action.dsnNotify ? { notify: dsnNotify(action.dsnNotify) } : {}),
      ...(action.dsnReturn ? { ret: action.dsnReturn } : {}),
      ...(content ? { content } : {}),
    };
  }

  /** The error in the log, and once per script text in the user's INBOX. */
  async function reportError(
    user: string,
    name: string,
    text: string,
    what: string,
    errors: readonly string[],
  ): Promise<void> {
    options.logger.error(`sieve: ${user}'s script "${name}" ${what}: ${errors.join('; ')}`);
    const key = `${user}\0${text}`;
    if (reported.has(key)) return;
    reported.add(key);
    const date = formatRfc5322Date(options.clock.now(), 0);
    const body = [
      `Your mail filter "${name}" ${what}, so messages are delivered to your Inbox`,
      'without it until it is corrected:',
      '',
      ...errors.map((error) => `  ${error}`),
      '',
    ].join('\r\n');
    const report = [
      `From: Mail Delivery Subsystem <MAILER-DAEMON@${options.hostname}>`,
      `To: <${user}>`,
      `Subject: Mail filter error: "${name.replace(/[\r\n"]/g, ' ')}" ${what}`,
      `Date: ${date}`,
      'Auto-Submitted: auto-generated',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
    ].join('\r\n');
    // Straight into the store: through the queue the report would meet the same broken filter.
    await options.store
      .deliver(user, { content: Buffer.from(report, 'utf8') })
      .catch((error: unknown) => {
        reported.delete(key);
        options.logger.error(
          `sieve: could not write the error report for ${user}: ${String(error)}`,
        );
      });
  }
}

/** redirect-dsn's NOTIFY as the envelope keeps it (the interpreter checked the values). */
function dsnNotify(values: readonly string[]): Redirect['notify'] {
  return values.includes('NEVER')
    ? 'NEVER'
    : values.filter(
        (value): value is 'SUCCESS' | 'FAILURE' | 'DELAY' =>
          value === 'SUCCESS' || value === 'FAILURE' || value === 'DELAY',
      );
}

/**
 * Tagged by the spam filter. Only the server writes X-Spam-Flag: the SMTP side removes any a
 * sender wrote (`applyVerdictHeaders`), whitelisted or not.
 */
function isTaggedSpam(content: Buffer): boolean {
  return parseHeaders(content).get('x-spam-flag')?.trim().toUpperCase() === 'YES';
}

/** Received fields of the message: the hops it has made. */
function hops(content: Buffer): number {
  return parseHeaders(content).getAll('received').length;
}
