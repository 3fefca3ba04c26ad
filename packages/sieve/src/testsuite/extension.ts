// The testsuite extension (`vnd.dovecot.testsuite`, sieve-testsuite.md section 4): the commands
// and tests a `.svtest` file uses, bound to one harness (one test file's run).
import type { Arguments } from '../compiler/arguments.js';
import type { CommandDefinition, SieveExtension, TestDefinition } from '../compiler/definitions.js';
import type { SieveAction } from '../interpreter/actions.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { DEFAULT_TEST_MESSAGE } from './default-message.js';
import { setInternalFlags } from '../extensions/imap4flags.js';
import { TEST_FAILED, type TestsuiteHarness } from './harness.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const STRING = 'string' as const;
const ENVELOPE_MEMBERS = new Set(['from', 'to', 'orig_to', 'auth']);

/** The testsuite's name for an action (sieve-testsuite.md 4.10). */
function actionName(action: SieveAction): string {
  if (action.type === 'duplicate') return 'duplicate_mark';
  return action.type === 'fileinto' ? 'store' : action.type;
}

/** Whether an envelope value is acceptable: a path, a bare local part, or empty for `<>`. */
function envelopeValue(value: string): string | null {
  const text = value.trim().replace(/^<(.*)>$/, '$1');
  if (
    /[\s<>,;()]/.test(text) ||
    (text.includes('@') && (text.startsWith('@') || text.endsWith('@')))
  )
    return null;
  return text;
}

