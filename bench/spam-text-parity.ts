/**
 * What the rules read of each training message (spam-1, easy-ham-1, hard-ham-1; the test sets
 * are not read), Mailyard's SaMessageView against SpamAssassin's own: the body rules' text
 * (`get_decoded_stripped_body_text_array`), the rawbody rules' text (`get_decoded_body_text_array`)
 * the URI list (`get_uri_list`, compared as sets), and what header rules read (`get` of each
 * header the message has and of the pseudo-headers, raw, and `:addr` and `:name` of the
 * address headers; kind `header`, counted by header name). The rule diff shows where a difference
 * changes a rule on these messages; this shows every difference, so that one the training mail
 * happens not to turn into a rule is seen too. SpamAssassin's side comes from bench/sa-message-text.pl.
 * `npm run bench:spam-text-parity -w @mailyard/bench`
 * `-- --sa-text FILE` reads (or, when FILE is absent, writes) SpamAssassin's side there;
 * `-- --kind body|rawbody|uri|header` compares one kind; `-- --examples N` prints the first N
 * differences of each kind (default 10), each as the two texts around the first place they part,
 * white space squeezed; `-- --file NAME` prints one message's pieces on both sides.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type HeaderModifier,
  SaMessageView,
  findDebianRuleDirectory,
  loadSpamAssassinConfig,
} from '@mailyard/spam-scoring';
import { CORPUS, TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { readMessage } from './spam-mailyard.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;

const SCRIPT = join(import.meta.dirname, 'sa-message-text.pl');
/** The texts compared piece by piece; `header` (each header rule's text) is compared apart. */
const KINDS = ['body', 'rawbody', 'uri'] as const;
type Kind = (typeof KINDS)[number];

const groups = corpusFiles();
const files = [...TRAIN_SPAM, ...TRAIN_HAM].flatMap((group) => groups[group]!);
const relative = (file: string) => `${basename(dirname(file))}/${basename(file)}`;

/** A piece as sa-message-text.pl prints it: octets outside 0x20-0x7E, and `\`, as \xHH. */
const printable = (text: string) =>
  text.replace(
    /[^\x20-\x5b\x5d-\x7e]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );

const saFile = option('--sa-text');
let saText: string;
if (saFile && existsSync(saFile)) saText = readFileSync(saFile, 'utf8');
else {
  saText = execFileSync('perl', [SCRIPT, ...files.map(relative)], {
    cwd: CORPUS,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (saFile) writeFileSync(saFile, saText);
}
const theirs = new Map<string, string[]>();
/** Per message, each header rule's name (`From:addr`) and what SpamAssassin's `get` gave. */
const theirHeaders = new Map<string, [string, string][]>();
for (const line of saText.split('\n')) {
  const [file, kind, pieces] = line.split('\t');
  if (!file || !kind) continue;
  if (kind.startsWith('header:')) {
    let list = theirHeaders.get(file);
    if (!list) theirHeaders.set(file, (list = []));
    list.push([kind.slice(7), pieces ?? '']);
  } else theirs.set(`${file}\t${kind}`, pieces ? pieces.split('\x1f') : []);
}

/** Header rules whose text differs, by rule name without the message: examples of each. */
const headerDiffers = new Map<string, string[]>();
let headersSame = 0;
function compareHeaders(name: string, view: SaMessageView) {
  for (const [rule, their] of theirHeaders.get(name) ?? []) {
    const [header, modifier] = rule.split(':') as [string, HeaderModifier | undefined];
    const our = printable(view.header(header, modifier ?? null) ?? '');
    if (our === their) {
      headersSame++;
      continue;
    }
    const key = /^x-spam-relays-|^all/i.test(header) ? rule : rule.toLowerCase();
    let list = headerDiffers.get(key);
    if (!list) headerDiffers.set(key, (list = []));
    list.push(
      `${name}:\n      Mailyard:     ${our.slice(0, 160)}\n      SpamAssassin: ${their.slice(0, 160)}`,
    );
  }
}

const ruleDirectory = await findDebianRuleDirectory();
if (!ruleDirectory) throw new Error("Debian's spamassassin rules are not installed");
const { config } = await loadSpamAssassinConfig(ruleDirectory);
const ours = (view: SaMessageView, kind: Kind): string[] =>
  (kind === 'body' ? view.body() : kind === 'rawbody' ? view.rawBody() : view.uris(config)).map(
    printable,
  );

/** The texts around the first place two texts part, white space squeezed. */
function firstParting(a: string, b: string): [string, string] {
  const squeeze = (text: string) => text.replace(/(?:\\x0[9a-d]|\\xa0| )+/g, ' ').trim();
  const x = squeeze(a);
  const y = squeeze(b);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  const from = Math.max(0, i - 30);
  return [x.slice(from, i + 50), y.slice(from, i + 50)];
}

const only = option('--kind') as Kind | 'header' | undefined;
const one = option('--file');
const examples = Number(option('--examples') ?? 10);
const counts = new Map<Kind, { same: number; squeezedSame: number; differ: string[] }>(
  KINDS.map((kind) => [kind, { same: 0, squeezedSame: 0, differ: [] }]),
);
for (const file of files) {
  const name = relative(file);
  if (one && name !== one) continue;
  const message = readMessage(file);
  const view = new SaMessageView(message.bytes, message.summary);
  if (!one && (!only || only === 'header')) compareHeaders(name, view);
  for (const kind of KINDS) {
    if (only && kind !== only) continue;
    const their = theirs.get(`${name}\t${kind}`);
    if (!their) throw new Error(`SpamAssassin gave no ${kind} for ${name}`);
    const our = ours(view, kind);
    if (one) {
      console.log(
        `${kind}, Mailyard:\n  ${our.join('\n  ')}\n${kind}, SpamAssassin:\n  ${their.join('\n  ')}`,
      );
      continue;
    }
    const count = counts.get(kind)!;
    const a = kind === 'uri' ? [...new Set(our)].sort() : our;
    const b = kind === 'uri' ? [...new Set(their)].sort() : their;
    if (a.join('\x1f') === b.join('\x1f')) {
      count.same++;
      continue;
    }
    if (kind === 'uri') {
      const missing = b.filter((uri) => !a.includes(uri));
      const extra = a.filter((uri) => !b.includes(uri));
      count.differ.push(
        `${name}: only SpamAssassin ${missing.slice(0, 3).join(' ')}${missing.length > 3 ? ` (+${missing.length - 3})` : ''}; only Mailyard ${extra.slice(0, 3).join(' ')}${extra.length > 3 ? ` (+${extra.length - 3})` : ''}`,
      );
      continue;
    }
    const [x, y] = firstParting(a.join(' '), b.join(' '));
    if (x === y) {
      count.squeezedSame++;
      continue;
    }
    count.differ.push(`${name}:\n    Mailyard:     ${x}\n    SpamAssassin: ${y}`);
  }
}
if (!one && (!only || only === 'header')) {
  const differing = [...headerDiffers.values()].reduce((sum, list) => sum + list.length, 0);
  console.log(`\nheader: ${headersSame} header rules' texts the same, ${differing} differ`);
  for (const [rule, list] of [...headerDiffers].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${rule}: ${list.length}`);
    for (const line of list.slice(0, Math.min(examples, 3))) console.log(`    ${line}`);
  }
}
if (!one)
  for (const [kind, count] of counts) {
    if (only && kind !== only) continue;
    console.log(
      `\n${kind}: ${count.same} the same, ${count.squeezedSame} the same but for white space, ${count.differ.length} differ`,
    );
    for (const line of count.differ.slice(0, examples)) console.log(`  ${line}`);
  }
