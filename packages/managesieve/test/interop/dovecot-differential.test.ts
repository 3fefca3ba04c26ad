/**
 * The same sessions sent to Dovecot's managesieved and to ours, the responses compared where
 * RFC 5804 leaves no room: the status, the response code, the data lines (script lists as sets,
 * since the RFC gives no order; capability names). Response texts are free and differ.
 */
import { MemoryDirectory } from '@mailyard/mailstore-interface';
import { DovecotManageSieveServer, describeWithDovecotManageSieve } from '@mailyard/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type ManageSieveServer,
  createManageSieveServer,
} from '../../src/node/managesieve-server.js';
import { MemorySieveScriptStore } from '../../src/store/memory-sieve-script-store.js';
import { WireClient, type WireResponse } from './managesieve-wire.js';

const LIMITS = { maxScriptSize: 1000, maxScripts: 3, maxStorage: 2000 };
const USERS = [
  { name: 'alice@example.com', password: 'wonderland' },
  { name: 'bob@example.com', password: 'builder' },
];
/** A script of exactly `size` octets that Pigeonhole compiles without a warning. */
const filler = (size: number) => `#${'x'.repeat(size - 10)}\r\nkeep;\r\n`;
const plain = (user: string, password: string) =>
  Buffer.from(`\0${user}\0${password}`).toString('base64');

/**
 * Capabilities one side has and the other not, by design: ours lists UNAUTHENTICATE (RFC 5804
 * 2.14.1, which Dovecot 2.3 lacks) and OWNER (1.7); Dovecot lists MAXREDIRECTS after login
 * only, from its own configuration.
 */
const ONE_SIDE_ONLY = new Set(['UNAUTHENTICATE', 'OWNER', 'MAXREDIRECTS']);

