/**
 * Mailyard against SpamAssassin on mail in the character sets the training messages rarely show
 * (Korean, Chinese, Japanese, Russian) in every transfer encoding, as plain text, HTML, or HTML
 * whose only charset is a `<meta>`, with RFC 2047 (B and Q) or raw 8-bit Subjects and From names,
 * and with the charset declared, left out, or wrong. The messages are written here (sentences of
 * our own, encoded with iconv-lite), never taken from a corpus. For each message: the rules
 * Debian's spamd fires (`spamc -y`, `-L`, no Bayes) against the rules Mailyard fires with the same
 * rule files, and the Bayes tokens SpamAssassin's own tokenizer makes (packages/spam-scoring/test/fixtures/sa-bayes-tokens.pl, as
 * spam-bayes-token-diff.ts runs it) against Mailyard's. Prints the differences by rule (with the
 * score-set-2 points) and by token class, and the messages that differ per message class.
 * `npm run bench:spam-charset-parity -w @mailyard/bench [-- --out DIR] [--examples N] [--file NAME]`
 * `--out DIR` keeps the messages (default a new temporary directory); `--file NAME` prints both
 * sides of one message.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import {
  DEFAULT_BAYES_STOPWORDS,
  SaMessageView,
  bayesTokens,
  findDebianRuleDirectory,
  loadSpamAssassinRules,
} from '@mailyard/spam-scoring';
import { SA_BAYES_TOKENS_SCRIPT, printableToken, tokenClass } from './bayes-token-classes.js';
import { debianBayesSettings, readMessage, scoreSet2Of } from './spam-mailyard.js';
import { spamc, startSpamd } from './spamd.js';

const option = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;

type Language = 'ko' | 'zh-cn' | 'zh-tw' | 'ja' | 'ru';

/** A few lines a spammer and a correspondent might write, per language. */
const TEXTS: Record<
  Language,
  { spam: string; ham: string; subject: [string, string]; name: string }
> = {
  ko: {
    spam: '무료 회원 가입 이벤트! 지금 바로 클릭하세요.\n최고의 대출 상품을 최저 금리로 드립니다.\n수신을 원하지 않으시면 수신거부를 눌러 주십시오.\n광고 문의는 아래 주소로 연락 주세요.',
    ham: '안녕하세요, 김 과장님.\n내일 회의 자료를 첨부하여 보내 드립니다.\n검토해 보시고 의견 주시면 감사하겠습니다.\n좋은 하루 보내세요.',
    subject: ['(광고) 무료 대출 상담 이벤트', '내일 회의 자료입니다'],
    name: '김민수',
  },
  'zh-cn': {
    spam: '特价优惠！本公司代开各类发票，价格最低。\n欢迎来电咨询，免费试用三十天。\n如不希望收到此类邮件，请回复退订。\n联系电话见下方网址。',
    ham: '王经理您好：\n附件是下周会议的议程，请您查收。\n如有问题请随时与我联系。\n谢谢，祝好。',
    subject: ['代开发票 特价优惠', '下周会议议程'],
    name: '王小明',
  },
  'zh-tw': {
    spam: '限時優惠！全館商品一律五折。\n立即點擊網址購買，免運費送到府。\n若您不想再收到本公司的廣告信，請來信告知。\n數量有限，售完為止。',
    ham: '陳先生您好：\n上週討論的報告已經完成，請參考附件。\n有任何問題歡迎來電。\n謝謝您的幫忙。',
    subject: ['限時優惠 全館五折', '報告已完成'],
    name: '陳大文',
  },
  ja: {
    spam: '今すぐ登録で無料ポイントをプレゼント！\n出会いを求めている方はこちらをクリックしてください。\n配信停止をご希望の方はこちらへご連絡ください。\n未承諾広告です。',
    ham: '田中様\nいつもお世話になっております。\n来週の打ち合わせの資料をお送りいたします。\nご確認のほど、よろしくお願いいたします。',
    subject: ['未承諾広告※無料ポイント進呈', '打ち合わせ資料の送付'],
    name: '田中一郎',
  },
  ru: {
    spam: 'Уникальное предложение! Бесплатная доставка по всей России.\nЗаработайте тысячи долларов, не выходя из дома.\nЕсли вы не хотите получать наши письма, ответьте на это сообщение.\nЗвоните прямо сейчас.',
    ham: 'Добрый день, Иван.\nВысылаю отчёт за прошлую неделю, посмотрите, пожалуйста.\nЕсли будут вопросы, звоните.\nС уважением, Сергей.',
    subject: ['Бесплатная доставка! Уникальное предложение', 'Отчёт за неделю'],
    name: 'Сергей Петров',
  },
};

