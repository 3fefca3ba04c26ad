import type { IndexEntry, IndexSnapshot, MessageState } from '@mailyard/mailstore-interface';

/**
 * The folder index, `index.fld`: a text file, one record per line, appended to as the folder
 * changes and rewritten whole ("compacted") now and then. See docs/mailstore-fs.md for the format.
 *
 * ```
 * MAILYARD-INDEX 1 <uidvalidity>                                         header
 * + <uid> <modseq> <internaldate> <savedate> <size> <emailid> [<flag>...]   a message
 * ~ <uid> <modseq> [<flag>...]                                           its flags changed
 * - <uid> <modseq>                                                       it was expunged
 * ```
 *
 * Every line ends with ` #` and a checksum of the rest of the line, so a torn or damaged line is
 * recognised: a torn last line (a crash during an append) is dropped, as its operation never
 * completed; damage anywhere else makes the whole index suspect, and the folder is reindexed.
 */
export const INDEX_MAGIC = 'MAILYARD-INDEX';
export const INDEX_VERSION = 1;

export type IndexRecord =
  | { readonly kind: 'message'; readonly entry: IndexEntry }
  | { readonly kind: 'flags'; readonly state: MessageState }
  | { readonly kind: 'expunge'; readonly uid: number; readonly modSeq: number };

export function headerLine(uidValidity: number): string {
  return sealed(`${INDEX_MAGIC} ${INDEX_VERSION} ${uidValidity}`);
}

export function recordLine(record: IndexRecord): string {
  switch (record.kind) {
    case 'message': {
      const { uid, modSeq, internalDate, saveDate, size, emailId, flags } = record.entry;
      return sealed(['+', uid, modSeq, internalDate, saveDate, size, emailId, ...flags].join(' '));
    }
    case 'flags':
      return sealed(['~', record.state.uid, record.state.modSeq, ...record.state.flags].join(' '));
    case 'expunge':
      return sealed(`- ${record.uid} ${record.modSeq}`);
  }
}

/** The whole index as a compacted file: header, current messages, expunge log. */
export function snapshotText(snapshot: IndexSnapshot): string {
  return [
    headerLine(snapshot.uidValidity),
    ...snapshot.entries.map((entry) => recordLine({ kind: 'message', entry })),
    ...snapshot.expunged.map(({ uid, modSeq }) => recordLine({ kind: 'expunge', uid, modSeq })),
  ].join('');
}

/** What reading an index file found. */
export type IndexReading =
  | { readonly ok: true; readonly snapshot: IndexSnapshot; readonly lines: number }
  | { readonly ok: false; readonly reason: string; readonly partial: IndexSnapshot | null };

/**
 * Replays an index file into a snapshot. A torn final line is ignored. Any other damage answers
 * `ok: false`, with whatever could be read before it (its flags are worth keeping in a reindex).
 */
export function readIndexText(text: string): IndexReading {
  const lines = text.split('\n');
  // Text after the last newline is a write that never finished: its operation never completed.
  lines.pop();
  const header = lines.length > 0 ? unseal(lines[0]!) : null;
  const match = header ? new RegExp(`^${INDEX_MAGIC} (\\d+) (\\d+)$`).exec(header) : null;
  if (!match || Number(match[1]) !== INDEX_VERSION) {
    return { ok: false, reason: 'missing or unknown header', partial: null };
  }
  const uidValidity = Number(match[2]);
  const messages = new Map<number, IndexEntry>();
  const expunged: { uid: number; modSeq: number }[] = [];
  let uidNext = 1;
  let highestModSeq = 1;
  const partial = (): IndexSnapshot => ({
    uidValidity,
    uidNext,
    highestModSeq,
    entries: [...messages.values()].sort((a, b) => a.uid - b.uid),
    expunged,
  });

  for (let i = 1; i < lines.length; i++) {
    const body = unseal(lines[i]!);
    const fields = body?.split(' ');
    const record = fields && parseRecord(fields);
    if (!record) return { ok: false, reason: `damaged line ${i + 1}`, partial: partial() };
    if (record.kind === 'message') {
      messages.set(record.entry.uid, record.entry);
      uidNext = Math.max(uidNext, record.entry.uid + 1);
      highestModSeq = Math.max(highestModSeq, record.entry.modSeq);
    } else if (record.kind === 'flags') {
      const entry = messages.get(record.state.uid);
      if (entry)
        messages.set(entry.uid, {
          ...entry,
          flags: record.state.flags,
          modSeq: record.state.modSeq,
        });
      highestModSeq = Math.max(highestModSeq, record.state.modSeq);
    } else {
      messages.delete(record.uid);
      expunged.push({ uid: record.uid, modSeq: record.modSeq });
      uidNext = Math.max(uidNext, record.uid + 1);
      highestModSeq = Math.max(highestModSeq, record.modSeq);
    }
  }
  return { ok: true, snapshot: partial(), lines: lines.length - 1 };
}

function parseRecord(fields: string[]): IndexRecord | null {
  const numbers = (from: number, to: number) => {
    const values = fields.slice(from, to).map(Number);
    return values.length === to - from && values.every((n) => Number.isSafeInteger(n) && n >= 0)
      ? values
      : null;
  };
  switch (fields[0]) {
    case '+': {
      const values = numbers(1, 6);
      const emailId = fields[6];
      if (!values || !emailId) return null;
      const [uid, modSeq, internalDate, saveDate, size] = values as [
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        kind: 'message',
        entry: { uid, modSeq, internalDate, saveDate, size, emailId, flags: fields.slice(7) },
      };
    }
    case '~': {
      const values = numbers(1, 3);
      if (!values) return null;
      return {
        kind: 'flags',
        state: { uid: values[0]!, modSeq: values[1]!, flags: fields.slice(3) },
      };
    }
    case '-': {
      const values = numbers(1, 3);
      if (!values || fields.length !== 3) return null;
      return { kind: 'expunge', uid: values[0]!, modSeq: values[1]! };
    }
    default:
      return null;
  }
}

/** A line with its checksum and newline. */
function sealed(body: string): string {
  return `${body} #${checksum(body)}\n`;
}

/** The line's content when its checksum holds, else null. */
function unseal(line: string): string | null {
  const at = line.lastIndexOf(' #');
  if (at < 0) return null;
  const body = line.slice(0, at);
  return line.slice(at + 2) === checksum(body) ? body : null;
}

/** FNV-1a over the line's UTF-16 code units, as 8 hex digits: cheap, and catches torn or flipped bytes. */
function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
