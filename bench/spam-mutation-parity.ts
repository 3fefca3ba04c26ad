/**
 * Rule parity with spamd on training messages mutated the ways later spam differs from them: a
 * forged From over a free-mail envelope sender, `To: undisclosed-recipients:;`, a To of hundreds
 * of recipients, encoded display names and Subjects, no MIME-Version, a header running into the
 * first boundary, lines that are no field, base64 or quoted-printable bodies, text turned into
 * HTML with links, images, hidden text and broken tags, multipart/alternative copies, bare host
 * names in the text... One to three mutations per message, chosen by a seeded generator, so a
 * run is repeatable. The rule diff on the training messages themselves cannot show what their
 * shapes never call on; this does, without reading the test sets (only spam-1, easy-ham-1 and
 * hard-ham-1 are mutated). For each mutated message, the rules Debian's spamd fires (`spamc -y`,
 * spamd `-L`, Bayes off) and Mailyard does not, and the reverse.
 *
 * `npm run bench:spam-mutation-parity -w @mailyard/bench -- [--seed N] [--count N]
 * [--kind headers|structure|html] [--examples N]`
 *
 * The mutated messages and spamd's answers are kept under the system's temp directory
 * (`mailyard-spam-mutation/<kind>-<seed>/`), so a run after a change to Mailyard asks spamd
 * nothing. GB_CUSTOM_HTM_URI is left out of the counts: spamd matches it with Perl's `/o`
 * against the first message each child saw (docs/spam-scoring.md, "Capture rules").
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { summarize } from '@mailyard/mime';
import {
  SaMessageView,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '@mailyard/spam-scoring';
import { TRAIN_HAM, TRAIN_SPAM, corpusFiles } from './spam-corpus.js';
import { scoreSet2Of } from './spam-mailyard.js';
import { cacheSpamdRules } from './spamd.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const seed = Number(option('--seed') ?? 30);
const count = Number(option('--count') ?? 500);
const kind = (option('--kind') ?? 'headers') as keyof typeof MUTATIONS;
const examples = Number(option('--examples') ?? 20);

/** A seeded generator (mulberry32): the same seed mutates the same messages the same way. */
function generator(start: number) {
  let state = start >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(list: readonly T[]) => list[int(0, list.length - 1)]!;
  const sample = <T>(list: readonly T[], n: number) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  };
  return { next, int, pick, sample };
}
type Random = ReturnType<typeof generator>;

/** A message as binary strings (one character per octet): its header block and its body. */
interface Message {
  head: string;
  body: string;
}
type Mutation = (message: Message, random: Random) => void;

const fieldPattern = (name: string) => new RegExp(`^${name}:[^]*?\\r\\n(?![ \\t])`, 'im');
const fieldOf = (head: string, name: string) =>
  new RegExp(`^${name}:[ \\t]*([^]*?)\\r\\n(?![ \\t])`, 'im').exec(head)?.[1];
function setField(message: Message, name: string, value: string) {
  const line = `${name}: ${value}\r\n`;
  message.head = fieldPattern(name).test(message.head)
    ? message.head.replace(fieldPattern(name), () => line)
    : message.head + line;
}
const dropField = (message: Message, name: string) => {
  message.head = message.head.replace(new RegExp(`^${name}:[^]*?\\r\\n(?![ \\t])`, 'gim'), '');
};
const single = (message: Message) => {
  const type = (fieldOf(message.head, 'Content-Type') ?? 'text/plain').toLowerCase();
  const encoding = (fieldOf(message.head, 'Content-Transfer-Encoding') ?? '').toLowerCase();
  return !type.startsWith('multipart') && ['', '7bit', '8bit'].includes(encoding.trim());
};
const base64 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
const lines76 = (text: string) => text.replace(/.{76}/g, '$&\r\n');