/** What must agree between the two servers' answers to one command. */
function comparable(command: string, answer: WireResponse): unknown {
  const name = /^\S+/.exec(command)?.[0]?.toUpperCase();
  let data: unknown = answer.data;
  if (name === 'CAPABILITY' || name === 'GREETING') {
    data = answer.data
      .map((line) => JSON.parse(/^"[^"]*"/.exec(line)![0]) as string)
      .filter((capability) => !ONE_SIDE_ONLY.has(capability))
      .sort();
  } else if (name === 'LISTSCRIPTS') {
    data = [...answer.data].sort();
  }
  // Dovecot says QUOTA/MAXSTORAGE for the total of a user's scripts, a code of its own; RFC 5804
  // 1.3 has QUOTA for it (a client that knows no MAXSTORAGE reads QUOTA/MAXSTORAGE as QUOTA).
  const code = answer.code === 'QUOTA/MAXSTORAGE' ? 'QUOTA' : answer.code;
  return { status: answer.status, code, data };
}

/** The sessions: raw commands, CRLF included, as a client would send them. */
const SESSIONS: Record<string, string[]> = {
  'before login': [
    'CAPABILITY\r\n',
    'NOOP\r\n',
    'NOOP "tag \\"with\\" quotes"\r\n',
    'noop {3+}\r\nabc\r\n',
    // Dovecot's login process ends the connection without a word after a few bad commands
    // (three and a failed login did it); ours answers BYE after failedCommands (default 10).
    // So two here.
    'LISTSCRIPTS\r\n',
    'FROB\r\n',
    `AUTHENTICATE "PLAIN" "${plain('alice@example.com', 'wrong')}"\r\n`,
    'AUTHENTICATE "NO-SUCH-MECHANISM"\r\n',
    'LOGOUT\r\n',
  ],
  'scripts: put, list, activate, get, rename, delete': [
    `AUTHENTICATE "PLAIN" "${plain('alice@example.com', 'wonderland')}"\r\n`,
    'CAPABILITY\r\n',
    'LISTSCRIPTS\r\n',
    'PUTSCRIPT "main" {26+}\r\nrequire "fileinto";\r\nkeep;\r\n',
    'PUTSCRIPT "other" "keep;"\r\n',
    'PUTSCRIPT {12+}\r\ncaf\u00e9 \u2603 x "stop;"\r\n'.replace(
      '{12+}',
      `{${Buffer.byteLength('caf\u00e9 \u2603 x')}+}`,
    ),
    'LISTSCRIPTS\r\n',
    'SETACTIVE "main"\r\n',
    'LISTSCRIPTS\r\n',
    'GETSCRIPT "main"\r\n',
    'GETSCRIPT "caf\u00e9 \u2603 x"\r\n',
    'GETSCRIPT "none"\r\n',
    'SETACTIVE "none"\r\n',
    'DELETESCRIPT "main"\r\n',
    'DELETESCRIPT "none"\r\n',
    'RENAMESCRIPT "none" "x"\r\n',
    'RENAMESCRIPT "main" "other"\r\n',
    'RENAMESCRIPT "main" "renamed"\r\n',
    'LISTSCRIPTS\r\n',
    'PUTSCRIPT "other" "discard;"\r\n',
    'GETSCRIPT "other"\r\n',
    'SETACTIVE ""\r\n',
    'LISTSCRIPTS\r\n',
    'DELETESCRIPT "renamed"\r\n',
    'CHECKSCRIPT "keep;"\r\n',
    'CHECKSCRIPT {5}\r\nkeep;\r\n',
    'NOOP "x"\r\n',
    'LOGOUT\r\n',
  ],
  'quotas and bad arguments': [
    `AUTHENTICATE "PLAIN" "${plain('bob@example.com', 'builder')}"\r\n`,
    'HAVESPACE "a" 1000\r\n',
    'HAVESPACE "a" 1001\r\n',
    'HAVESPACE "a" 4294967295\r\n',
    `PUTSCRIPT "big" {1001+}\r\n${filler(1001)}\r\n`,
    `PUTSCRIPT "one" {900+}\r\n${filler(900)}\r\n`,
    `PUTSCRIPT "two" {900+}\r\n${filler(900)}\r\n`,
    'HAVESPACE "three" 100\r\n',
    'PUTSCRIPT "three" "keep;"\r\n',
    'HAVESPACE "four" 10\r\n',
    'PUTSCRIPT "four" "keep;"\r\n',
    'HAVESPACE "one" 900\r\n',
    `PUTSCRIPT "one" {800+}\r\n${filler(800)}\r\n`,
    'LISTSCRIPTS\r\n',
    'PUTSCRIPT "" "keep;"\r\n',
    'GETSCRIPT\r\n',
    'HAVESPACE "a" abc\r\n',
    'HAVESPACE "a"\r\n',
    'SETACTIVE\r\n',
    `AUTHENTICATE "PLAIN" "${plain('bob@example.com', 'builder')}"\r\n`,
    'LOGOUT\r\n',
  ],
};

describeWithDovecotManageSieve('ManageSieve: the same sessions to Dovecot and to us', () => {
  let dovecot: DovecotManageSieveServer;
  let ours: ManageSieveServer;
  let ourPort: number;

  beforeAll(async () => {
    dovecot = await DovecotManageSieveServer.start({ users: USERS, ...LIMITS });
    const directory = new MemoryDirectory();
    await directory.addDomain('example.com');
    for (const user of USERS) await directory.addUser(user.name, { password: user.password });
    ours = createManageSieveServer({
      store: new MemorySieveScriptStore(),
      directory,
      hostname: 'localhost',
      // Dovecot counts loopback as secure and offers PLAIN on it; so do we, here.
      allowPlaintextAuth: true,
      sieveExtensions: ['fileinto'],
      notifyMethods: ['mailto'],
      limits: LIMITS,
      listeners: [{ name: 'sieve', port: 0 }],
    });
    ourPort = (await ours.listen())[0]!.port;
  }, 30_000);

  afterAll(async () => {
    await ours?.close(1000);
    await dovecot?.stop();
  });

  async function run(port: number, commands: readonly string[]): Promise<unknown[]> {
    const { client, greeting } = await WireClient.connect(port).catch((error: unknown) => {
      throw new Error(`${port === ourPort ? 'ours' : 'Dovecot'}: ${String(error)}`);
    });
    const answers: unknown[] = [comparable('GREETING', greeting)];
    for (const command of commands) {
      const answer = await client.send(command).catch((error: unknown) => {
        throw new Error(`${port === ourPort ? 'ours' : 'Dovecot'}, ${command}: ${String(error)}`);
      });
      answers.push(comparable(command, answer));
    }
    client.close();
    return answers;
  }

  it.each(Object.keys(SESSIONS))('%s', async (name) => {
    const commands = SESSIONS[name]!;
    const [theirs, ourAnswers] = [await run(dovecot.port, commands), await run(ourPort, commands)];
    // Side by side, command by command, so that a difference names its command.
    const rows = (answers: unknown[]) =>
      answers.map((answer, i) => ({ command: i === 0 ? 'greeting' : commands[i - 1], answer }));
    expect(rows(ourAnswers)).toEqual(rows(theirs));
  });
});
