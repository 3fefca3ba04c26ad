import type { SearchCommand, SearchReturn } from '../../protocol/command.js';
import { quote } from '../../protocol/response-builder.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { runSearch, usesModSeq } from '../search-evaluator.js';
import type { SelectedMailbox } from '../selected-mailbox.js';
import type { SessionContext } from '../session-context.js';

/**
 * SEARCH and UID SEARCH (RFC 9051 6.4.4), with ESEARCH's RETURN options (RFC 4731), SEARCHRES's
 * SAVE (RFC 5182) and CONDSTORE's MODSEQ (RFC 7162 3.1.5). IMAP4rev1 answers `* SEARCH` unless
 * RETURN is given; IMAP4rev2 always answers ESEARCH.
 */
export async function search(session: SessionContext, command: SearchCommand): Promise<void> {
  const selection = session.selected!;
  const withModSeq = usesModSeq(command.key);
  if (withModSeq) await session.useCondstore();
  let result;
  try {
    result = await runSearch(selection, command.key, command.charset, {
      now: session.clock.now(),
      rev2: session.rev2,
      records: (uids, states) => session.records(uids, states),
    });
  } catch (error) {
    // RFC 5182 2.1: a failed SEARCH ... SAVE leaves an empty saved result.
    if (command.returns?.save) selection.savedSearch = [];
    throw error;
  }
  const numbers = command.uid ? result.uids : result.uids.map((uid) => selection.view.seqOf(uid));
  const returns = command.returns ?? (session.rev2 ? allReturn() : null);
  if (returns === null) {
    const modseq = withModSeq && numbers.length > 0 ? ` (MODSEQ ${result.highestModSeq})` : '';
    await session.sendLine(`* SEARCH${numbers.map((n) => ` ${n}`).join('')}${modseq}`);
  } else {
    if (returns.save) saveResult(selection, returns, result.uids);
    if (!returns.save || returns.min || returns.max || returns.all || returns.count) {
      await session.sendLine(
        esearchLine(
          command.tag,
          command.uid,
          effective(returns),
          numbers,
          withModSeq ? result.modSeqs : null,
          false,
        ),
      );
    }
  }
  await session.finish(command, 'OK', 'Search completed');
}

/** RETURN () means RETURN (ALL) (RFC 4731 3.1). */
function effective(returns: SearchReturn): SearchReturn {
  return returns.min || returns.max || returns.all || returns.count
    ? returns
    : { ...returns, all: true };
}

function allReturn(): SearchReturn {
  return { min: false, max: false, all: true, count: false, save: false };
}

/** RFC 5182 2.4: with MIN or MAX alone, only they are saved. */
function saveResult(
  selection: SelectedMailbox,
  returns: SearchReturn,
  uids: readonly number[],
): void {
  if ((returns.min || returns.max) && !returns.all && !returns.count) {
    const saved: number[] = [];
    if (returns.min && uids.length > 0) saved.push(uids[0]!);
    if (returns.max && uids.length > 0 && uids[uids.length - 1] !== saved[0])
      saved.push(uids[uids.length - 1]!);
    selection.savedSearch = saved;
  } else {
    selection.savedSearch = [...uids];
  }
}

/**
 * An ESEARCH response (RFC 4731 3.2). `ordered` keeps the order of `numbers` (ESORT, RFC 5267):
 * MIN and MAX are then the first and the last, not the smallest and the largest. `modSeqs`, when
 * the search involved mod-sequences, holds the MODSEQ of each message of `numbers`.
 */
export function esearchLine(
  tag: string,
  uid: boolean,
  returns: SearchReturn,
  numbers: readonly number[],
  modSeqs: readonly number[] | null,
  ordered: boolean,
): string {
  let line = `* ESEARCH (TAG ${quote(tag)})${uid ? ' UID' : ''}`;
  if (numbers.length === 0) return returns.count ? `${line} COUNT 0` : line;
  let min = 0;
  let max = numbers.length - 1;
  if (!ordered) {
    for (const [i, n] of numbers.entries()) {
      if (n < numbers[min]!) min = i;
      if (n > numbers[max]!) max = i;
    }
  }
  if (returns.min) line += ` MIN ${numbers[min]}`;
  if (returns.max) line += ` MAX ${numbers[max]}`;
  if (returns.all) {
    // ESORT's ALL keeps the sort order (RFC 5267 3.1); ESEARCH's is ascending.
    line += ` ALL ${formatSequenceSet(ordered ? numbers : [...numbers].sort((a, b) => a - b))}`;
  }
  if (returns.count) line += ` COUNT ${numbers.length}`;
  if (modSeqs !== null) {
    // RFC 7162 3.1.5: with MIN or MAX alone (no ALL, no COUNT), the MODSEQ of the messages
    // returned; otherwise the highest of all that matched.
    let modSeq = 0;
    if (returns.all || returns.count) for (const m of modSeqs) modSeq = Math.max(modSeq, m);
    else modSeq = Math.max(returns.min ? modSeqs[min]! : 0, returns.max ? modSeqs[max]! : 0);
    line += ` MODSEQ ${modSeq}`;
  }
  return line;
}