const HEADER_MUTATIONS: Record<string, Mutation> = {
  undisclosed: (m, r) =>
    setField(
      m,
      'To',
      r.pick([
        'undisclosed-recipients:;',
        '<Undisclosed-Recipient:;@x.example>',
        'Undisclosed Recipients <>',
        'friends: a@b.example, c@d.example;',
        'XX',
      ]),
    ),
  longTo: (m, r) =>
    setField(
      m,
      'To',
      Array.from({ length: r.int(300, 800) }, (_, i) => `user${i}@host${i}.example.com`).join(
        ',\r\n\t',
      ),
    ),
  encodedName: (m, r) => {
    const address = /[\w.+-]+@[\w.-]+/.exec(fieldOf(m.head, 'From') ?? '')?.[0];
    if (!address) return;
    const name = r.pick([
      '=?iso-8859-1?Q?Jos=E9_Garc=EDa?=',
      `=?utf-8?B?${base64('\xc3\x9cn\xc3\xafcode N\xc3\xa4me')}?=`,
      "'Quoted Name'",
      'Sales Team (Promo)',
    ]);
    setField(m, 'From', `${name} <${address}>`);
  },
  forgedFrom: (m, r) =>
    setField(
      m,
      'From',
      r.pick([
        '"support@paypal.com" <evil@spam.example>',
        'a@b.example, c@d.example',
        '<>',
        'MAILER-DAEMON',
        'info@example.com (Info Desk)',
      ]),
    ),
  subject: (m, r) =>
    setField(
      m,
      'Subject',
      r.pick([
        `=?iso-8859-1?B?${base64('Gr\xe1tis: ganhe j\xe1!')}?=`,
        'Free \xe9t\xe9 offer',
        '=?koi8-r?B?8NLJ18XU?= hello',
        'Re: your account =?utf-8?Q?=E2=9C=93?=',
        'FREE '.repeat(30).trim(),
      ]),
    ),
  replyTo: (m, r) =>
    setField(
      m,
      'Reply-To',
      r.pick(['"Claims Dept" <claims2002@yahoo.com>', 'a@b.example, c@hotmail.com', 'nobody']),
    ),
  noMimeVersion: (m) => dropField(m, 'MIME-Version'),
  badLine: (m, r) => {
    const lines = m.head.split('\r\n');
    lines.splice(
      r.int(1, Math.max(1, lines.length - 2)),
      0,
      r.pick(['this is not a header', 'X-Bad Header: value', 'From foo@bar Mon Jan 1']),
    );
    m.head = lines.join('\r\n');
  },
};

const STRUCTURE_MUTATIONS: Record<string, Mutation> = {
  base64Body: (m) => {
    if (!single(m)) return;
    setField(m, 'Content-Transfer-Encoding', 'base64');
    m.body = `${lines76(base64(m.body))}\r\n`;
  },
  quotedPrintable: (m) => {
    if (!single(m)) return;
    setField(m, 'Content-Transfer-Encoding', 'quoted-printable');
    m.body = m.body.replace(
      /[=\x80-\xff]/g,
      (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  },
  charset: (m, r) => {
    if (!single(m)) return;
    const type = (fieldOf(m.head, 'Content-Type') ?? 'text/plain').split(';')[0]!;
    const charset = r.pick([
      'windows-1251',
      'iso-8859-2',
      'utf-8',
      'big5',
      'x-unknown',
      'us-ascii',
    ]);
    setField(m, 'Content-Type', `${type}; charset=${charset}`);
  },
  noSeparator: (m) => {
    // The header runs into the first boundary, the preamble left out.
    const boundary = /boundary="?([^";\r\n]+)"?/i.exec(m.head)?.[1];
    const at = boundary === undefined ? -1 : m.body.indexOf(`--${boundary}`);
    if (at < 0) return;
    m.body = m.body.slice(at);
    m.head = m.head.replace(/\r\n$/, '');
  },
  attachment: (m) => {
    if (!single(m)) return;
    const type = fieldOf(m.head, 'Content-Type') ?? 'text/plain';
    const boundary = '----=_NextPart_000_Mutation';
    m.body =
      `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${m.body}\r\n--${boundary}\r\n` +
      'Content-Type: application/octet-stream; name="x.exe"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      `TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n--${boundary}--\r\n`;
    setField(m, 'Content-Type', `multipart/mixed; boundary="${boundary}"`);
  },
  date: (m, r) =>
    setField(
      m,
      'Date',
      r.pick([
        'Tue, 31 Dec 2002 25:61:00 +0000',
        'Wed, 21 Aug 2002 21:28:57 -1600',
        '21 Aug 02 21:28 GMT',
        'Thu, 12 Sep 2030 10:00:00 +0200',
      ]),
    ),
  messageId: (m, r) =>
    setField(m, 'Message-ID', r.pick(['<>', '<a@b@c>', 'no-brackets@example.com', '<1$2$3@x>'])),
};

