// vacation (RFC 5230) and vacation-seconds (RFC 6131): an automatic reply, at most once per
// sender and handle within a period. The interpreter decides whether to reply (the rules of RFC
// 5230 4.5 and 4.6, and the host's response tracking) and builds the reply; the host sends it.
import { parseAddressList } from '@mailyard/mime';
import type { Arguments } from '../compiler/arguments.js';
import type {
  ActionDefinition,
  CommandDefinition,
  SieveExtension,
  ValidationContext,
} from '../compiler/definitions.js';
import type { ActionOrigin } from '../interpreter/actions.js';
import { addressText, envelopeAddress } from '../interpreter/address.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { buildVacationReply, defaultHandle } from './vacation-reply.js';

/** A reply to send: from the null sender `<>` (RFC 5230 5.1) to the envelope sender. */
export interface VacationReply {
  /** The envelope sender of the reply: always '' (`<>`). */
  readonly from: '';
  readonly to: string;
  /** The finished message (RFC 5230 section 5). */
  readonly content: Uint8Array;
}

/** What the host records once the reply is sent (RFC 5230 4.2). */
export interface VacationTracking {
  /** The envelope sender answered, lower case. */
  readonly sender: string;
  readonly handle: string;
  readonly periodSeconds: number;
}

/** `vacation`: the reply the script asks for, and whether it is sent. */
export interface VacationAction extends ActionOrigin {
  readonly type: 'vacation';
  readonly reason: string;
  /** `:subject`, `:from`, `:addresses`, `:mime` as given (variables expanded). */
  readonly subject: string | null;
  readonly from: string | null;
  readonly addresses: readonly string[];
  readonly mime: boolean;
  /** `:handle`, or the default (a digest of reason, subject, from and mime). */
  readonly handle: string;
  /** The period in seconds after the limits: `:days` x 86400, `:seconds`, or the default. */
  readonly periodSeconds: number;
  /** The reply to send, or null when none is sent (see `suppressed`). */
  readonly reply: VacationReply | null;
  /** Why no reply is sent (the rule of RFC 5230 that says so), or null when one is. */
  readonly suppressed: string | null;
  /** For the host's response tracking, when a reply is sent. */
  readonly tracking: VacationTracking | null;
}

/** A second vacation in one result is an error (RFC 5230 4.7); reject excludes it (RFC 5429). */
export const VACATION_ACTION: ActionDefinition = {
  type: 'vacation',
  cancelsImplicitKeep: () => false,
  conflicts: (_action, earlier) =>
    earlier.type === 'vacation'
      ? 'the vacation action is executed more than once (RFC 5230 section 4.7)'
      : undefined,
};

/**
 * Headers of mailing-list software (RFC 2369, 2919): RFC 5230 4.6 says not to answer mail that
 * carries one.
 */
const LIST_HEADERS = [
  'list-id',
  'list-help',
  'list-subscribe',
  'list-unsubscribe',
  'list-post',
  'list-owner',
  'list-archive',
];

/** Where the user's address must appear for a reply (RFC 5230 4.5). */
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc'];

/**
 * Senders vacation never answers (RFC 5230 4.6: the implementation's list of system addresses):
 * daemons, and the addresses mailing-list software sends from (Kerio's lists send from
 * `<list>-bounce@domain`).
 */
export function isSystemSender(localPart: string): boolean {
  const local = localPart.toLowerCase();
  return (
    local === 'mailer-daemon' ||
    local === 'listserv' ||
    local === 'majordomo' ||
    local === 'nobody' ||
    local.startsWith('owner-') ||
    local.endsWith('-request') ||
    local.endsWith('-bounce') ||
    local.endsWith('-bounces')
  );
}

/** The first address of a From-like value, or null when it holds none. */
function firstAddress(value: string): string | null {
  for (const entry of parseAddressList(value)) {
    if (entry.type === 'mailbox' && entry.localPart !== '' && entry.domain)
      return `${entry.localPart}@${entry.domain}`;
  }
  return null;
}

