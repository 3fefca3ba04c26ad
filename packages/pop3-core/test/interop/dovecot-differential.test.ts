/**
 * A differential test: the same scripted sessions, byte for byte, sent to our server (over
 * FsMailStore) and to Dovecot's pop3d (maildir), both loaded with the same messages, and their
 * answers compared: status, response code, multi-line bodies byte for byte, sizes, what is left
 * in the maildrop afterwards. Reply texts are free in POP3 and are not compared.
 *
 * Where we differ from Dovecot on purpose (per the RFCs, or a house rule), the step says so and
 * both sides are held to what they do; docs/pop3.md, "Differences from Dovecot", explains each.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { FsMailStore } from '@mailyard/mailstore-fs';
import { deriveScramCredentials } from '@mailyard/sasl';
import { DovecotPop3Server, describeWithDovecotPop3 } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Pop3Server, createPop3Server } from '../../src/node/pop3-server.js';
import { apopDigest, greetingTimestamp } from '../../src/protocol/apop.js';
import {
  type ScriptedReply,
  ScriptedPop3Connection,
  expectsMultiline,
} from './scripted-pop3-connection.js';

const PASSWORD = 'wonderland';

/** A longer message with bare LFs, CRLFs and dot-led lines, so that store chunks split lines. */
function longMixedMessage(): string {
  let text = 'From: a@x.test\nSubject: long, mixed line endings\r\n\n';
  for (let i = 0; i < 6000; i++) {
    const line = `${i % 7 === 0 ? '.' : ''}${i % 11 === 0 ? '..' : ''}line ${i} ${'x'.repeat(i % 83)}`;
    text += line + (i % 3 === 0 ? '\n' : '\r\n');
  }
  return text;
}

/**
 * The maildrop every scenario starts from, in this order (message 1 first). At most ten: the
 * test kit names maildir files by their index, which Dovecot sorts as text.
 */
const MESSAGES = [
  'From: a@x.test\r\nSubject: dots\r\n\r\nline 1\r\n.dot line\r\n..two dots\r\n.\r\nlast\r\n',
  'From: a@x.test\r\nSubject: a header and no body\r\n',
  'From: a@x.test\r\nSubject: no final CRLF\r\n\r\nbody line 1\r\nno newline at the end',
  'From: a@x.test\nSubject: bare LF\n\nline 1\n.dot\n\n\nline 5\n',
  'From: a@x.test\r\nSubject: an empty body\r\n\r\n',
  'From: a@x.test\r\nSubject: lone CRs\r\n\r\na\rb\r\nc\r\r\nd\n\r\n',
  'Subject: ends with a CR\r\n\r\nabc\r',
  'Subject: a dot on the last line\r\n\r\nabc\r\n.',
  longMixedMessage(),
  'Subject: 8-bit and NUL\r\nX-Name: caf\xe9\r\n\r\nNUL \0 here\r\n\xff\xfe\r\n.\0\r\n',
].map((text) => Buffer.from(text, 'latin1'));

/** How a step's answers are compared. */
type Compare =
  /** Status and response code (and whether the server hung up). */
  | 'status'
  /** The whole status line: `+OK 9 123` of STAT and `LIST n`. */
  | 'line'
  /** Status, the octet count of `+OK n octets`, and the text after the status line, exactly. */
  | 'body'
  /** Status and message numbers; the unique-ids differ in form but must map one to one. */
  | 'uidl'
  /** Status; every line Dovecot lists (capabilities, AUTH mechanisms) we list too. */
  | 'superset';

interface Step {
  /** The line to send (`{user}` stands for the scenario's user), or how to make it. */
  readonly send:
    string | ((session: { readonly greeting: string; readonly user: string }) => string);
  readonly compare?: Compare;
  /** A deliberate difference: each side's status and code (`-ERR [AUTH]`, `closed`). */
  readonly differs?: { readonly ours: string; readonly dovecot: string };
}

