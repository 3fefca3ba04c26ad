import type { SieveAction } from '../interpreter/actions.js';
import type { SieveEnvelope } from '../interpreter/envelope.js';
import type { OutboxEntry, PretendMailStore } from './mail-store.js';

const encoder = new TextEncoder();

export interface ExecutionTarget {
  readonly store: PretendMailStore;
  readonly outbox: OutboxEntry[];
  /** Where errors of execution go (the testsuite's error log). */
  error(message: string): void;
}

/** The identity the runner uses where Pigeonhole writes its own (sieve-testsuite.md 5.2). */
const IMPLEMENTATION = 'Mailyard Sieve';
const POSTMASTER = 'postmaster@example.com';

function concat(head: string, body: Uint8Array): Uint8Array {
  const prefix = encoder.encode(head);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/** A plain bounce for `reject` (RFC 5429 section 2.1 allows a DSN or an MDN; the runner shows the reason). */
function rejectBounce(reason: string, envelope: SieveEnvelope): Uint8Array {
  const head = [
    `From: Postmaster <${POSTMASTER}>`,
    `To: <${envelope.from}>`,
    'Subject: Rejected: your message',
    'Auto-Submitted: auto-replied (rejected)',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message to <${envelope.to}> was rejected:`,
    '',
    reason,
    '',
    '',
  ].join('\r\n');
  return encoder.encode(head);
}

/**
 * Carries out actions against the pretend store and outbox, as a delivery would. Returns false
 * when an action failed (the failsafe keep then stores the message in INBOX).
 */
export function executeActions(
  actions: readonly SieveAction[],
  implicitKeep: boolean,
  message: Uint8Array,
  envelope: SieveEnvelope,
  target: ExecutionTarget,
  /** The implicit keep's flags (imap4flags' internal variable). */
  keepFlags: readonly string[] = [],
): boolean {
  let ok = true;
  let keep = implicitKeep;
  let kept = false;
  for (const action of actions) {
    // The message as the script had changed it when it took the action (editheader).
    const bytes = action.message?.bytes ?? message;
    switch (action.type) {
      case 'keep':
        target.store.append('INBOX', { bytes, flags: action.flags ?? [] });
        kept = true;
        break;
      case 'fileinto':
        if (action.create) target.store.create(action.mailbox);
        if (!target.store.append(action.mailbox, { bytes, flags: action.flags ?? [] })) {
          target.error(
            `failed to store into mailbox '${action.mailbox}': Mailbox doesn't exist: ${action.mailbox}`,
          );
          ok = false;
          keep = true;
        }
        break;
      case 'redirect': {
        const head = `X-Sieve: ${IMPLEMENTATION}\r\nX-Sieve-Redirected-From: ${envelope.to}\r\n`;
        target.outbox.push({
          bytes: concat(head, bytes),
          from: envelope.from,
          to: action.address,
        });
        break;
      }
      case 'reject':
        if (envelope.from !== '') {
          target.outbox.push({
            bytes: rejectBounce(action.reason, envelope),
            from: '',
            to: envelope.from,
          });
        }
        break;
      case 'discard':
        break;
      case 'vacation':
        if (action.reply)
          target.outbox.push({ bytes: action.reply.content, from: '', to: action.reply.to });
        break;
      case 'notify':
        for (const to of action.mail.to)
          target.outbox.push({ bytes: action.mail.content, from: action.mail.from, to });
        // fcc (RFC 8580): a copy of what was sent; a missing mailbox takes nothing.
        if (action.fcc)
          target.store.append(action.fcc.mailbox, { bytes: action.mail.content, flags: [] });
        break;
    }
  }
  // The implicit (or failsafe) keep stores nothing when an explicit keep already did; the
  // failsafe keep after a failed action stores the message plain, the implicit keep with the
  // script's flags.
  if (keep && !kept) target.store.append('INBOX', { bytes: message, flags: ok ? keepFlags : [] });
  return ok;
}