/** Why a reply must not be sent, or null: RFC 5230 4.5 and 4.6, in the order Pigeonhole checks. */
function suppression(
  runtime: SieveRuntime,
  sender: string,
  mine: ReadonlySet<string>,
): { reason: string } | { reason: null; matched: string | null } {
  const message = runtime.message;
  if (sender === '') return { reason: 'the envelope sender is null (<>)' };
  const autoSubmitted = message.headerValues('auto-submitted');
  for (const value of autoSubmitted) {
    const keyword = value.split(/[\s;(]/, 1)[0]!.toLowerCase();
    if (keyword !== 'no') return { reason: `the message is Auto-Submitted: ${value}` };
  }
  for (const name of LIST_HEADERS) {
    if (message.hasHeader(name)) return { reason: `the message comes from a list (${name})` };
  }
  for (const value of message.headerValues('precedence')) {
    if (/^(bulk|list|junk)$/i.test(value.trim()))
      return { reason: `the message has Precedence: ${value.trim()}` };
  }
  const senderAddress = envelopeAddress(sender);
  if (isSystemSender(senderAddress.localPart))
    return { reason: `the sender <${sender}> is a system or list address` };
  if (mine.has(sender.toLowerCase())) return { reason: 'the message is from the user' };
  runtime.step(RECIPIENT_HEADERS.length);
  for (const name of RECIPIENT_HEADERS) {
    for (const address of message.addresses(name)) {
      const text = addressText(address).toLowerCase();
      if (mine.has(text)) return { reason: null, matched: addressText(address) };
    }
  }
  return { reason: 'no address of the user is among the recipients (To, Cc, Bcc, Resent-*)' };
}

/** The reply's Subject (RFC 5230 4.3): `:subject`, else `Auto: ` and the original. */
function replySubject(runtime: SieveRuntime, given: string | null): string {
  if (given !== null) return given;
  const original = runtime.message.headerValues('subject')[0];
  return original === undefined || original === '' ? 'Automated reply' : `Auto: ${original}`;
}

/** The period in seconds, held to the limits (RFC 5230 4.1, RFC 6131 2). */
function period(args: Arguments, runtime: SieveRuntime): number {
  const limits = runtime.limits;
  const days = args.tagNumber('days');
  const seconds = args.tagNumber('seconds');
  let value =
    days !== undefined
      ? days * 86_400
      : seconds !== undefined
        ? seconds
        : limits.vacationDefaultPeriod;
  if (value < limits.vacationMinPeriod) value = limits.vacationMinPeriod;
  if (limits.vacationMaxPeriod > 0 && value > limits.vacationMaxPeriod)
    value = limits.vacationMaxPeriod;
  return value;
}

/** Whether a `:from` value is one mailbox (a display name allowed), as RFC 5230 4.3 asks. */
function fromProblem(value: string): string | undefined {
  const entries = parseAddressList(value);
  const only = entries[0];
  if (
    entries.length !== 1 ||
    only === undefined ||
    only.type !== 'mailbox' ||
    only.localPart === '' ||
    !only.domain
  )
    return `the :from value '${value}' is not a valid address`;
  return undefined;
}

function validate(args: Arguments, context: ValidationContext): void {
  const from = args.tagString('from');
  if (from && from.parts === null) {
    const problem = fromProblem(from.text);
    if (problem) context.error(from, problem);
  }
  for (const item of args.tagStringList('addresses')?.items ?? []) {
    if (item.parts === null && firstAddress(item.text) === null)
      context.error(item, `the :addresses value '${item.text}' is not an address`);
  }
  const mime = args.has('mime');
  const reason = args.string(0);
  if (mime && reason.parts === null && !/\r?\n\r?\n|^\r?\n/.test(reason.text)) {
    context.warning(
      reason,
      'with :mime the reason should be a MIME entity (header, blank line, body)',
    );
  }
}

function execute(args: Arguments, _data: unknown, runtime: SieveRuntime): void {
  const reason = runtime.string(args.string(0));
  const subjectTag = args.tagString('subject');
  const fromTag = args.tagString('from');
  const handleTag = args.tagString('handle');
  const addressesTag = args.tagStringList('addresses');
  const subject = subjectTag ? runtime.string(subjectTag) : null;
  let from = fromTag ? runtime.string(fromTag) : null;
  // An invalid :from made of variables is left out, the user's address standing in (RFC 5230 4.3).
  if (from !== null && fromProblem(from) !== undefined) from = null;
  const addresses = addressesTag ? runtime.stringList(addressesTag) : [];
  const mime = args.has('mime');
  const handle = handleTag ? runtime.string(handleTag) : defaultHandle(reason, subject, from, mime);
  const periodSeconds = period(args, runtime);

  const envelope = runtime.envelope;
  const sender = envelope.from;
  const mine = new Set<string>();
  for (const address of [envelope.to, ...(runtime.host.userAddresses?.() ?? []), ...addresses]) {
    const plain = address.includes('<') ? firstAddress(address) : address.trim();
    if (plain) mine.add(plain.toLowerCase());
  }
  const base = {
    type: 'vacation' as const,
    reason,
    subject,
    from,
    addresses,
    mime,
    handle,
    periodSeconds,
    origin: args.at,
  };
  const verdict = suppression(runtime, sender, mine);
  const matched = verdict.reason === null ? verdict.matched : null;
  let suppressed = verdict.reason;
  const tracking = { sender: sender.toLowerCase(), handle, periodSeconds };
  if (
    suppressed === null &&
    periodSeconds > 0 &&
    runtime.host.vacationReplied?.(tracking.sender, handle, periodSeconds) === true
  )
    suppressed = `a reply with this handle went to <${sender}> within ${periodSeconds} seconds`;
  if (suppressed !== null) {
    runtime.addAction({ ...base, reply: null, suppressed, tracking: null }, args);
    return;
  }
  // To the return path, never to Reply-To (RFC 5230 5.4); the From field's name when it is that.
  const originalFrom = runtime.message.rawHeaderValues('from')[0];
  const to =
    originalFrom !== undefined && firstAddress(originalFrom)?.toLowerCase() === tracking.sender
      ? originalFrom.trim()
      : `<${sender}>`;
  const content = buildVacationReply({
    message: runtime.message,
    sender,
    from: from ?? matched ?? envelope.to,
    to,
    subject: replySubject(runtime, subject),
    reason,
    mime,
    handle,
    now: runtime.host.now?.() ?? new Date(),
  });
  runtime.addAction(
    { ...base, reply: { from: '', to: sender, content }, suppressed: null, tracking },
    args,
  );
}

const STRING = 'string' as const;

/** The command; vacation-seconds registers it too, so either capability enables it. */
const vacationCommand: CommandDefinition = {
  name: 'vacation',
  tags: [
    { name: 'days', argument: { name: 'days', kind: 'number' }, group: 'period' },
    { name: 'subject', argument: { name: 'subject', kind: STRING } },
    { name: 'from', argument: { name: 'from', kind: STRING } },
    { name: 'addresses', argument: { name: 'addresses', kind: 'string-list' } },
    { name: 'mime' },
    { name: 'handle', argument: { name: 'handle', kind: STRING } },
  ],
  positional: [{ name: 'reason', kind: STRING }],
  validate,
  execute,
};

/** The vacation extension (RFC 5230). Its periods are the run's `vacation*Period` limits. */
export const vacation: SieveExtension = {
  capability: 'vacation',
  commands: [vacationCommand],
  actions: [VACATION_ACTION],
};

/**
 * vacation-seconds (RFC 6131): `:seconds` on vacation. Requiring it enables vacation as well
 * (RFC 6131 section 2).
 */
export const vacationSeconds: SieveExtension = {
  capability: 'vacation-seconds',
  commands: [vacationCommand],
  actions: [VACATION_ACTION],
  tagExtensions: [
    {
      targets: ['vacation'],
      tag: { name: 'seconds', argument: { name: 'seconds', kind: 'number' }, group: 'period' },
    },
  ],
};
