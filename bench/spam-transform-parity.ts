/**
 * Rule parity with spamd on the training messages written another way: every text part of each
 * training message (spam-1, easy-ham-1, hard-ham-1; the test sets are not read) re-encoded in
 * base64 or quoted-printable, the rest of the message byte for byte as it was. The training mail
 * is mostly 7-bit text; later mail (and so the test sets, never looked into) carries more of its
 * text encoded, so this finds where our decoding paths and spamd's disagree on mail the training
 * sets hardly have. For each transform, the rules Debian's spamd fires (`spamc -y`, spamd `-L`,
 * Bayes off) and Mailyard does not, and the reverse, weighed by their score-set-2 points.
 *
 * `npm run bench:spam-transform-parity -w @mailyard/bench -- [--transform base64|qp]
 * [--groups spam-1,easy-ham-1] [--limit N] [--top N] [--files RULE] [--cached-only]`
 *
 * The transformed messages and spamd's answers are kept under the system's temp directory
 * (`mailyard-spam-transform/<transform>/<group>/`), so a second run after a change to Mailyard asks
 * spamd nothing.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  type MimePart,
  decodeTransferEncoding,
  isMultipart,
  summarize,
  transferEncodingOf,
} from '@mailyard/mime';
import {
  SaMessageView,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '@mailyard/spam-scoring';
import { TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { readMessage, scoreSet2Of } from './spam-mailyard.js';
import { cacheSpamdRules } from './spamd.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const transform = (option('--transform') ?? 'base64') as 'base64' | 'qp';
if (transform !== 'base64' && transform !== 'qp') throw new Error('--transform base64|qp');
const groupNames = (option('--groups') ?? [...TRAIN_SPAM, ...TRAIN_HAM].join(',')).split(',');
for (const group of groupNames)
  if (![...TRAIN_SPAM, ...TRAIN_HAM].includes(group))
    throw new Error(`${group} is not a training group`);
const limit = Number(option('--limit') ?? Infinity);
const top = Number(option('--top') ?? 30);
const listFilesOf = option('--files');
const work = join(tmpdir(), 'mailyard-spam-transform', transform);

const base64Lines = (data: Uint8Array) =>
  Buffer.from(
    (
      Buffer.from(data)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\r\n') + '\r\n',
  );

/** RFC 2045 quoted-printable, hard line breaks kept as CRLF, lines of at most 76 characters. */
function quotedPrintable(data: Uint8Array): Buffer {
  const text = Buffer.from(data).toString('latin1');
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let encoded = '';
    let width = 0;
    for (let index = 0; index < line.length; index++) {
      const code = line.charCodeAt(index);
      const last = index === line.length - 1;
      const literal =
        (code >= 33 && code <= 126 && code !== 61) || ((code === 32 || code === 9) && !last);
      const piece = literal ? line[index]! : `=${code.toString(16).toUpperCase().padStart(2, '0')}`;
      if (width + piece.length > 75) {
        encoded += '=\r\n';
        width = 0;
      }
      encoded += piece;
      width += piece.length;
    }
    out.push(encoded);
  }
  return Buffer.from(out.join('\r\n'), 'latin1');
}

interface Edit {
  start: number;
  end: number;
  replacement: Buffer;
}

/**
 * The message with each text leaf re-encoded (encapsulated messages left as they are), or null
 * when there is nothing to re-encode. A message that does not declare itself MIME (neither
 * MIME-Version nor Content-Type) is left out: a Content-Transfer-Encoding added to it is a case
 * of its own (SpamAssassin decodes it, a MIME reader need not), not the one looked at here.
 */
function reencoded(bytes: Buffer): Buffer | null {
  const summary = summarize(bytes);
  const rootHeader = bytes.subarray(0, summary.body.bodyStart).toString('latin1');
  if (!/^(?:mime-version|content-type):/im.test(rootHeader)) return null;
  const edits: Edit[] = [];
  const target = transform === 'base64' ? 'base64' : 'quoted-printable';
  const visit = (part: MimePart) => {
    if (isMultipart(part)) return part.parts.forEach(visit);
    if (part.message || part.contentType.type.toLowerCase() !== 'text') return;
    const encoding = transferEncodingOf(part.encoding) ?? '7bit';
    if (encoding === target) return;
    const header = bytes.subarray(part.headerStart, part.bodyStart).toString('latin1');
    const blank = /\r?\n$/.exec(header);
    if (!blank) return;
    const decoded = decodeTransferEncoding(bytes.subarray(part.bodyStart, part.end), encoding);
    edits.push({
      start: part.bodyStart,
      end: part.end,
      replacement: target === 'base64' ? base64Lines(decoded) : quotedPrintable(decoded),
    });
    const field = `Content-Transfer-Encoding: ${target}\r\n`;
    const given = /^content-transfer-encoding:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n/im.exec(header);
    if (given)
      edits.push({
        start: part.headerStart + given.index,
        end: part.headerStart + given.index + given[0].length,
        replacement: Buffer.from(field),
      });
    else {
      const at = part.headerStart + blank.index;
      edits.push({ start: at, end: at, replacement: Buffer.from(field) });
    }
  };
  visit(summary.body);
  if (edits.length === 0) return null;
  edits.sort((a, b) => b.start - a.start);
  let result = bytes;
  for (const { start, end, replacement } of edits)
    result = Buffer.concat([result.subarray(0, start), replacement, result.subarray(end)]);
  return result;
}