/** Each charset with the language written in it and the wrong label a careless mailer gives it. */
const CHARSETS: { charset: string; language: Language; wrong: string }[] = [
  { charset: 'EUC-KR', language: 'ko', wrong: 'iso-8859-1' },
  { charset: 'ks_c_5601-1987', language: 'ko', wrong: 'us-ascii' },
  { charset: 'GB2312', language: 'zh-cn', wrong: 'big5' },
  { charset: 'GBK', language: 'zh-cn', wrong: 'iso-8859-1' },
  { charset: 'Big5', language: 'zh-tw', wrong: 'gb2312' },
  { charset: 'ISO-2022-JP', language: 'ja', wrong: 'us-ascii' },
  { charset: 'Shift_JIS', language: 'ja', wrong: 'euc-jp' },
  { charset: 'EUC-JP', language: 'ja', wrong: 'iso-8859-1' },
  { charset: 'KOI8-R', language: 'ru', wrong: 'windows-1251' },
  { charset: 'windows-1251', language: 'ru', wrong: 'koi8-r' },
  { charset: 'UTF-8', language: 'ko', wrong: 'euc-kr' },
];

/** ISO-2022-JP from EUC-JP (iconv-lite has no ISO-2022 encoder): JIS X 0208 pairs less 0x80. */
function iso2022jp(text: string): Buffer {
  const out: number[] = [];
  let kanji = false;
  for (const line of text.split('\n')) {
    const euc = iconv.encode(line, 'euc-jp');
    for (let i = 0; i < euc.length; i++) {
      const octet = euc[i]!;
      if (octet >= 0xa1 && i + 1 < euc.length) {
        if (!kanji) out.push(0x1b, 0x24, 0x42);
        kanji = true;
        out.push(octet - 0x80, euc[++i]! - 0x80);
      } else {
        if (kanji) out.push(0x1b, 0x28, 0x42);
        kanji = false;
        out.push(octet);
      }
    }
    if (kanji) out.push(0x1b, 0x28, 0x42);
    kanji = false;
    out.push(0x0a);
  }
  return Buffer.from(out.slice(0, -1));
}

const encode = (text: string, charset: string): Buffer =>
  /^iso-2022-jp$/i.test(charset)
    ? iso2022jp(text)
    : iconv.encode(text, charset === 'ks_c_5601-1987' ? 'cp949' : charset);

const base64Lines = (octets: Buffer) =>
  (octets.toString('base64').match(/.{1,76}/g) ?? []).join('\n');

/** Quoted-printable of octets, lines of at most 76 with soft breaks. */
function quotedPrintable(octets: Buffer): string {
  const lines: string[] = [];
  for (const line of octets.toString('latin1').split('\n')) {
    let out = '';
    let width = 0;
    for (const c of line) {
      const code = c.charCodeAt(0);
      const piece =
        code === 0x3d || code >= 0x80 || code < 0x20
          ? `=${code.toString(16).toUpperCase().padStart(2, '0')}`
          : c;
      if (width + piece.length > 75) {
        out += '=\n';
        width = 0;
      }
      out += piece;
      width += piece.length;
    }
    lines.push(out);
  }
  return lines.join('\n');
}

