import type { MessageRecord } from '@mailyard/mailstore-interface';
import type { AddressListEntry } from '@mailyard/mime';
import type { SortCommand, SortCriterion, ThreadCommand } from '../../protocol/command.js';
import { runSearch, usesModSeq } from '../search-evaluator.js';
import type { SessionContext } from '../session-context.js';
import {
  type ThreadMessage,
  formatThreads,
  orderedSubjectThreads,
  referencesThreads,
} from '../thread-algorithms.js';
import { esearchLine } from './search-command.js';

const BATCH = 256;

async function records(session: SessionContext, uids: readonly number[]): Promise<MessageRecord[]> {
  const out: MessageRecord[] = [];
  for (let i = 0; i < uids.length; i += BATCH)
    out.push(...(await session.records(uids.slice(i, i + BATCH))));
  return out;
}

/** i;ascii-casemap (RFC 4790): ASCII letters compare without case. */
function casemap(text: string): string {
  return text.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
}

/**
 * RFC 5256: the addr-mailbox of the first address, as the ENVELOPE lists addresses. A group
 * comes first there as its start marker, whose addr-mailbox is the group's name (Dovecot sorts
 * `Cc: user2: blah@domain1.org;` by `user2`).
 */
function firstMailbox(list: readonly AddressListEntry[]): string {
  const first = list[0];
  if (!first) return '';
  return casemap(first.type === 'group' ? first.rawName : first.localPart);
}

/** The sent date (RFC 5256 2.2): the Date field, or INTERNALDATE when it has none. */
function sentDate(record: MessageRecord): number {
  return record.summary.sentDate ?? record.internalDate;
}

function sortKey(record: MessageRecord, criterion: SortCriterion): string | number {
  const { summary } = record;
  switch (criterion.key) {
    case 'ARRIVAL':
      return record.internalDate;
    case 'DATE':
      return sentDate(record);
    case 'SIZE':
      return record.size;
    case 'SUBJECT':
      return casemap(summary.baseSubject);
    case 'FROM':
      return firstMailbox(summary.envelope.from);
    case 'TO':
      return firstMailbox(summary.envelope.to);
    case 'CC':
      return firstMailbox(summary.envelope.cc);
  }
}

/** SORT and UID SORT (RFC 5256 section 3), with ESORT's RETURN options (RFC 5267). */
export async function sort(session: SessionContext, command: SortCommand): Promise<void> {
  const selection = session.selected!;
  const withModSeq = usesModSeq(command.key);
  if (withModSeq) await session.useCondstore();
  const result = await runSearch(selection, command.key, command.charset, {
    now: session.clock.now(),
    rev2: session.rev2,
    records: (uids, states) => session.records(uids, states),
  });
  const found = await records(session, result.uids);
  const keys = new Map(found.map((r) => [r.uid, command.criteria.map((c) => sortKey(r, c))]));
  const sorted = found
    .map((r) => r.uid)
    .sort((a, b) => {
      const x = keys.get(a)!;
      const y = keys.get(b)!;
      for (let i = 0; i < command.criteria.length; i++) {
        const order = x[i]! < y[i]! ? -1 : x[i]! > y[i]! ? 1 : 0;
        if (order !== 0) return command.criteria[i]!.reverse ? -order : order;
      }
      // Ties go by message sequence number, which orders as the UIDs do.
      return a - b;
    });
  const numbers = command.uid ? sorted : sorted.map((uid) => selection.view.seqOf(uid));
  if (command.returns) {
    const modSeqOf = new Map(result.uids.map((uid, i) => [uid, result.modSeqs[i]!]));
    const returns =
      command.returns.min || command.returns.max || command.returns.all || command.returns.count
        ? command.returns
        : { ...command.returns, all: true };
    await session.sendLine(
      esearchLine(
        command.tag,
        command.uid,
        returns,
        numbers,
        withModSeq ? sorted.map((uid) => modSeqOf.get(uid)!) : null,
        true,
      ),
    );
  } else {
    await session.sendLine(`* SORT${numbers.map((n) => ` ${n}`).join('')}`);
  }
  await session.finish(command, 'OK', 'Sort completed');
}

/** THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT and REFERENCES. */
export async function thread(session: SessionContext, command: ThreadCommand): Promise<void> {
  const selection = session.selected!;
  const result = await runSearch(selection, command.key, command.charset, {
    now: session.clock.now(),
    rev2: session.rev2,
    records: (uids, states) => session.records(uids, states),
  });
  const messages: ThreadMessage[] = (await records(session, result.uids)).map((r) => ({
    number: command.uid ? r.uid : selection.view.seqOf(r.uid),
    date: sentDate(r),
    baseSubject: casemap(r.summary.baseSubject),
    subject: r.summary.subject,
    messageId: r.summary.messageId,
    references: r.summary.references,
    inReplyTo: r.summary.inReplyTo,
  }));
  const threads =
    command.algorithm === 'REFERENCES'
      ? referencesThreads(messages)
      : orderedSubjectThreads(messages);
  const text = formatThreads(threads);
  await session.sendLine(`* THREAD${text ? ` ${text}` : ''}`);
  await session.finish(command, 'OK', 'Thread completed');
}