const groups = corpusFiles();
const messages: { group: string; file: string }[] = [];
for (const group of groupNames) {
  mkdirSync(join(work, group), { recursive: true });
  for (const source of groups[group]!.slice(0, limit)) {
    const file = join(work, group, basename(source));
    if (!existsSync(file)) {
      const rewritten = reencoded(readFileSync(source));
      if (!rewritten) continue;
      writeFileSync(file, rewritten);
    }
    messages.push({ group, file });
  }
}
const answerOf = (file: string) => `${file}.rules`;

const missing = messages.map(({ file }) => file).filter((file) => !existsSync(answerOf(file)));
if (missing.length && !process.argv.includes('--cached-only')) {
  chmodSync(join(tmpdir(), 'mailyard-spam-transform'), 0o755);
  await cacheSpamdRules(work, missing, answerOf);
}
const compared = messages.filter(({ file }) => existsSync(answerOf(file)));

const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules, config } = await loadSpamAssassinRules(directory);
const scoreOf = scoreSet2Of(config);
const why = new Map(rules.unsupported.map(({ name, reason }) => [name, reason]));

const missed = new Map<string, string[]>();
const extra = new Map<string, string[]>();
let spamPointsMissed = 0;
for (const { group, file } of compared) {
  const theirs = new Set(readFileSync(answerOf(file), 'utf8').split('\n').filter(Boolean));
  const message = readMessage(file);
  const view = new SaMessageView(message.bytes, message.summary, { mailFrom: null });
  const ours = new Set(rules.evaluate(view, 0).map(({ name }) => name));
  const label = `${group}/${basename(file)}`;
  for (const name of theirs)
    if (!ours.has(name) && !/^BAYES_/.test(name)) {
      missed.set(name, [...(missed.get(name) ?? []), label]);
      if (TRAIN_SPAM.includes(group)) spamPointsMissed += scoreOf(name);
    }
  for (const name of ours)
    if (!theirs.has(name)) extra.set(name, [...(extra.get(name) ?? []), label]);
}

const weight = (name: string, files: string[]) => files.length * Math.abs(scoreOf(name));
const report = (title: string, table: Map<string, string[]>) => {
  console.log(title);
  for (const [name, files] of [...table]
    .sort((a, b) => weight(b[0], b[1]) - weight(a[0], a[1]))
    .slice(0, top))
    console.log(
      `${name.padEnd(30)} ${String(files.length).padStart(4)} messages, ${scoreOf(name)} each | ${why.get(name) ?? 'runs'} | ${files.slice(0, 3).join(', ')}`,
    );
};
console.log(
  `${transform}: ${compared.length} re-encoded training messages compared (${messages.length - compared.length} without spamd's answer)`,
);
report('\nRules spamd fires and Mailyard does not:', missed);
report('\nRules Mailyard fires and spamd does not:', extra);
const total = (table: Map<string, string[]>) =>
  [...table].reduce(
    (sum, [name, files]) => ({
      messages: sum.messages + files.length,
      points: sum.points + weight(name, files),
    }),
    { messages: 0, points: 0 },
  );
const [m, e] = [total(missed), total(extra)];
console.log(
  `\nIn all: ${m.messages + e.messages} rule-messages, ${(m.points + e.points).toFixed(2)} points (spamd only ${m.messages} / ${m.points.toFixed(2)}, Mailyard only ${e.messages} / ${e.points.toFixed(2)}); points spamd gives spam and Mailyard does not: ${spamPointsMissed.toFixed(2)}`,
);
if (listFilesOf)
  console.log(
    `\n${listFilesOf}: spamd only ${(missed.get(listFilesOf) ?? []).join(' ')}\nMailyard only ${(extra.get(listFilesOf) ?? []).join(' ')}`,
  );
