// The enotify extension (RFC 5435) with the mailto method (RFC 5436): the `notify` action, the
// `valid_notify_method` and `notify_method_capability` tests, and the `:encodeurl` modifier. The
// action carries the notification message ready to send (`action.mail`), built without I/O: the
// host only hands it to its outgoing queue.
import type {
  CommandDefinition,
  SieveExtension,
  TestDefinition,
  VariableModifier,
} from '../compiler/definitions.js';
import type { ActionOrigin } from '../interpreter/actions.js';
import { isPlainAddress } from '../interpreter/address.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { buildNotification, expandMacros, type MailtoUri, parseMailto } from './notify-mailto.js';

/** A notification to send (RFC 5435 section 3). It does not cancel the implicit keep. */
export interface NotifyAction extends ActionOrigin {
  readonly type: 'notify';
  /** The notification URI as the script gave it (`mailto:...`). */
  readonly method: string;
  /** `:from`, as given, when given. */
  readonly from?: string;
  /** `:importance`: 1 high, 2 normal (the default), 3 low. */
  readonly importance: 1 | 2 | 3;
  readonly options: readonly string[];
  /** `:message` with Kerio's macros expanded, when given. */
  readonly text?: string;
  /** fcc (RFC 8580): a copy of the notification is stored in this mailbox. */
  readonly fcc?: { readonly mailbox: string };
  /** The message to send: from the null sender `<>` to the URI's recipients. */
  readonly mail: {
    readonly from: '';
    readonly to: readonly string[];
    readonly content: Uint8Array;
  };
}

export interface EnotifyOptions {
  /** Notifications one run may send (duplicates merged first). Default 4. Past it: a runtime error. */
  readonly maxNotifications: number;
  /** Recipients of one notification (URI path, to, cc, bcc). Default 8. Past it: an error. */
  readonly maxRecipients: number;
  /** Most characters `$text[N]$` puts in. Default 4096. */
  readonly maxMacroText: number;
}

export const DEFAULT_ENOTIFY_OPTIONS: EnotifyOptions = {
  maxNotifications: 4,
  maxRecipients: 8,
  maxMacroText: 4096,
};

const IMPORTANCE_VALUES = new Set(['1', '2', '3']);

/** `:encodeurl` (RFC 5435 section 6): percent-encodes all but RFC 3986's unreserved characters. */
export const ENCODEURL: VariableModifier = {
  name: 'encodeurl',
  precedence: 15,
  apply: (value) =>
    encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    ),
};

/** Whether the message was itself sent automatically (RFC 3834: Auto-Submitted other than "no"). */
function autoSubmitted(runtime: SieveRuntime): boolean {
  return runtime.message
    .headerValues('auto-submitted')
    .some((value) => value.split(';')[0]!.trim().toLowerCase() !== 'no');
}

/** A `:from` value: a plain address, or `Name <address>`; returns the address or undefined. */
function fromAddress(from: string): string | undefined {
  if (isPlainAddress(from)) return from;
  const angle = /<([^<>]+)>\s*$/.exec(from);
  return angle && isPlainAddress(angle[1]!) ? angle[1] : undefined;
}

interface NotifyState {
  sent: number;
  sequence: number;
}
const STATE = {};

