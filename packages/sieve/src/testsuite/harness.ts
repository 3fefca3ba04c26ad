import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { compileWithRegistry } from '../compiler/compile.js';
import type { CompiledScript } from '../compiler/program.js';
import type { ExtensionRegistry } from '../compiler/registry.js';
import type { SieveEnvelope } from '../interpreter/envelope.js';
import type { SieveHost } from '../interpreter/host.js';
import { runScript } from '../interpreter/interpreter.js';
import { DEFAULT_RUNTIME_LIMITS, type RuntimeLimits } from '../interpreter/limits.js';
import { SieveMessage } from '../interpreter/message.js';
import { SieveResult } from '../interpreter/result.js';
import type { SieveRuntime } from '../interpreter/runtime.js';
import { parseScript } from '../protocol/parser.js';
import { DEFAULT_TEST_MESSAGE, deriveEnvelope } from './default-message.js';
import { executeActions } from './execute.js';
import { type OutboxEntry, PretendMailStore } from './mail-store.js';

const encoder = new TextEncoder();

/**
 * Settings keys of `test_config_set` this package maps onto its own limits (sieve-testsuite.md
 * section 7), with the reload target they belong to. Other keys are recorded and ignored.
 */
const CONFIG_KEYS: Readonly<Record<string, { target: string; limit: keyof RuntimeLimits }>> = {
  sieve_max_actions: { target: '', limit: 'maxActions' },
  sieve_max_redirects: { target: '', limit: 'maxRedirects' },
  sieve_variables_max_value_size: { target: 'variables', limit: 'maxVariableSize' },
  sieve_variables_max_scope_size: { target: 'variables', limit: 'maxVariables' },
};

/** Signal that unwinds a `test` block after a failure; the block's command catches it. */
export const TEST_FAILED = { signal: 'test-failed' };

/** Everything one test file's run shares (sieve-testsuite.md section 1, the table of state). */
export class TestsuiteHarness {
  readonly directory: string;
  readonly output: string[] = [];
  readonly errorOutput: string[] = [];
  /** Blocks started (N) and failure events (F). */
  started = 0;
  failures = 0;
  currentTest: string | null = null;
  message: SieveMessage;
  messageBytes: Uint8Array;
  envelope: SieveEnvelope;
  readonly result = new SieveResult();
  /** Actions of `result` already carried out by `test_result_execute`. */
  executed = 0;
  /** Whether the implicit keep of `result` was carried out. */
  implicitKeepDone = false;
  compiled: CompiledScript | null = null;
  readonly binaries = new Map<string, CompiledScript>();
  readonly errors: string[] = [];
  readonly outbox: OutboxEntry[] = [];
  readonly store = new PretendMailStore();
  readonly config = new Map<string, string>();
  limits: RuntimeLimits = DEFAULT_RUNTIME_LIMITS;
  /**
   * The flags of the implicit keep of the last sub-script run (imap4flags), which the result
   * holds no trace of; null when the result is the test file's own.
   */
  subScriptKeepFlags: readonly string[] | null = null;
  /** Depth of sub-scripts being run (0: the test file itself). */
  subScriptDepth = 0;
  /** Set when a sub-script called `test_fail`. */
  subScriptFailed = false;
  registry!: ExtensionRegistry;
  readonly host: SieveHost;

  constructor(readonly file: string) {
    this.directory = dirname(resolve(file));
    this.messageBytes = encoder.encode(DEFAULT_TEST_MESSAGE);
    this.message = new SieveMessage(this.messageBytes);
    this.envelope = deriveEnvelope(this.message);
    this.host = {
      mailboxExists: (name) => this.store.exists(name),
      environment: (name) => ({ location: 'MS', phase: 'post', name: 'Mailyard Sieve' })[name],
      // sieve-testsuite.md: `included` and `included-global` next to the test file.
      includedScript: (name, location) => {
        const folder = location === 'global' ? 'included-global' : 'included';
        try {
          return readFileSync(resolve(this.directory, folder, `${name}.sieve`));
        } catch (error) {
          // Only a missing file is "no such script"; any other I/O error fails the run.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw error;
        }
      },
    };
  }

  print(line: string): void {
    this.output.push(line);
  }

  /** ` N: Test 'NAME' FAILED: REASON` and one more failure. */
  failTest(reason: string, counted = true): void {
    const number = String(this.started).padStart(2, ' ');
    const tail = reason === '' ? '' : `: ${reason}`;
    this.print(
      this.currentTest === null
        ? `${number}: Test FAILED${tail}`
        : `${number}: Test '${this.currentTest}' FAILED${tail}`,
    );
    if (counted) this.failures++;
  }

