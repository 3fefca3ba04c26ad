// duplicate (RFC 7352): whether a message with the same id (its Message-ID, a header's value, or
// a value the script gives) was seen before for this handle. The host keeps the records: the run
// asks (`host.duplicateSeen`) and leaves a `duplicate` action per id, which the host records once
// the actions are carried out.
import type {
  ActionDefinition,
  SieveExtension,
  TestDefinition,
  ValidationContext,
} from '../compiler/definitions.js';
import type { Arguments } from '../compiler/arguments.js';
import type { ActionOrigin } from '../interpreter/actions.js';
import { isHeaderName } from './core.js';

/** Record that a message with this id was seen for this handle (RFC 7352 section 3). */
export interface DuplicateAction extends ActionOrigin {
  readonly type: 'duplicate';
  readonly id: string;
  readonly handle: string;
  /** How long the record lasts from when it is made, after the limits. */
  readonly periodSeconds: number;
  /** `:last`: the record's period restarts at every check, not only at the first. */
  readonly last: boolean;
}

/** One record per id and handle; it never cancels the implicit keep. */
export const DUPLICATE_ACTION: ActionDefinition = {
  type: 'duplicate',
  cancelsImplicitKeep: () => false,
  duplicates: (action, earlier) =>
    action.type === 'duplicate' &&
    earlier.type === 'duplicate' &&
    action.id === earlier.id &&
    action.handle === earlier.handle,
};

/** Ids checked in this run, per handle: a second check of one sees the first (RFC 7352 3). */
const CHECKED = { extension: 'duplicate' };

function validate(args: Arguments, context: ValidationContext): void {
  const header = args.tagString('header');
  if (header && header.parts === null && !isHeaderName(header.text))
    context.error(header, `invalid header name '${header.text}'`);
}

/**
 * `duplicate [:handle <handle>] [:header <header-name> / :uniqueid <value>] [:seconds <timeout>]
 * [:last]` (RFC 7352 section 3).
 */
const duplicateTest: TestDefinition = {
  name: 'duplicate',
  tags: [
    { name: 'handle', argument: { name: 'handle', kind: 'string' } },
    { name: 'header', argument: { name: 'header-name', kind: 'string' }, group: 'id' },
    { name: 'uniqueid', argument: { name: 'value', kind: 'string' }, group: 'id' },
    { name: 'seconds', argument: { name: 'timeout', kind: 'number' } },
    { name: 'last' },
  ],
  validate,
  evaluate(args, _data, runtime) {
    const uniqueId = args.tagString('uniqueid');
    const header = args.tagString('header');
    let id: string | undefined;
    if (uniqueId) id = runtime.string(uniqueId);
    else {
      const name = header ? runtime.string(header) : 'message-id';
      const value = runtime.message.headerValues(name)[0];
      // RFC 7352 3: a message without the field is never a duplicate.
      if (value === undefined) return false;
      id = value;
    }
    const handleTag = args.tagString('handle');
    const handle = handleTag ? runtime.string(handleTag) : '';
    const seconds = args.tagNumber('seconds') ?? runtime.limits.duplicateDefaultPeriod;
    const periodSeconds = Math.min(seconds, runtime.limits.duplicateMaxPeriod);
    const checked = runtime.state(CHECKED, () => new Set<string>());
    const key = `${handle}\0${id}`;
    const seen = checked.has(key) || runtime.host.duplicateSeen?.(id, handle) === true;
    checked.add(key);
    // Recorded when the id is new, and at every check with :last (RFC 7352 3.4).
    if (!seen || args.has('last')) {
      runtime.addAction(
        { type: 'duplicate', id, handle, periodSeconds, last: args.has('last'), origin: args.at },
        args,
      );
    }
    return seen;
  },
};

/** The duplicate extension (RFC 7352). Periods are the run's `duplicate*Period` limits. */
export const duplicate: SieveExtension = {
  capability: 'duplicate',
  tests: [duplicateTest],
  actions: [DUPLICATE_ACTION],
};
