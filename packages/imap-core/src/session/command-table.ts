import type { Command } from '../protocol/command.js';
import { deleteAcl, getAcl, listRights, myRights, setAcl } from './commands/acl-commands.js';
import { append } from './commands/append-command.js';
import { authenticate, login, starttls, unauthenticate } from './commands/auth-commands.js';
import {
  capability,
  compress,
  enable,
  id,
  logout,
  namespace,
  noop,
} from './commands/connection-commands.js';
import { copyOrMove, expunge } from './commands/copy-move-commands.js';
import { fetch } from './commands/fetch-command.js';
import { idle } from './commands/idle-command.js';
import { list, lsub } from './commands/list-commands.js';
import {
  create,
  deleteMailbox,
  rename,
  status,
  subscription,
} from './commands/mailbox-commands.js';
import { getQuota, getQuotaRoot, setQuota } from './commands/quota-commands.js';
import { search } from './commands/search-command.js';
import { close, select, unselect } from './commands/select-commands.js';
import { sort, thread } from './commands/sort-thread-commands.js';
import { store } from './commands/store-command.js';
import type { SessionContext, SessionState } from './session-context.js';

export interface CommandSpec {
  /** The states the command is valid in (RFC 9051 section 6). */
  readonly states: readonly SessionState[];
  readonly run: (session: SessionContext, command: Command) => Promise<void>;
}

const ANY: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
const NOT_AUTHENTICATED: readonly SessionState[] = ['not-authenticated'];
const AUTHENTICATED: readonly SessionState[] = ['authenticated', 'selected'];
const SELECTED: readonly SessionState[] = ['selected'];

// Each handler takes its own command type; the table is keyed so that only that type reaches it.
type Handler<C> = (session: SessionContext, command: C) => Promise<void>;
const spec = <C>(states: readonly SessionState[], run: Handler<C>): CommandSpec => ({
  states,
  run: run as Handler<Command>,
});

/** Every command by name (`UID FETCH` for the UID forms), with its states and handler. */
export const COMMAND_TABLE: ReadonlyMap<string, CommandSpec> = new Map([
  ['CAPABILITY', spec(ANY, capability)],
  ['NOOP', spec(ANY, noop)],
  ['LOGOUT', spec(ANY, logout)],
  ['ID', spec(ANY, id)],
  ['STARTTLS', spec(NOT_AUTHENTICATED, starttls)],
  ['LOGIN', spec(NOT_AUTHENTICATED, login)],
  ['AUTHENTICATE', spec(NOT_AUTHENTICATED, authenticate)],
  ['UNAUTHENTICATE', spec(AUTHENTICATED, unauthenticate)],
  ['ENABLE', spec(AUTHENTICATED, enable)],
  ['COMPRESS', spec(AUTHENTICATED, compress)],
  ['NAMESPACE', spec(AUTHENTICATED, namespace)],
  ['IDLE', spec(AUTHENTICATED, idle)],
  ['SELECT', spec(AUTHENTICATED, select)],
  ['EXAMINE', spec(AUTHENTICATED, select)],
  ['CREATE', spec(AUTHENTICATED, create)],
  ['DELETE', spec(AUTHENTICATED, deleteMailbox)],
  ['RENAME', spec(AUTHENTICATED, rename)],
  ['SUBSCRIBE', spec(AUTHENTICATED, subscription)],
  ['UNSUBSCRIBE', spec(AUTHENTICATED, subscription)],
  ['LIST', spec(AUTHENTICATED, list)],
  ['LSUB', spec(AUTHENTICATED, lsub)],
  ['STATUS', spec(AUTHENTICATED, status)],
  ['APPEND', spec(AUTHENTICATED, append)],
  ['GETQUOTA', spec(AUTHENTICATED, getQuota)],
  ['GETQUOTAROOT', spec(AUTHENTICATED, getQuotaRoot)],
  ['SETQUOTA', spec(AUTHENTICATED, setQuota)],
  ['GETACL', spec(AUTHENTICATED, getAcl)],
  ['SETACL', spec(AUTHENTICATED, setAcl)],
  ['DELETEACL', spec(AUTHENTICATED, deleteAcl)],
  ['LISTRIGHTS', spec(AUTHENTICATED, listRights)],
  ['MYRIGHTS', spec(AUTHENTICATED, myRights)],
  ['CHECK', spec(SELECTED, noop)],
  ['CLOSE', spec(SELECTED, close)],
  ['UNSELECT', spec(SELECTED, unselect)],
  ['EXPUNGE', spec(SELECTED, expunge)],
  ['UID EXPUNGE', spec(SELECTED, expunge)],
  ['SEARCH', spec(SELECTED, search)],
  ['UID SEARCH', spec(SELECTED, search)],
  ['FETCH', spec(SELECTED, fetch)],
  ['UID FETCH', spec(SELECTED, fetch)],
  ['STORE', spec(SELECTED, store)],
  ['UID STORE', spec(SELECTED, store)],
  ['COPY', spec(SELECTED, copyOrMove)],
  ['UID COPY', spec(SELECTED, copyOrMove)],
  ['MOVE', spec(SELECTED, copyOrMove)],
  ['UID MOVE', spec(SELECTED, copyOrMove)],
  ['SORT', spec(SELECTED, sort)],
  ['UID SORT', spec(SELECTED, sort)],
  ['THREAD', spec(SELECTED, thread)],
  ['UID THREAD', spec(SELECTED, thread)],
]);

/**
 * Whether untagged EXPUNGE may be sent while answering the command: never during FETCH, STORE
 * and SEARCH (RFC 9051 7.5.1), nor SORT and THREAD (RFC 5256), which number messages the same
 * way; their UID forms may.
 */
export function allowsExpunges(command: Command): boolean {
  switch (command.name) {
    case 'FETCH':
    case 'STORE':
    case 'SEARCH':
    case 'SORT':
    case 'THREAD':
      return command.uid;
    default:
      return true;
  }
}
