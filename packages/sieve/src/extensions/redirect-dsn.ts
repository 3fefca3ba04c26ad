// redirect-dsn and redirect-deliverby (RFC 6009): tags on `redirect` that set the DSN (RFC 3461)
// and DELIVERBY (RFC 2852) parameters the host uses when it sends the redirected message on.
import type { SieveExtension, TagExtension } from '../compiler/definitions.js';
import type { RedirectAction, SieveAction } from '../interpreter/actions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';

const NOTIFY_VALUES = new Set(['SUCCESS', 'FAILURE', 'DELAY']);

/** `NEVER`, or a comma-separated list of SUCCESS, FAILURE and DELAY (RFC 3461 4.1). */
export function parseDsnNotify(value: string): readonly string[] | string {
  const items = value.split(',').map((item) => item.trim().toUpperCase());
  if (items.length === 1 && items[0] === 'NEVER') return ['NEVER'];
  if (items.length > 0 && items.every((item) => NOTIFY_VALUES.has(item)))
    return [...new Set(items)];
  return `invalid :notify value '${value}': "NEVER" or a list of SUCCESS, FAILURE and DELAY`;
}

function redirectTag(
  tag: TagExtension['tag'],
  decorate: (
    action: RedirectAction,
    value: string | readonly string[] | number | true,
    runtime: SieveRuntime,
  ) => RedirectAction | string,
): TagExtension {
  return {
    targets: ['redirect'],
    tag,
    decorateAction(action: SieveAction, value, runtime) {
      if (action.type !== 'redirect') return action;
      const decorated = decorate(action, value, runtime);
      if (typeof decorated === 'string') {
        runtime.fail(`redirect: ${decorated}`);
        return action;
      }
      return decorated;
    },
  };
}

const notifyTag = redirectTag(
  { name: 'notify', argument: { name: 'notify-value', kind: 'string' } },
  (action, value) => {
    const parsed = parseDsnNotify(String(value));
    return typeof parsed === 'string' ? parsed : { ...action, dsnNotify: parsed };
  },
);

const retTag = redirectTag(
  { name: 'ret', argument: { name: 'ret-value', kind: 'string' } },
  (action, value) => {
    const ret = String(value).toUpperCase();
    return ret === 'FULL' || ret === 'HDRS'
      ? { ...action, dsnReturn: ret }
      : `invalid :ret value '${String(value)}': "FULL" or "HDRS"`;
  },
);

const deliverBy = (action: RedirectAction) =>
  action.deliverBy ?? { mode: 'return' as const, trace: false };

const byTimeRelative = redirectTag(
  {
    name: 'bytimerelative',
    argument: { name: 'rlimit', kind: 'number' },
    group: 'bytime',
  },
  (action, value, runtime) => {
    const now = runtime.host.now ? runtime.host.now() : new Date();
    const seconds = Number(value);
    return {
      ...action,
      deliverBy: { ...deliverBy(action), deadline: new Date(now.getTime() + seconds * 1000) },
    };
  },
);

const byTimeAbsolute = redirectTag(
  {
    name: 'bytimeabsolute',
    argument: { name: 'alimit', kind: 'string' },
    group: 'bytime',
  },
  (action, value) => {
    // RFC 3339 date-time (RFC 6009 section 3).
    const text = String(value);
    const valid =
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(text) &&
      !Number.isNaN(Date.parse(text));
    return valid
      ? { ...action, deliverBy: { ...deliverBy(action), deadline: new Date(text) } }
      : `invalid :bytimeabsolute value '${text}': an RFC 3339 date-time such as 2026-01-02T03:04:05Z`;
  },
);

const byMode = redirectTag(
  { name: 'bymode', argument: { name: 'mode', kind: 'string' } },
  (action, value) => {
    const mode = String(value).toLowerCase();
    return mode === 'notify' || mode === 'return'
      ? { ...action, deliverBy: { ...deliverBy(action), mode } }
      : `invalid :bymode value '${String(value)}': "notify" or "return"`;
  },
);

const byTrace = redirectTag({ name: 'bytrace' }, (action) => ({
  ...action,
  deliverBy: { ...deliverBy(action), trace: true },
}));

/** `redirect :notify ... :ret ...` (RFC 6009 section 4). */
export const redirectDsn: SieveExtension = {
  capability: 'redirect-dsn',
  tagExtensions: [notifyTag, retTag],
};

/** `redirect :bytimerelative|:bytimeabsolute ... [:bymode ...] [:bytrace]` (RFC 6009 section 5). */
export const redirectDeliverBy: SieveExtension = {
  capability: 'redirect-deliverby',
  tagExtensions: [byTimeRelative, byTimeAbsolute, byMode, byTrace],
};
