import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compileWithRegistry } from '../compiler/compile.js';
import { standardRegistry } from '../extensions/index.js';
import { runScript } from '../interpreter/interpreter.js';
import type { ExtensionRegistry } from '../compiler/registry.js';
import { testsuiteExtension } from './extension.js';
import { TestsuiteHarness } from './harness.js';

export interface TestFileOptions {
  /** Expect-failure mode (`-F`, sieve-testsuite.md 2.4): the file passes when every block failed. */
  readonly expectFailure?: boolean;
  /** The extensions the test file and its sub-scripts may use. Default: every standard one. */
  readonly registry?: ExtensionRegistry;
}

export interface TestFileReport {
  /** The lines for stdout (sieve-testsuite.md 2.2), without line endings. */
  readonly output: readonly string[];
  /** The lines for stderr: the test file's own compile and runtime errors. */
  readonly errorOutput: readonly string[];
  readonly passed: boolean;
  readonly started: number;
  readonly failures: number;
}

/**
 * Runs one `.svtest` file: compiles it with the testsuite extension bound to a fresh harness,
 * runs it once from top to bottom, and reports as Pigeonhole's `testsuite` does.
 */
export function runTestFile(file: string, options: TestFileOptions = {}): TestFileReport {
  const harness = new TestsuiteHarness(file);
  harness.registry = (options.registry ?? standardRegistry).with(testsuiteExtension(harness));
  const output = [`Test case: ${file}:`, ''];
  let source: Uint8Array | undefined;
  try {
    source = readFileSync(file);
  } catch (error) {
    harness.errorOutput.push(`error: cannot read ${file}: ${(error as Error).message}`);
  }
  const name = basename(file).replace(/\.(svtest|sieve)$/, '');
  const compiled = source ? compileWithRegistry(source, harness.registry, { name }) : null;
  if (!compiled?.script) {
    for (const error of compiled?.errors ?? []) {
      harness.errorOutput.push(
        `${name}: line ${error.line}, column ${error.column}: error: ${error.message}`,
      );
    }
    harness.print('XX: Test CASE FAILED: failed to compile testcase script');
    harness.failures++;
  } else {
    const run = runScript(
      compiled.script,
      { message: harness.message, envelope: harness.envelope },
      { host: harness.host, result: harness.result },
    );
    if (run.error) {
      harness.errorOutput.push(`${name}: line ${run.error.line}: error: ${run.error.message}`);
      const limit = run.error.message.includes('budget');
      harness.print(
        `XX: Test CASE FAILED: ${limit ? 'resource limit exceeded' : 'test script execution aborted due to error'}`,
      );
      harness.failures++;
    }
  }
  const { started, failures } = harness;
  let passed: boolean;
  let summary: string;
  if (options.expectFailure) {
    passed = failures >= started;
    summary = passed
      ? `PASS: ${Math.max(started, 1)} tests failed (expected to fail).`
      : `FAIL: Only ${failures} of ${started} tests failed (all expected to fail).`;
  } else {
    passed = failures === 0;
    summary = passed
      ? `PASS: ${started} tests succeeded.`
      : `FAIL: ${failures} of ${started} tests failed.`;
  }
  return {
    output: [...output, ...harness.output, '', summary, ''],
    errorOutput: harness.errorOutput,
    passed,
    started,
    failures,
  };
}
