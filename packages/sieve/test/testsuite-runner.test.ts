import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runBin } from './run-bin.js';

// The package's own conformance tests, written in the testsuite dialect, run through the bin.
const files = readdirSync(new URL('./svtest', import.meta.url))
  .filter((file) => file.endsWith('.svtest'))
  .sort();

describe('conformance (.svtest files through mailyard-sieve-test)', () => {
  it.each(files)('%s passes', async (file) => {
    const result = await runBin([`test/svtest/${file}`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/\nPASS: \d+ tests succeeded\.\n\n$/);
    expect(result.stdout).not.toContain('FAILED');
    expect(result.code).toBe(0);
  });
});

describe('mailyard-sieve-test output and exit code (sieve-testsuite.md 2.2-2.4)', () => {
  it('prints one line per block, counts failures and exits 1', async () => {
    const result = await runBin(['test/runner-fixtures/failing.svtest']);
    expect(result.stdout).toBe(
      [
        'Test case: test/runner-fixtures/failing.svtest:',
        '',
        " 1: Test 'passes' SUCCEEDED",
        " 2: Test 'fails with a reason' FAILED: the reason",
        " 3: Test 'fails through test_message' FAILED: no outgoing SMTP message with index 0",
        " 4: Test 'passes after failures' SUCCEEDED",
        '',
        'FAIL: 2 of 4 tests failed.',
        '',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(1);
  });

  it('aborts the file on test_fail outside a block, counting two failures', async () => {
    const result = await runBin(['test/runner-fixtures/abort.svtest']);
    expect(result.stdout).toContain(
      ' 1: Test FAILED: outside any block\nXX: Test CASE FAILED: test script execution aborted due to error\n',
    );
    expect(result.stdout).toContain('FAIL: 2 of 1 tests failed.');
    expect(result.stdout).not.toContain('never started');
    expect(result.code).toBe(1);
  });

  it('reports a test file that does not compile, with the error on stderr', async () => {
    const result = await runBin(['test/runner-fixtures/broken.svtest']);
    expect(result.stdout).toContain(
      'XX: Test CASE FAILED: failed to compile testcase script\n\nFAIL: 1 of 0 tests failed.\n',
    );
    expect(result.stderr).toBe("broken: line 4, column 2: error: unknown command 'frobnicate'\n");
    expect(result.code).toBe(1);
  });

  it('ends the file at stop, printing nothing for that block', async () => {
    const result = await runBin(['test/runner-fixtures/stop.svtest']);
    expect(result.stdout).toBe(
      'Test case: test/runner-fixtures/stop.svtest:\n\n\nPASS: 1 tests succeeded.\n\n',
    );
    expect(result.code).toBe(0);
  });

  it('passes in -F mode only when every block failed', async () => {
    const allFail = await runBin(['-F', 'test/runner-fixtures/all-fail.svtest']);
    expect(allFail.stdout).toContain('PASS: 2 tests failed (expected to fail).');
    expect(allFail.code).toBe(0);
    // F >= N decides, so a file without blocks passes (N is shown as 1), as in Pigeonhole.
    const noBlocks = await runBin(['-F', 'test/runner-fixtures/no-blocks.svtest']);
    expect(noBlocks.stdout).toContain('PASS: 1 tests failed (expected to fail).');
    expect(noBlocks.code).toBe(0);
    const someFail = await runBin(['-F', 'test/runner-fixtures/failing.svtest']);
    expect(someFail.stdout).toContain('FAIL: Only 2 of 4 tests failed (all expected to fail).');
    expect(someFail.code).toBe(1);
  });

  it('runs several files and fails when one fails; a missing file is a failure too', async () => {
    const result = await runBin([
      'test/svtest/harness.svtest',
      'test/runner-fixtures/failing.svtest',
    ]);
    expect(result.stdout).toContain('PASS: 9 tests succeeded.');
    expect(result.code).toBe(1);
    const missing = await runBin(['test/svtest/no-such-file.svtest']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read test/svtest/no-such-file.svtest');
    const usage = await runBin([]);
    expect(usage.code).toBe(2);
  });
});