interface Scenario {
  readonly name: string;
  readonly steps: readonly Step[];
  /** The script does not end with QUIT: the connection is dropped, and nothing may be deleted. */
  readonly drop?: boolean;
}

const login: Step[] = [{ send: 'USER {user}' }, { send: `PASS ${PASSWORD}` }];
const numbers = MESSAGES.map((_, i) => i + 1);
const each = (command: (n: number) => string, compare: Compare = 'body'): Step[] =>
  numbers.map((n) => ({ send: command(n), compare }));
const b64 = (text: string) => Buffer.from(text).toString('base64');

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'STAT, LIST and RETR of every message: sizes with CRLF, dot-stuffed, CRLF endings',
    steps: [
      ...login,
      { send: 'STAT', compare: 'line' },
      { send: 'LIST', compare: 'body' },
      ...each((n) => `LIST ${n}`, 'line'),
      ...each((n) => `RETR ${n}`),
      { send: 'QUIT' },
    ],
  },
  {
    name: 'TOP with 0 lines, 1, 2, more than the body, and a count too big for 15 digits',
    steps: [
      ...login,
      ...each((n) => `TOP ${n} 0`),
      ...each((n) => `TOP ${n} 1`),
      ...each((n) => `TOP ${n} 2`),
      ...each((n) => `TOP ${n} 100`),
      { send: 'TOP 9 5000', compare: 'body' },
      { send: 'TOP 1 1000000000000000', compare: 'body' },
      // RFC 1939: any non-negative number; Dovecot stops at 2^64.
      { send: 'TOP 1 99999999999999999999', differs: { ours: '+OK', dovecot: '-ERR' } },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'LIST and UIDL with and without a number, deleted messages, RSET, STAT after DELE',
    steps: [
      ...login,
      { send: 'UIDL', compare: 'uidl' },
      { send: 'UIDL 3', compare: 'uidl' },
      { send: 'LIST 0' },
      { send: 'NOOP' },
      { send: 'LIST 10' },
      { send: 'UIDL 0' },
      { send: 'NOOP' },
      { send: 'UIDL 10' },
      { send: 'DELE 2' },
      { send: 'DELE 2' },
      { send: 'NOOP' },
      { send: 'LIST 2' },
      { send: 'UIDL 2' },
      { send: 'NOOP' },
      { send: 'RETR 2' },
      { send: 'TOP 2 0' },
      { send: 'STAT', compare: 'line' },
      { send: 'LIST', compare: 'body' },
      { send: 'UIDL', compare: 'uidl' },
      { send: 'DELE 4' },
      { send: 'STAT', compare: 'line' },
      { send: 'RSET' },
      { send: 'STAT', compare: 'line' },
      { send: 'LIST 2', compare: 'line' },
      { send: 'UIDL 2', compare: 'uidl' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'bad numbers, missing and extra arguments, lower case, spaces',
    steps: [
      ...login,
      { send: 'RETR -1' },
      { send: 'RETR' },
      { send: 'NOOP' },
      { send: 'RETR x' },
      { send: 'RETR 1 2' },
      { send: 'NOOP' },
      { send: 'TOP 1' },
      { send: 'TOP 1 -1' },
      { send: 'NOOP' },
      { send: 'TOP 1 x' },
      { send: 'TOP 1 2 3' },
      { send: 'NOOP' },
      { send: 'LIST 1 2' },
      { send: 'LIST -1' },
      { send: 'NOOP' },
      { send: 'DELE' },
      { send: 'DELE 0' },
      { send: 'NOOP' },
      { send: 'RETR 99999999999' },
      { send: 'XTND' },
      { send: 'STAT x', compare: 'line' },
      { send: 'NOOP x' },
      { send: 'RSET x' },
      { send: 'CAPA x', compare: 'superset' },
      { send: 'stat', compare: 'line' },
      { send: 'list 1', compare: 'line' },
      { send: 'uidl 1', compare: 'uidl' },
      { send: 'retr 1', compare: 'body' },
      { send: 'top 1 0', compare: 'body' },
      { send: 'LIST  1', compare: 'line' },
      { send: 'TOP 1  1', compare: 'body' },
      { send: 'LIST 01', compare: 'line' },
      // RFC 1939's grammar has no trailing space; we read the number anyway.
      { send: 'RETR 1 ', differs: { ours: '+OK', dovecot: '-ERR' } },
      { send: 'dele 1' },
      // Arguments after QUIT are ignored, as after every command that takes none.
      { send: 'QUIT now' },
    ],
  },
  {
    name: 'QUIT removes exactly the messages marked with DELE',
    steps: [
      ...login,
      { send: 'DELE 1' },
      { send: 'DELE 4' },
      { send: 'DELE 9' },
      { send: 'STAT', compare: 'line' },
      { send: 'LIST', compare: 'body' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'RSET after DELE: QUIT removes nothing',
    steps: [
      ...login,
      { send: 'DELE 1' },
      { send: 'DELE 2' },
      { send: 'RSET' },
      { send: 'STAT', compare: 'line' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'a connection dropped without QUIT removes nothing',
    steps: [...login, { send: 'DELE 1' }, { send: 'DELE 2' }, { send: 'RETR 3', compare: 'body' }],
    drop: true,
  },
  {
    name: 'AUTHORIZATION: commands of the wrong state, PASS without USER, USER twice, CAPA',
    steps: [
      { send: 'CAPA', compare: 'superset' },
      { send: 'STAT' },
      { send: 'LIST' },
      { send: 'CAPA', compare: 'superset' },
      { send: 'RETR 1' },
      { send: 'DELE 1' },
      { send: 'CAPA', compare: 'superset' },
      { send: 'NOOP' },
      { send: 'RSET' },
      { send: 'CAPA', compare: 'superset' },
      { send: 'TOP 1 1' },
      { send: 'UIDL' },
      { send: 'CAPA', compare: 'superset' },
      { send: 'UIDL 1' },
      { send: 'LIST 1' },
      { send: 'CAPA', compare: 'superset' },
      { send: `PASS ${PASSWORD}` },
      { send: 'USER nobody' },
      { send: 'USER {user}' },
      { send: `PASS ${PASSWORD}` },
      { send: 'CAPA', compare: 'superset' },
      { send: 'STAT', compare: 'line' },
      { send: 'USER {user}' },
      { send: `PASS ${PASSWORD}` },
      { send: 'NOOP' },
      { send: 'APOP {user} 0123456789abcdef0123456789abcdef' },
      { send: 'AUTH PLAIN' },
      { send: 'NOOP' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'USER and PASS without their argument, USER with two',
    steps: [
      // RFC 1939: the argument is required, and a name is one argument.
      { send: 'USER', differs: { ours: '-ERR', dovecot: '+OK' } },
      { send: 'PASS', differs: { ours: '-ERR', dovecot: '-ERR [AUTH]' } },
      { send: 'USER a b', differs: { ours: '-ERR', dovecot: '+OK' } },
      ...login,
      { send: 'STAT', compare: 'line' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'QUIT in AUTHORIZATION signs off',
    steps: [{ send: 'USER {user}' }, { send: 'QUIT' }, { send: 'NOOP' }],
  },
  {
    name: 'APOP: syntax, a wrong digest, the right one',
    steps: [
      { send: 'APOP' },
      { send: 'APOP {user}' },
      { send: 'CAPA', compare: 'superset' },
      { send: 'APOP {user} 0123' },
      { send: 'APOP {user} 0123456789abcdef0123456789abcdef' },
      {
        send: ({ greeting }) =>
          `APOP {user} ${apopDigest(greetingTimestamp(greeting) ?? '', PASSWORD)}`,
      },
      { send: 'STAT', compare: 'line' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'AUTH: the mechanism list, an unknown one, cancelled with *, bad base64, LOGIN',
    steps: [
      { send: 'AUTH', compare: 'superset' },
      // RFC 3206: [AUTH] is for credentials; an unknown mechanism or bad base64 is not one.
      { send: 'AUTH FOO', differs: { ours: '-ERR', dovecot: '-ERR [AUTH]' } },
      { send: 'AUTH PLAIN' },
      { send: '*' },
      { send: 'AUTH PLAIN' },
      { send: '!!!', differs: { ours: '-ERR', dovecot: '-ERR [AUTH]' } },
      { send: 'AUTH PLAIN ===', differs: { ours: '-ERR', dovecot: '-ERR [AUTH]' } },
      { send: 'AUTH LOGIN' },
      { send: ({ user }) => b64(user) },
      { send: b64(PASSWORD) },
      { send: 'STAT', compare: 'line' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'AUTH PLAIN with an initial response',
    steps: [
      { send: ({ user }) => `AUTH PLAIN ${b64(`\0${user}\0${PASSWORD}`)}` },
      { send: 'LIST', compare: 'body' },
      { send: 'QUIT' },
    ],
  },
  {
    name: 'overlong lines: both refuse them; we go on where Dovecot hangs up (house rule)',
    steps: [
      { send: `USER ${'a'.repeat(300)}` },
      { send: `USER ${'a'.repeat(3000)}` },
      { send: 'CAPA', differs: { ours: '+OK', dovecot: 'closed' } },
    ],
    drop: true,
  },
  {
    name: 'an overlong line after login',
    steps: [
      ...login,
      { send: `LIST ${'1'.repeat(300)}` },
      { send: 'NOOP' },
      { send: `LIST ${'1'.repeat(3000)}` },
      { send: 'NOOP', differs: { ours: '+OK', dovecot: 'closed' } },
    ],
    drop: true,
  },
  {
    name: 'bad commands between good ones never end the session',
    steps: [
      ...login,
      ...numbers.flatMap((n): Step[] => [
        { send: `RETR ${n + 20}` },
        { send: `FOO ${n}` },
        { send: `LIST ${n}`, compare: 'line' },
      ]),
      { send: 'QUIT' },
    ],
  },
];

/** What is left: a fresh session lists and reads the whole maildrop. */
const AFTERWARDS: readonly Step[] = [
  ...login,
  { send: 'STAT', compare: 'line' },
  { send: 'LIST', compare: 'body' },
  { send: 'UIDL', compare: 'uidl' },
  ...each((n) => `RETR ${n}`),
  { send: 'QUIT' },
];

const scenarioUser = (index: number) => `s${index + 1}`;

let sourceAddresses = 0;
/** A loopback address of its own for each session (see ScriptedPop3Connection.open). */
const nextSourceAddress = () => {
  sourceAddresses++;
  return `127.0.${Math.floor(sourceAddresses / 250)}.${2 + (sourceAddresses % 250)}`;
};

interface Transcript {
  readonly greeting: string;
  readonly replies: readonly ScriptedReply[];
  readonly sent: readonly string[];
}

async function runSteps(
  port: number,
  user: string,
  steps: readonly Step[],
  drop = false,
): Promise<Transcript> {
  const { connection, greeting } = await ScriptedPop3Connection.open(port, nextSourceAddress());
  const replies: ScriptedReply[] = [];
  const sent: string[] = [];
  try {
    for (const step of steps) {
      const line =
        typeof step.send === 'string'
          ? step.send.replace(/\{user\}/g, user)
          : step.send({ greeting, user }).replace(/\{user\}/g, user);
      sent.push(line);
      replies.push(await connection.exchange(`${line}\r\n`, expectsMultiline(line)));
    }
    if (!drop) replies.push(await connection.rest(2000));
  } finally {
    connection.close();
  }
  return { greeting, replies, sent };
}

/** `+OK`, `-ERR`, `-ERR [CODE]`, `+` (a SASL challenge), or `closed`. */
function signature(reply: ScriptedReply): string {
  if (reply.bytes.length === 0) return reply.closed ? 'closed' : 'nothing';
  const first = reply.bytes.subarray(0, reply.bytes.indexOf(0x0a) + 1).toString('latin1');
  const status = /^(\+OK|-ERR|\+)(?=[ \r\n])/.exec(first)?.[1] ?? `invalid ${first}`;
  const code = status === '-ERR' ? /^-ERR \[([^\]]+)\]/.exec(first)?.[1] : undefined;
  return code === undefined ? status : `${status} [${code}]`;
}

function statusLine(reply: ScriptedReply): string {
  const end = reply.bytes.indexOf(0x0a);
  return reply.bytes.subarray(0, end < 0 ? reply.bytes.length : end + 1).toString('latin1');
}

function textAfterStatus(reply: ScriptedReply): Buffer {
  return reply.bytes.subarray(statusLine(reply).length);
}

/** The lines of a multi-line answer, without the status line and the `.` line. */
function listedLines(reply: ScriptedReply): string[][] {
  return textAfterStatus(reply)
    .toString('latin1')
    .split('\r\n')
    .filter((line) => line !== '' && line !== '.')
    .map((line) => line.split(' '));
}

/** `[message number, unique-id]` pairs of a UIDL answer, one line or many. */
function uidlPairs(reply: ScriptedReply): [string, string][] {
  const lines = reply.bytes.subarray(0, 3).toString() === '+OK' ? listedLines(reply) : [];
  const single = /^\+OK (\S+) (\S+)\r\n$/.exec(statusLine(reply));
  const all = single ? [[single[1]!, single[2]!]] : lines;
  return all.map(([number = '', uid = '']) => [number, uid]);
}

/** Differences between the two transcripts that no step declared; empty when they agree. */
function compareTranscripts(
  steps: readonly Step[],
  ours: Transcript,
  theirs: Transcript,
): string[] {
  const problems: string[] = [];
  const uidMap = new Map<string, string>();
  const report = (i: number, what: string) =>
    problems.push(
      `step ${i + 1} ${JSON.stringify(ours.sent[i] ?? '(end)')}: ${what}\n` +
        `  ours:    ${JSON.stringify(ours.replies[i]?.bytes.toString('latin1').slice(0, 600))}\n` +
        `  dovecot: ${JSON.stringify(theirs.replies[i]?.bytes.toString('latin1').slice(0, 600))}`,
    );
  for (let i = 0; i < ours.replies.length; i++) {
    const a = ours.replies[i]!;
    const b = theirs.replies[i]!;
    const step = steps[i];
    const [sigA, sigB] = [signature(a), signature(b)];
    if (step?.differs) {
      if (sigA !== step.differs.ours || sigB !== step.differs.dovecot) {
        report(i, `expected the declared difference ${JSON.stringify(step.differs)}`);
      }
      continue;
    }
    if (i === steps.length) {
      // After the last step: both must hang up (after QUIT), without saying more.
      if (a.bytes.length > 0 || b.bytes.length > 0 || a.closed !== b.closed) {
        report(i, 'different endings');
      }
      continue;
    }
    if (sigA !== sigB) {
      report(i, `status ${sigA} vs ${sigB}`);
      continue;
    }
    if (sigA !== '+OK') continue;
    switch (step?.compare ?? 'status') {
      case 'line':
        if (statusLine(a) !== statusLine(b)) report(i, 'different status lines');
        break;
      case 'body': {
        const octets = (r: ScriptedReply) => /^\+OK (\d+) octets/.exec(statusLine(r))?.[1];
        if (octets(a) !== octets(b)) report(i, `octets ${octets(a)} vs ${octets(b)}`);
        if (!textAfterStatus(a).equals(textAfterStatus(b))) report(i, 'different text');
        break;
      }
      case 'uidl': {
        const [pa, pb] = [uidlPairs(a), uidlPairs(b)];
        if (pa.map((p) => p[0]).join() !== pb.map((p) => p[0]).join()) {
          report(i, 'different message numbers');
        }
        pa.forEach(([, uid], k) => {
          const other = pb[k]?.[1] ?? '';
          if ((uidMap.get(uid) ?? other) !== other) report(i, `unique-id ${uid} changed`);
          uidMap.set(uid, other);
        });
        break;
      }
      case 'superset': {
        // A line is a tag and its parameters (`SASL PLAIN LOGIN`): each of Dovecot's must be ours.
        const words = (r: ScriptedReply) =>
          new Set(
            listedLines(r).flatMap(([tag = '', ...params]) => [
              tag,
              ...params.map((param) => `${tag} ${param}`),
            ]),
          );
        const mine = words(a);
        const missing = [...words(b)].filter((word) => word !== 'CAPA' && !mine.has(word));
        if (missing.length > 0) report(i, `we do not list ${missing.join(', ')}`);
        break;
      }
      case 'status':
        break;
    }
  }
  if (new Set(uidMap.values()).size !== uidMap.size) problems.push('unique-ids do not map 1:1');
  return problems;
}

let dovecot: DovecotPop3Server;
let ours: Pop3Server;
let ourPort: number;
let store: FsMailStore;
let work: string;

describeWithDovecotPop3('differential: our server and Dovecot pop3d, the same sessions', () => {
  beforeAll(async () => {
    const users = SCENARIOS.map((_, i) => scenarioUser(i));
    dovecot = await DovecotPop3Server.start({
      users: users.map((name) => ({ name, password: PASSWORD })),
    });
    work = mkdtempSync(join(tmpdir(), 'mailyard-pop3-differential-'));
    store = new FsMailStore({ directory: join(work, 'store') });
    const directory = new MemoryDirectory({
      deriveScram: deriveScramCredentials,
      reversibleKey: randomBytes(32),
    });
    await directory.addDomain('example.com');
    for (const name of users) {
      await directory.addUser(`${name}@example.com`, { password: PASSWORD });
      for (const content of MESSAGES) await store.deliver(`${name}@example.com`, { content });
      dovecot.fillMaildir(name, MESSAGES);
    }
    ours = createPop3Server({
      store,
      directory,
      hostname: 'localhost',
      allowPlaintextAuth: true,
      listeners: [{ name: 'pop3', port: 0 }],
    });
    ourPort = (await ours.listen())[0]!.port;
  }, 60_000);

  afterAll(async () => {
    await ours?.close(1000);
    await store?.close();
    await dovecot?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const [index, scenario] of SCENARIOS.entries()) {
    it(
      scenario.name,
      async () => {
        const user = scenarioUser(index);
        const [mine, theirs] = await Promise.all([
          runSteps(ourPort, user, scenario.steps, scenario.drop),
          runSteps(dovecot.port, user, scenario.steps, scenario.drop),
        ]);
        expect(compareTranscripts(scenario.steps, mine, theirs)).toEqual([]);
        // The maildrops hold the same messages afterwards: the UPDATE state did the same.
        const [mineAfter, theirsAfter] = await Promise.all([
          runAfterwards(ourPort, user),
          runSteps(dovecot.port, user, AFTERWARDS),
        ]);
        expect(compareTranscripts(AFTERWARDS, mineAfter, theirsAfter)).toEqual([]);
      },
      90_000,
    );
  }
});

/** Our server lets the maildrop go once it has seen the last connection close; wait for it. */
async function runAfterwards(port: number, user: string): Promise<Transcript> {
  for (let attempt = 0; ; attempt++) {
    const transcript = await runSteps(port, user, AFTERWARDS);
    const inUse = transcript.replies.some((r) => signature(r) === '-ERR [IN-USE]');
    if (!inUse || attempt >= 20) return transcript;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