/** The enotify extension with the mailto method and its options. */
export function enotifyExtension(options: Partial<EnotifyOptions> = {}): SieveExtension {
  const resolved = { ...DEFAULT_ENOTIFY_OPTIONS, ...options };
  const checkUri = (uri: string): MailtoUri | string => {
    const parsed = parseMailto(uri);
    if (typeof parsed === 'string') return parsed;
    if (parsed.recipients.length > resolved.maxRecipients)
      return `mailto URI '${uri}' names ${parsed.recipients.length} recipients; the limit is ${resolved.maxRecipients}`;
    return parsed;
  };

  const notify: CommandDefinition = {
    name: 'notify',
    tags: [
      { name: 'from', argument: { name: 'from', kind: 'string' } },
      { name: 'importance', argument: { name: 'importance', kind: 'string' } },
      { name: 'options', argument: { name: 'options', kind: 'string-list' } },
      { name: 'message', argument: { name: 'message', kind: 'string' } },
    ],
    positional: [{ name: 'method', kind: 'string' }],
    validate(args, context) {
      const method = args.string(0);
      if (method.parts === null) {
        const problem = checkUri(method.text);
        if (typeof problem === 'string') context.error(method, `notify: ${problem}`);
      }
      const importance = args.tagString('importance');
      if (importance && importance.parts === null && !IMPORTANCE_VALUES.has(importance.text))
        context.error(
          importance,
          `notify: :importance must be "1", "2" or "3", not '${importance.text}'`,
        );
      const from = args.tagString('from');
      if (from && from.parts === null && fromAddress(from.text) === undefined)
        context.error(from, `notify: :from '${from.text}' is not a valid address`);
    },
    execute(args, _data, runtime) {
      const method = runtime.string(args.string(0));
      const uri = checkUri(method);
      if (typeof uri === 'string') {
        runtime.fail(`notify: ${uri}`);
        return;
      }
      const importanceTag = args.tagString('importance');
      const importanceText = importanceTag ? runtime.string(importanceTag) : '2';
      if (!IMPORTANCE_VALUES.has(importanceText)) {
        runtime.fail(`notify: :importance must be "1", "2" or "3", not '${importanceText}'`);
        return;
      }
      const fromTag = args.tagString('from');
      const from = fromTag ? runtime.string(fromTag) : undefined;
      if (from !== undefined && fromAddress(from) === undefined) {
        runtime.fail(`notify: :from '${from}' is not a valid address`);
        return;
      }
      // No notification about a message that was itself sent automatically (RFC 5436 2.7).
      if (autoSubmitted(runtime)) return;
      const state = runtime.state<NotifyState>(STATE, () => ({ sent: 0, sequence: 0 }));
      const messageTag = args.tagString('message');
      const text =
        messageTag === undefined
          ? undefined
          : expandMacros(runtime.string(messageTag), runtime.message, resolved.maxMacroText);
      const originalSubject = runtime.message.headerValues('subject')[0] ?? '';
      const owner = runtime.envelope.to;
      const now = runtime.host.now ? runtime.host.now() : new Date();
      const domain = owner.includes('@') ? owner.slice(owner.lastIndexOf('@') + 1) : 'localhost';
      state.sequence++;
      const subject = uri.subject ?? text ?? `Notification: ${originalSubject}`;
      const body =
        uri.body ??
        text ??
        `A message from ${expandMacros('$from$', runtime.message, 0)} arrived: ${originalSubject}`;
      const content = buildNotification({
        uri,
        from: from ?? owner,
        owner,
        subject,
        body,
        importance: Number(importanceText) as 1 | 2 | 3,
        date: now,
        messageId: `<sieve-notify.${now.getTime().toString(36)}.${state.sequence}@${domain}>`,
      });
      const optionsTag = args.tagStringList('options');
      const before = runtime.result.actions.length;
      if (state.sent >= resolved.maxNotifications) {
        // A duplicate is merged by the result; only a new notification counts against the budget.
        const duplicate = runtime.result.actions.some(
          (action) => action.type === 'notify' && action.method === method,
        );
        if (!duplicate) {
          runtime.fail(
            `notify: the script sends more than ${resolved.maxNotifications} notifications`,
          );
          return;
        }
      }
      runtime.addAction(
        {
          type: 'notify',
          method,
          ...(from !== undefined ? { from } : {}),
          importance: Number(importanceText) as 1 | 2 | 3,
          options: optionsTag ? runtime.stringList(optionsTag) : [],
          ...(text !== undefined ? { text } : {}),
          mail: { from: '', to: uri.recipients, content },
          origin: args.at,
        },
        args,
      );
      if (runtime.result.actions.length > before) state.sent++;
    },
  };

  const validNotifyMethod: TestDefinition = {
    name: 'valid_notify_method',
    positional: [{ name: 'notification-uris', kind: 'string-list' }],
    evaluate(args, _data, runtime) {
      const uris = runtime.stringList(args.stringList(0));
      return uris.length > 0 && uris.every((uri) => typeof checkUri(uri) !== 'string');
    },
  };

  const notifyMethodCapability: TestDefinition = {
    name: 'notify_method_capability',
    comparator: true,
    matchType: true,
    positional: [
      { name: 'notification-uri', kind: 'string' },
      { name: 'notification-capability', kind: 'string' },
      { name: 'key-list', kind: 'string-list' },
    ],
    keyList: 2,
    evaluate(args, _data, runtime) {
      const uri = runtime.string(args.string(0));
      if (typeof checkUri(uri) === 'string') return false;
      const capability = runtime.string(args.string(1)).toLowerCase();
      // Mail gives no way to know whether the recipient is online (RFC 5436 section 2.1).
      if (capability !== 'online') return false;
      return runtime.matches(args, ['maybe'], args.stringList(2));
    },
  };

  return {
    capability: 'enotify',
    commands: [notify],
    tests: [validNotifyMethod, notifyMethodCapability],
    variableModifiers: [ENCODEURL],
    actions: [
      {
        type: 'notify',
        cancelsImplicitKeep: () => false,
        // The same URI twice notifies once (RFC 5435 section 3.9 leaves it to the implementation).
        duplicates: (action, earlier) =>
          action.type === 'notify' && earlier.type === 'notify' && action.method === earlier.method,
      },
    ],
  };
}

/** The enotify extension with the default options. */
export const enotify: SieveExtension = enotifyExtension();