const SNIPPETS = [
  '<a href="http://192.168.10.20/cgi-bin/x?id=1">click here</a>',
  '<a href="http://www.google.com/url?q=http://evil.example/path">Google</a>',
  '<a href="http://%77%77%77.example.com/">escaped</a>',
  '<a href=http://bare.example/page>bare link</a>',
  '<a href="mailto:remove@list.example?subject=remove">remove</a>',
  '<base href="http://base.example/dir/"><a href="page.html">based</a>',
  '<img src="http://img.example/a.gif" width="500" height="400">',
  '<table><tr><td background="http://bg.example/b.jpg">cell</td></tr></table>',
  '<font color="#ffffff" size="1">invisible words here</font>',
  '<div style="display:none">hidden text block</div>',
  'fr<!-- x -->ee mon<b></b>ey',
  '&#86;&#105;&#97;&#103;&#114;&#97; &nbsp;&nbsp; &amp; &lt;b&gt; &#160;x',
  'visit www.textsite.example or textsite2.example/path today',
  '<a href="http://x.example/" title="a>b">title with gt</a>',
  '<iframe src="http://frame.example/"></iframe>',
  '<form action="mailto:x@form.example"><input type=text></form>',
  '<script>document.write("hidden")</script>',
  '<a href="http://www.paypal.com.secure.example/login">https://www.paypal.com/</a>',
  '<a href="http://unclosed.example/ title=x>unclosed quote</a> after',
];
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const HTML_MUTATIONS: Record<string, Mutation> = {
  html: (m, r) => {
    if (!single(m)) return;
    const snippets = r.sample(SNIPPETS, r.int(2, 6)).join('\r\n');
    if ((fieldOf(m.head, 'Content-Type') ?? '').toLowerCase().startsWith('text/html')) {
      const end = m.body.toLowerCase().lastIndexOf('</body>');
      const at = end < 0 ? m.body.length : end;
      m.body = `${m.body.slice(0, at)}\r\n${snippets}\r\n${m.body.slice(at)}`;
      return;
    }
    setField(m, 'Content-Type', 'text/html; charset=iso-8859-1');
    m.body = `<html><body>${escapeHtml(m.body)}<br>\r\n${snippets}\r\n</body></html>\r\n`;
  },
  alternative: (m, r) => {
    if (!single(m)) return;
    const type = fieldOf(m.head, 'Content-Type') ?? 'text/plain';
    const boundary = `=_alt_${r.int(100, 999)}`;
    const html = `<html><body><p>${escapeHtml(m.body.slice(0, 2000))}</p>${r.sample(SNIPPETS, r.int(1, 4)).join('')}</body></html>`;
    m.body =
      `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${m.body}\r\n--${boundary}\r\n` +
      `Content-Type: text/html; charset=us-ascii\r\n\r\n${html}\r\n--${boundary}--\r\n`;
    setField(m, 'MIME-Version', '1.0');
    setField(m, 'Content-Type', `multipart/alternative; boundary="${boundary}"`);
  },
  textUris: (m, r) => {
    if (!single(m)) return;
    m.body += `\r\n${r.pick([
      'See www.shop.example/deal and http://1.2.3.4/x and mailto:a@b.example',
      'Go to example.biz or EXAMPLE.INFO/PATH?A=B',
      '<http://angle.example/> (http://paren.example/)',
      'ftp://files.example/pub https://secure.example/',
    ])}\r\n`;
  },
};