export function testsuiteExtension(harness: TestsuiteHarness): SieveExtension {
  /** Fails the current block (or, outside any, the file) as `test_fail` does. */
  const failBlock = (reason: string, runtime: SieveRuntime): void => {
    if (harness.subScriptDepth > 0) {
      harness.failTest(reason, false);
      harness.subScriptFailed = true;
      runtime.stop();
      return;
    }
    harness.failTest(reason);
    if (harness.currentTest === null) runtime.fail(`test_fail outside a test block: ${reason}`);
    else runtime.unwind(TEST_FAILED);
  };

  const test: CommandDefinition = {
    name: 'test',
    topLevelOnly: true,
    block: 'required',
    positional: [{ name: 'name', kind: STRING }],
    execute(args, _data, runtime, block) {
      if (harness.subScriptDepth > 0) {
        runtime.fail('a sub-script may not hold test blocks');
        return;
      }
      harness.currentTest = runtime.string(args.string(0));
      harness.started++;
      runtime.runBlock(block ?? []);
      if (runtime.unwinding === TEST_FAILED) {
        runtime.resume();
      } else if (runtime.unwinding === null) {
        harness.print(
          `${String(harness.started).padStart(2, ' ')}: Test '${harness.currentTest}' SUCCEEDED`,
        );
      } else {
        return;
      }
      harness.currentTest = null;
    },
  };

  const testFail: CommandDefinition = {
    name: 'test_fail',
    positional: [{ name: 'reason', kind: STRING }],
    execute: (args, _data, runtime) => failBlock(runtime.string(args.string(0)), runtime),
  };

  const testSet: CommandDefinition<string> = {
    name: 'test_set',
    positional: [
      { name: 'object', kind: STRING, literal: true },
      { name: 'value', kind: STRING },
    ],
    validate(args, context) {
      const object = args.string(0).text;
      const [head, member, ...rest] = object.split('.');
      if (head === 'message' && member === undefined) return 'message';
      if (head === 'envelope' && member !== undefined && rest.length === 0) {
        if (ENVELOPE_MEMBERS.has(member.toLowerCase())) return `envelope.${member.toLowerCase()}`;
        context.error(
          args.string(0),
          `member '${member}' does not exist for testsuite object '${head}'`,
        );
        return '';
      }
      if (head === 'message' || head === 'envelope') {
        context.error(
          args.string(0),
          `member '${member ?? ''}' does not exist for testsuite object '${head}'`,
        );
      } else {
        context.error(args.string(0), `unknown testsuite object '${object}'`);
      }
      return '';
    },
    execute(args, object, runtime) {
      const value = runtime.string(args.string(1));
      if (object === 'message') {
        harness.setMessage(encoder.encode(value), runtime);
        return;
      }
      let path = value;
      if (object !== 'envelope.auth') {
        const checked = envelopeValue(value);
        if (checked === null)
          harness.logError(`testsuite: envelope.${object.slice(9)} address '${value}' is invalid`);
        path = checked ?? '';
      }
      const envelope = harness.envelope;
      if (object === 'envelope.from') harness.setEnvelope({ ...envelope, from: path }, runtime);
      else if (object === 'envelope.to')
        harness.setEnvelope({ ...envelope, to: path, originalRecipient: path }, runtime);
      else if (object === 'envelope.orig_to')
        harness.setEnvelope({ ...envelope, originalRecipient: path }, runtime);
      else harness.setEnvelope({ ...envelope, auth: path }, runtime);
    },
  };

  const messageSignature = {
    tags: [
      { name: 'smtp', group: 'source' },
      { name: 'folder', group: 'source', argument: { name: 'mailbox', kind: STRING } },
    ],
    positional: [{ name: 'index', kind: 'number' as const }],
    validate(args: Arguments, context: { error(at: Arguments, message: string): void }) {
      if (!args.has('smtp') && !args.has('folder'))
        context.error(args, 'test_message needs :smtp or :folder');
    },
  };

  /** Selects a captured or stored message; returns whether it was found. */
  const selectMessage = (args: Arguments, runtime: SieveRuntime, asCommand: boolean): boolean => {
    const index = args.number(0);
    if (args.has('smtp')) {
      const entry = harness.outbox[index];
      if (!entry) {
        if (asCommand) failBlock(`no outgoing SMTP message with index ${index}`, runtime);
        return false;
      }
      const envelope = {
        from: entry.from,
        to: entry.to,
        originalRecipient: entry.to,
        auth: harness.envelope.auth,
      };
      harness.setMessage(entry.bytes, runtime, envelope);
      return true;
    }
    const folder = runtime.string(args.tagString('folder')!);
    if (!harness.store.exists(folder)) {
      harness.logError(`testsuite: failed to open mailbox '${folder}'`);
      // Pigeonhole's quirk (sieve-testsuite.md 4.4): the default message comes back.
      harness.setMessage(encoder.encode(DEFAULT_TEST_MESSAGE), runtime);
    }
    const stored = harness.store.message(folder, index);
    if (!stored) {
      if (asCommand) failBlock(`no message in folder '${folder}' with index ${index}`, runtime);
      return false;
    }
    harness.setMessage(stored.bytes, runtime);
    setInternalFlags(runtime, stored.flags);
    return true;
  };

  const testMessageCommand: CommandDefinition = {
    name: 'test_message',
    ...messageSignature,
    execute: (args, _data, runtime) => void selectMessage(args, runtime, true),
  };
  const testMessageTest: TestDefinition = {
    name: 'test_message',
    ...messageSignature,
    evaluate: (args, _data, runtime) => selectMessage(args, runtime, false),
  };

  const testMessagePrint: CommandDefinition = {
    name: 'test_message_print',
    execute() {
      harness.print('--MESSAGE: ');
      harness.print(decoder.decode(harness.messageBytes));
      harness.print('--MESSAGE--');
    },
  };

  const testScriptCompile: TestDefinition = {
    name: 'test_script_compile',
    positional: [{ name: 'path', kind: STRING }],
    evaluate: (args, _data, runtime) => harness.compileScript(runtime.string(args.string(0))),
  };

  const testScriptRun: TestDefinition = {
    name: 'test_script_run',
    tags: [{ name: 'append_result' }],
    evaluate: (args) => harness.runCompiled(args.has('append_result')),
  };

  /** `test_error` and `test_result_action`: match a list of strings, `:index` picking one. */
  const listTest = (name: string, values: () => readonly string[]): TestDefinition => ({
    name,
    comparator: true,
    matchType: true,
    defaultComparator: 'i;octet',
    tags: [{ name: 'index', argument: { name: 'index', kind: 'number' } }],
    positional: [{ name: 'key-list', kind: 'string-list' }],
    keyList: 0,
    evaluate(args, _data, runtime) {
      const all = values();
      const index = args.tagNumber('index') ?? 0;
      const selected = index === 0 ? all : index <= all.length ? [all[index - 1]!] : [];
      return runtime.matches(args, selected, args.stringList(0));
    },
  });

  const testResultExecute: TestDefinition = {
    name: 'test_result_execute',
    evaluate: (_args, _data, runtime) => harness.executeResult(runtime),
  };

  const testResultReset: CommandDefinition = {
    name: 'test_result_reset',
    execute: () => harness.resetResult(true),
  };

  const testResultPrint: CommandDefinition = {
    name: 'test_result_print',
    execute() {
      harness.print('--');
      harness.print('Performed actions:');
      const actions = harness.result.actions;
      if (actions.length === 0) harness.print('  (none)');
      for (const action of actions) harness.print(`  * ${actionName(action)}`);
      harness.print(`Implicit keep: ${harness.result.implicitKeep ? 'yes' : 'no'}`);
      harness.print('--');
    },
  };

  const testConfigSet: CommandDefinition = {
    name: 'test_config_set',
    positional: [
      { name: 'key', kind: STRING },
      { name: 'value', kind: STRING },
    ],
    execute: (args, _data, runtime) =>
      void harness.config.set(runtime.string(args.string(0)), runtime.string(args.string(1))),
  };

  const testConfigUnset: CommandDefinition = {
    name: 'test_config_unset',
    positional: [{ name: 'key', kind: STRING }],
    execute: (args, _data, runtime) => void harness.config.delete(runtime.string(args.string(0))),
  };

  const testConfigReload: CommandDefinition = {
    name: 'test_config_reload',
    tags: [{ name: 'extension', argument: { name: 'extension', kind: STRING, literal: true } }],
    execute(args, _data, runtime) {
      if (!harness.reloadConfig(args.tagString('extension')?.text))
        runtime.fail('test_config_reload failed');
    },
  };

  const testMailboxCreate: CommandDefinition = {
    name: 'test_mailbox_create',
    positional: [{ name: 'mailbox', kind: STRING }],
    execute: (args, _data, runtime) => harness.store.create(runtime.string(args.string(0))),
  };

  const testMailboxDelete: CommandDefinition = {
    name: 'test_mailbox_delete',
    positional: [{ name: 'mailbox', kind: STRING }],
    execute: (_args, _data, runtime) => failBlock('test_mailbox_delete: NOT IMPLEMENTED', runtime),
  };

  const testBinarySave: CommandDefinition = {
    name: 'test_binary_save',
    positional: [{ name: 'name', kind: STRING }],
    execute(args, _data, runtime) {
      const name = runtime.string(args.string(0));
      if (!harness.compiled) {
        harness.logError(`no compiled binary to save as ${name}`);
        runtime.fail(`no compiled binary to save as ${name}`);
        return;
      }
      // Compiled scripts are immutable values: keeping one is the faithful round trip.
      harness.binaries.set(name, harness.compiled);
    },
  };

  const testBinaryLoad: CommandDefinition = {
    name: 'test_binary_load',
    positional: [{ name: 'name', kind: STRING }],
    execute(args, _data, runtime) {
      const name = runtime.string(args.string(0));
      const binary = harness.binaries.get(name);
      if (!binary) {
        harness.logError(`failed to load binary ${name}`);
        runtime.fail(`failed to load binary ${name}`);
        return;
      }
      harness.compiled = binary;
    },
  };

  return {
    capability: 'vnd.dovecot.testsuite',
    commands: [
      test,
      testFail,
      testSet as CommandDefinition,
      testMessageCommand,
      testMessagePrint,
      testResultReset,
      testResultPrint,
      testConfigSet,
      testConfigUnset,
      testConfigReload,
      testMailboxCreate,
      testMailboxDelete,
      testBinarySave,
      testBinaryLoad,
    ],
    tests: [
      testMessageTest,
      testScriptCompile,
      testScriptRun,
      listTest('test_error', () => harness.errors),
      listTest('test_result_action', () => harness.result.actions.map(actionName)),
      testResultExecute,
    ],
    variableNamespaces: [
      { name: 'tst', get: (name) => (name === 'path' ? harness.directory : '') },
    ],
  };
}