/** An RFC 2047 encoded word (or several, each under 75 characters) of `text` in `charset`. */
function encodedWords(text: string, charset: string, kind: 'B' | 'Q'): string {
  const words: string[] = [];
  // Split by characters so no word cuts a multi-octet character in two.
  const chars = [...text];
  for (let start = 0; start < chars.length; start += 8) {
    const octets = encode(chars.slice(start, start + 8).join(''), charset);
    const body =
      kind === 'B'
        ? octets.toString('base64')
        : [...octets]
            .map((o) =>
              o === 0x20
                ? '_'
                : o < 0x21 || o > 0x7e || o === 0x3d || o === 0x3f || o === 0x5f
                  ? `=${o.toString(16).toUpperCase().padStart(2, '0')}`
                  : String.fromCharCode(o),
            )
            .join('');
    words.push(`=?${charset}?${kind}?${body}?=`);
  }
  return words.join('\n ');
}

const html = (text: string, meta: string | null) =>
  `<html><head>${meta ? `<meta http-equiv="Content-Type" content="text/html; charset=${meta}">` : ''}<title></title></head>\n<body>\n${text
    .split('\n')
    .map((line) => `<p><font size="3">${line}</font></p>`)
    .join('\n')}\n</body></html>`;

interface Case {
  name: string;
  /** The message class the results are counted by. */
  classes: string[];
  bytes: Buffer;
}

function message(options: {
  charset: string;
  language: Language;
  kind: 'spam' | 'ham';
  transfer: 'base64' | 'quoted-printable' | '8bit';
  body: 'plain' | 'html' | 'html-meta';
  header: 'B' | 'Q' | 'raw';
  label: 'declared' | 'none' | 'wrong';
  wrong: string;
}): Buffer {
  const { charset, language, kind, transfer, body, header, label } = options;
  const texts = TEXTS[language];
  const text = texts[kind];
  const content = body === 'plain' ? text : html(text, body === 'html-meta' ? charset : null);
  const octets = encode(content, charset);
  const encoded =
    transfer === 'base64'
      ? base64Lines(octets)
      : transfer === 'quoted-printable'
        ? quotedPrintable(octets)
        : octets.toString('latin1');
  const declared =
    label === 'declared' && body !== 'html-meta'
      ? `; charset="${charset}"`
      : label === 'wrong'
        ? `; charset="${options.wrong}"`
        : '';
  const subject = texts.subject[kind === 'spam' ? 0 : 1];
  const headerText = (value: string) =>
    header === 'raw'
      ? encode(value, charset).toString('latin1')
      : encodedWords(value, charset, header);
  const lines = [
    `From: ${headerText(texts.name)} <sender@example.org>`,
    'To: reader@example.net',
    `Subject: ${headerText(subject)}`,
    'Date: Tue, 14 Jan 2003 10:21:05 +0900',
    `Message-ID: <${Math.abs(hash(encoded)).toString(36)}@example.org>`,
    'MIME-Version: 1.0',
    `Content-Type: text/${body === 'plain' ? 'plain' : 'html'}${declared}`,
    `Content-Transfer-Encoding: ${transfer}`,
    '',
    encoded,
    '',
  ];
  return Buffer.from(lines.join('\n'), 'latin1');
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}

/** The cases: every charset x text x transfer encoding x body, then the no and wrong labels. */
function cases(): Case[] {
  const out: Case[] = [];
  const headers = ['B', 'Q', 'raw'] as const;
  let n = 0;
  for (const { charset, language, wrong } of CHARSETS)
    for (const kind of ['spam', 'ham'] as const) {
      const transfers =
        charset === 'ISO-2022-JP'
          ? (['base64', '8bit'] as const)
          : (['base64', 'quoted-printable', '8bit'] as const);
      for (const transfer of transfers)
        for (const body of ['plain', 'html', 'html-meta'] as const) {
          const header = headers[n++ % 3]!;
          out.push({
            name: `${charset}-${kind}-${transfer}-${body}-${header}.eml`,
            classes: [
              `charset ${charset}`,
              `transfer ${transfer}`,
              `body ${body}`,
              `header ${header}`,
              'label declared',
            ],
            bytes: message({
              charset,
              language,
              kind,
              transfer,
              body,
              header,
              label: 'declared',
              wrong,
            }),
          });
        }
      for (const label of ['none', 'wrong'] as const)
        for (const body of ['plain', 'html'] as const) {
          const header = headers[n++ % 3]!;
          out.push({
            name: `${charset}-${kind}-base64-${body}-${header}-${label}.eml`,
            classes: [
              `charset ${charset}`,
              'transfer base64',
              `body ${body}`,
              `header ${header}`,
              `label ${label}`,
            ],
            bytes: message({
              charset,
              language,
              kind,
              transfer: 'base64',
              body,
              header,
              label,
              wrong,
            }),
          });
        }
    }
  return out;
}