const MUTATIONS = {
  headers: HEADER_MUTATIONS,
  structure: STRUCTURE_MUTATIONS,
  html: HTML_MUTATIONS,
};

const random = generator(seed);
const groups = corpusFiles();
const training = [...TRAIN_SPAM, ...TRAIN_HAM].flatMap((group) =>
  groups[group]!.map((file) => ({ group, file })),
);
const chosen = random.sample(training, Math.min(count, training.length));
const directory = join(tmpdir(), 'mailyard-spam-mutation', `${kind}-${seed}`);
mkdirSync(directory, { recursive: true });
const mutated: { file: string; from: string; applied: string[] }[] = [];
for (const { group, file } of chosen) {
  const text = readFileSync(file).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const message: Message =
    split < 0
      ? { head: text, body: '' }
      : { head: text.slice(0, split + 2), body: text.slice(split + 4) };
  const applied: string[] = [];
  const table = MUTATIONS[kind];
  for (const name of random.sample(Object.keys(table), random.int(1, 3))) {
    const before = message.head + message.body;
    table[name]!(message, random);
    if (message.head + message.body !== before) applied.push(name);
  }
  const name = `${group}-${basename(file)}`;
  const out = join(directory, name);
  if (!existsSync(out))
    writeFileSync(out, Buffer.from(`${message.head}\r\n${message.body}`, 'latin1'));
  mutated.push({ file: out, from: `${group}/${basename(file)}`, applied });
}

const answerOf = (file: string) => `${file}.rules`;
const missing = mutated.map(({ file }) => file).filter((file) => !existsSync(answerOf(file)));
if (missing.length > 0) await cacheSpamdRules(directory, missing, answerOf);

const ruleDirectory = await findDebianRuleDirectory();
if (!ruleDirectory) throw new Error("Debian's spamassassin rules are not installed");
const { rules, config } = await loadSpamAssassinRules(ruleDirectory);
const scoreOf = scoreSet2Of(config);
/** spamd's /o quirk, not a difference of the engines (above). */
const IGNORED = new Set(['GB_CUSTOM_HTM_URI']);
const byRule = new Map<string, string[]>();
let differing = 0;
for (const { file, from, applied } of mutated) {
  const theirs = readFileSync(answerOf(file), 'utf8')
    .split('\n')
    .filter((name) => name !== '' && !name.startsWith('BAYES_') && !IGNORED.has(name));
  const bytes = readFileSync(file);
  const ours = new Set(
    rules
      .evaluate(new SaMessageView(bytes, summarize(bytes), { mailFrom: null }), 0)
      .map(({ name }) => name)
      .filter((name) => !name.startsWith('__') && !IGNORED.has(name)),
  );
  const spamdOnly = theirs.filter((name) => !ours.has(name));
  const oursOnly = [...ours].filter((name) => !theirs.includes(name));
  if (spamdOnly.length + oursOnly.length === 0) continue;
  differing++;
  for (const name of spamdOnly)
    byRule.set(`spamd only ${name}`, [...(byRule.get(`spamd only ${name}`) ?? []), from]);
  for (const name of oursOnly)
    byRule.set(`Mailyard only ${name}`, [...(byRule.get(`Mailyard only ${name}`) ?? []), from]);
  if (differing <= examples)
    console.log(
      `${from} (${applied.join(', ')}): spamd only ${spamdOnly.join(' ') || '-'}; Mailyard only ${oursOnly.join(' ') || '-'}`,
    );
}
console.log(
  `\n${kind}, seed ${seed}: ${differing} of ${mutated.length} mutated messages differ in the rules fired (GB_CUSTOM_HTM_URI left out)`,
);
for (const [key, files] of [...byRule].sort((a, b) => b[1].length - a[1].length))
  console.log(
    `  ${key} (${scoreOf(key.replace(/^.* /, ''))}): ${files.length} (${files.slice(0, 4).join(', ')})`,
  );
