import type { ActionDefinition } from '../compiler/definitions.js';
import type { SieveAction } from '../interpreter/actions.js';

/** Whether a mailbox name is INBOX, which is case-insensitive (RFC 3501 section 5.1). */
export function isInbox(mailbox: string): boolean {
  return mailbox.length === 5 && mailbox.toUpperCase() === 'INBOX';
}

function sameMailbox(a: string, b: string): boolean {
  return a === b || (isInbox(a) && isInbox(b));
}

/** Where a delivery action stores the message, or undefined when it stores nothing. */
function storedIn(action: SieveAction): string | undefined {
  if (action.type === 'keep') return 'INBOX';
  if (action.type === 'fileinto') return action.mailbox;
  return undefined;
}

/** Keep and fileinto of one mailbox store the message once (RFC 5228 section 2.10.3). */
function sameStore(action: SieveAction, earlier: SieveAction): boolean {
  const a = storedIn(action);
  const b = storedIn(earlier);
  return a !== undefined && b !== undefined && sameMailbox(a, b);
}

export const KEEP_ACTION: ActionDefinition = {
  type: 'keep',
  cancelsImplicitKeep: () => true,
  duplicates: sameStore,
};

export const FILEINTO_ACTION: ActionDefinition = {
  type: 'fileinto',
  cancelsImplicitKeep: (action) => !(action.type === 'fileinto' && action.copy),
  duplicates: sameStore,
};

export const DISCARD_ACTION: ActionDefinition = {
  type: 'discard',
  cancelsImplicitKeep: () => true,
  duplicates: (action, earlier) => earlier.type === 'discard',
};

/**
 * Redirects to one address are sent once. The commands give the address with its domain in lower
 * case, and local parts are compared as written (they may be case-sensitive, RFC 5321 2.4), as
 * Pigeonhole compares them.
 */
export const REDIRECT_ACTION: ActionDefinition = {
  type: 'redirect',
  cancelsImplicitKeep: (action) => !(action.type === 'redirect' && action.copy),
  duplicates: (action, earlier) =>
    action.type === 'redirect' && earlier.type === 'redirect' && action.address === earlier.address,
};

/** Actions `reject` and `ereject` cannot stand beside (RFC 5429 section 2.2). */
const REJECT_CONFLICTS = new Set(['keep', 'fileinto', 'redirect', 'reject', 'vacation']);

export const REJECT_ACTION: ActionDefinition = {
  type: 'reject',
  cancelsImplicitKeep: () => true,
  conflicts(action, other) {
    if (!REJECT_CONFLICTS.has(other.type)) return undefined;
    if (other.type === 'reject') return 'the message is rejected more than once';
    const name = action.type === 'reject' && action.extended ? 'ereject' : 'reject';
    return `the ${name} action conflicts with the ${other.type} action (RFC 5429 section 2.2)`;
  },
};