const out = option('--out') ?? mkdtempSync(join(tmpdir(), 'mailyard-charset-parity-'));
mkdirSync(out, { recursive: true });
const all = cases();
const one = option('--file');
const chosen = one ? all.filter((c) => c.name === one) : all;
for (const c of chosen) writeFileSync(join(out, c.name), c.bytes);
chmodSync(out, 0o755);

// spamd's rules, no Bayes (as bench/spam-rule-diff.ts asks it).
const site = join(out, 'sa-site');
cpSync('/etc/spamassassin', site, { recursive: true });
writeFileSync(join(site, 'zz_charset_parity.cf'), 'use_bayes 0\nbayes_auto_learn 0\n');
const theirRules = new Map<string, string[]>();
const { port, spamd } = await startSpamd(site);
try {
  let next = 0;
  const client = async () => {
    while (next < chosen.length) {
      const c = chosen[next++]!;
      const answer = await spamc(port, join(out, c.name), '-y');
      theirRules.set(c.name, answer ? answer.split(',') : []);
    }
  };
  await Promise.all([client(), client()]);
} finally {
  spamd.kill('SIGTERM');
}

// SpamAssassin's Bayes tokens, from its own tokenizer.
const saText = execFileSync('perl', [SA_BAYES_TOKENS_SCRIPT, ...chosen.map((c) => c.name)], {
  cwd: out,
  maxBuffer: 1 << 28,
  encoding: 'utf8',
});
const theirTokens = new Map<string, Set<string>>();
for (const line of saText.split('\n')) {
  const tab = line.indexOf('\t');
  if (tab > 0) theirTokens.set(line.slice(0, tab), new Set(line.slice(tab + 1).split(' ')));
}

const directory = await findDebianRuleDirectory();
if (!directory) throw new Error("Debian's spamassassin rules are not installed");
const { rules, config } = await loadSpamAssassinRules(directory);
const { ignoredHeaders, registry } = await debianBayesSettings();
const scoreOf = scoreSet2Of(config);

const ruleDiff = new Map<string, { spamdOnly: string[]; mailyardOnly: string[] }>();
const tokenDiff = new Map<
  string,
  { tokens: number; messages: Set<string>; examples: Map<string, number> }