  /** Makes `bytes` the current message and derives the envelope again. */
  setMessage(bytes: Uint8Array, runtime: SieveRuntime | null, envelope?: SieveEnvelope): void {
    this.messageBytes = bytes;
    this.message = new SieveMessage(bytes);
    this.envelope = envelope ?? deriveEnvelope(this.message);
    runtime?.replaceMessage(this.message, this.envelope);
  }

  setEnvelope(envelope: SieveEnvelope, runtime: SieveRuntime): void {
    this.envelope = envelope;
    runtime.replaceMessage(this.message, envelope);
  }

  logError(message: string): void {
    this.errors.push(message);
  }

  /** `test_script_compile`: the path is relative to the test file's directory. */
  compileScript(path: string): boolean {
    this.errors.length = 0;
    const full = resolve(this.directory, path);
    let source: Uint8Array;
    try {
      source = readFileSync(full);
    } catch (error) {
      this.logError(`failed to open sieve script '${path}': ${(error as Error).message}`);
      return false;
    }
    const name = basename(full).replace(/\.(svtest|sieve)$/, '');
    const compiled = compileWithRegistry(source, this.registry, { name });
    if (compiled.script) {
      this.compiled = compiled.script;
      return true;
    }
    for (const error of compiled.errors) this.logError(error.message);
    // Pigeonhole ends the log with a summary error; the testsuite's expected counts include it.
    const parseFailed = parseScript(source).diagnostics.some(
      (diagnostic) => diagnostic.severity === 'error',
    );
    this.logError(parseFailed ? 'parse failed' : 'validation failed');
    return false;
  }

  /** `test_script_run`: the compiled script's actions go into the shared result. */
  runCompiled(append: boolean): boolean {
    if (!append) this.resetResult(false);
    this.errors.length = 0;
    if (!this.compiled) {
      this.errorOutput.push('error: trying to run script, but no script compiled yet');
      return false;
    }
    this.subScriptDepth++;
    this.subScriptFailed = false;
    const run = runScript(
      this.compiled,
      { message: this.message, envelope: this.envelope },
      { host: this.host, limits: this.limits, result: this.result },
    );
    this.subScriptDepth--;
    const keep = run.actions.find((action) => action.type === 'keep' && action.implicit);
    this.subScriptKeepFlags = keep?.type === 'keep' ? (keep.flags ?? []) : [];
    if (this.subScriptFailed) return false;
    if (run.error) {
      this.logError(run.error.message);
      return this.compiled.capabilities.has('vnd.dovecot.testsuite');
    }
    return true;
  }

  resetResult(outbox: boolean): void {
    this.result.clear();
    this.subScriptKeepFlags = null;
    this.executed = 0;
    this.implicitKeepDone = false;
    if (outbox) this.outbox.length = 0;
  }

  /**
   * `test_result_execute`: carries out what was not carried out yet, then the implicit keep
   * (with the flags of the script whose result it is).
   */
  executeResult(runtime: SieveRuntime): boolean {
    this.errors.length = 0;
    const pending = this.result.actions.slice(this.executed);
    this.executed = this.result.actions.length;
    // The implicit keep stores the message once per result, however often it is executed.
    const implicitKeep = this.result.implicitKeep && !this.implicitKeepDone;
    if (implicitKeep) this.implicitKeepDone = true;
    const keepFlags = this.subScriptKeepFlags ?? runtime.implicitKeep().flags ?? [];
    return executeActions(
      pending,
      implicitKeep,
      this.messageBytes,
      this.envelope,
      {
        store: this.store,
        outbox: this.outbox,
        error: (message) => this.logError(message),
      },
      keepFlags,
    );
  }

  /** `test_config_reload`: applies the overrides of that target; false for an unknown extension. */
  reloadConfig(extension: string | undefined): boolean {
    const target = extension ?? '';
    if (target !== '' && !this.registry.extension(target)) {
      this.print(`ERROR: Unknown extension '${target}'`);
      return false;
    }
    const limits: { -readonly [K in keyof RuntimeLimits]: number } = { ...this.limits };
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      if (spec.target !== target) continue;
      const value = this.config.get(key);
      if (value === undefined) {
        limits[spec.limit] = DEFAULT_RUNTIME_LIMITS[spec.limit];
        continue;
      }
      const number = parseSize(value);
      if (number === undefined) {
        this.logError(`invalid value '${value}' for setting ${key}`);
        this.print(
          target === ''
            ? 'ERROR: Failed to reload sieve engine settings'
            : `ERROR: Failed to load extension '${target}'`,
        );
        return false;
      }
      limits[spec.limit] = number;
    }
    this.limits = limits;
    return true;
  }
}

/** A Dovecot size or number setting: digits with an optional k, m or g (binary multiples). */
function parseSize(value: string): number | undefined {
  const found = /^\s*(\d+)\s*([kmg]?)\s*$/i.exec(value);
  if (!found) return undefined;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    found[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'
  ];
  const number = Number(found[1]) * unit;
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}