>();
const byClass = new Map<string, { messages: number; rules: number; tokens: number }>();
let sameTokens = 0;
let ruleMessages = 0;
let rulePoints = 0;
for (const c of chosen) {
  const { bytes, summary } = readMessage(join(out, c.name));
  const view = new SaMessageView(bytes, summary, { mailFrom: null });
  const ours = new Set(rules.evaluate(view, 0).map(({ name }) => name));
  const theirs = new Set(theirRules.get(c.name) ?? []);
  let differingRules = 0;
  for (const name of theirs)
    if (!ours.has(name)) {
      const entry = ruleDiff.get(name) ?? { spamdOnly: [], mailyardOnly: [] };
      entry.spamdOnly.push(c.name);
      ruleDiff.set(name, entry);
      differingRules++;
      rulePoints += Math.abs(scoreOf(name));
    }
  for (const name of ours)
    if (!theirs.has(name)) {
      const entry = ruleDiff.get(name) ?? { spamdOnly: [], mailyardOnly: [] };
      entry.mailyardOnly.push(c.name);
      ruleDiff.set(name, entry);
      differingRules++;
      rulePoints += Math.abs(scoreOf(name));
    }
  ruleMessages += differingRules;

  const ourTokens = new Set(
    bayesTokens(
      new SaMessageView(bytes, summary),
      DEFAULT_BAYES_STOPWORDS,
      ignoredHeaders,
      registry,
    ).map(printableToken),
  );
  const their = theirTokens.get(c.name);
  if (!their) throw new Error(`SpamAssassin gave no tokens for ${c.name}`);
  let differingTokens = 0;
  const countToken = (side: string, token: string) => {
    const key = `${side} ${tokenClass(token)}`;
    const entry = tokenDiff.get(key) ?? { tokens: 0, messages: new Set(), examples: new Map() };
    entry.tokens++;
    entry.messages.add(c.name);
    entry.examples.set(token, (entry.examples.get(token) ?? 0) + 1);
    tokenDiff.set(key, entry);
    differingTokens++;
  };
  for (const token of ourTokens)
    if (their.has(token)) sameTokens++;
    else countToken('only Mailyard', token);
  for (const token of their) if (!ourTokens.has(token)) countToken('only SpamAssassin', token);
  if (one) {
    console.log(
      `${c.name}\nspamd: ${[...theirs].sort().join(' ')}\nMailyard: ${[...ours].sort().join(' ')}`,
    );
    console.log(
      `tokens only Mailyard: ${[...ourTokens]
        .filter((t) => !their.has(t))
        .sort()
        .join(' ')}`,
    );
    console.log(
      `tokens only SpamAssassin: ${[...their]
        .filter((t) => !ourTokens.has(t))
        .sort()
        .join(' ')}`,
    );
  }
  for (const name of c.classes) {
    const entry = byClass.get(name) ?? { messages: 0, rules: 0, tokens: 0 };
    entry.messages++;
    entry.rules += differingRules;
    entry.tokens += differingTokens;
    byClass.set(name, entry);
  }
}

const examples = Number(option('--examples') ?? 4);
console.log(`${chosen.length} messages written to ${out}`);
console.log(
  `\nRules where one side fires: ${ruleMessages} rule-messages, ${rulePoints.toFixed(2)} points (|score2|):`,
);
for (const [name, entry] of [...ruleDiff].sort(
  (a, b) =>
    (b[1].spamdOnly.length + b[1].mailyardOnly.length) * Math.abs(scoreOf(b[0])) -
    (a[1].spamdOnly.length + a[1].mailyardOnly.length) * Math.abs(scoreOf(a[0])),
))
  console.log(
    `${name.padEnd(28)} score2 ${String(scoreOf(name)).padStart(6)} | spamd only ${String(entry.spamdOnly.length).padStart(3)} | Mailyard only ${String(entry.mailyardOnly.length).padStart(3)} | ${[...entry.spamdOnly, ...entry.mailyardOnly].slice(0, 3).join(' ')}`,
  );
const tokenTotal = [...tokenDiff.values()].reduce((sum, entry) => sum + entry.tokens, 0);
console.log(
  `\nBayes tokens: ${sameTokens} both make, ${tokenTotal} only one side (token x message), by class (tokens, messages, examples):`,
);
for (const [name, entry] of [...tokenDiff].sort((a, b) => b[1].tokens - a[1].tokens)) {
  const top = [...entry.examples]
    .sort((a, b) => b[1] - a[1])
    .slice(0, examples)
    .map(([token, n]) => `${token} (${n})`)
    .join(', ');
  console.log(`  ${name}\t${entry.tokens}\t${entry.messages.size}\t${top}`);
}
console.log('\nBy message class (messages, differing rule-messages, differing tokens):');
for (const [name, entry] of [...byClass].sort((a, b) => a[0].localeCompare(b[0])))
  console.log(
    `  ${name.padEnd(26)} ${String(entry.messages).padStart(4)} ${String(entry.rules).padStart(5)} ${String(entry.tokens).padStart(6)}`,
  );
