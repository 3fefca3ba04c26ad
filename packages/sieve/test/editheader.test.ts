import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EDITHEADER_OPTIONS,
  compileSieve,
  editheaderExtension,
  runScript,
  standardRegistry,
  type SieveAction,
} from '../src/index.js';
import { bytes, compileErrors, run, summary } from './helpers.js';

const MESSAGE = [
  'Received: from a by b',
  'Received: from c by d',
  'From: Coyote <coyote@desert.example.org>',
  'To: roadrunner@acme.example.com',
  'Subject: anvils',
  'X-Tag: one',
  'X-Tag: two',
  'X-Tag: three',
  'Auto-Submitted: no',
  '',
  'Body.',
  '',
].join('\r\n');

/** The message an action carries, as text (the original when the script changed nothing). */
function stored(action: SieveAction | undefined): string {
  return new TextDecoder().decode(action?.message?.bytes ?? bytes(MESSAGE));
}

function header(text: string): string {
  return text.slice(0, text.indexOf('\r\n\r\n'));
}

describe('editheader (RFC 5293)', () => {
  it("runs the RFC's section 9 example: add a field, then redirect, once", () => {
    const script = `require ["editheader"];
if not header :contains "X-Sieve-Filtered" ["<kim@job.example.com>", "<kim@home.example.com>"] {
  addheader "X-Sieve-Filtered" "<kim@job.example.com>";
  redirect "kim@home.example.com";
}`;
    const result = run(script, MESSAGE);
    expect(summary(result.actions)).toEqual(['redirect:kim@home.example.com']);
    expect(stored(result.actions[0])).toBe(`X-Sieve-Filtered: <kim@job.example.com>\r\n${MESSAGE}`);
    const again = run(script, stored(result.actions[0]));
    expect(summary(again.actions)).toEqual(['implicit-keep']);
  });

  it('adds at the top, or at the end with :last; later tests see the fields', () => {
    const script = `require ["editheader", "fileinto"];
addheader "X-First" "1";
addheader :last "X-Last" "2";
if allof (header :is "x-first" "1", header :is "X-LAST" "2") { fileinto "seen"; }`;
    const result = run(script, MESSAGE);
    expect(summary(result.actions)).toEqual(['fileinto:seen']);
    const lines = header(stored(result.actions[0])).split('\r\n');
    expect(lines[0]).toBe('X-First: 1');
    expect(lines[lines.length - 1]).toBe('X-Last: 2');
    expect(stored(result.actions[0]).endsWith('\r\n\r\nBody.\r\n')).toBe(true);
  });

  it('deletes every occurrence, the n-th with :index, from the end with :last', () => {
    const cases: [string, string[]][] = [
      ['deleteheader "x-tag";', []],
      ['deleteheader :index 2 "X-Tag";', ['one', 'three']],
      ['deleteheader :index 1 :last "X-Tag";', ['one', 'two']],
      ['deleteheader :index 4 "X-Tag";', ['one', 'two', 'three']],
      ['deleteheader :contains "X-Tag" ["o", "x"];', ['three']],
      ['deleteheader :matches "X-Tag" "t*";', ['one']],
      ['deleteheader :index 2 :is "X-Tag" "one";', ['one', 'two', 'three']],
    ];
    for (const [command, left] of cases) {
      const result = run(`require "editheader";\n${command}\nkeep;`, MESSAGE);
      const kept = header(stored(result.actions[0]))
        .split('\r\n')
        .filter((line) => line.startsWith('X-Tag: '))
        .map((line) => line.slice(7));
      expect([command, kept]).toEqual([command, left]);
    }
  });

  it('actions before an edit carry the message as it was; the implicit keep the last edit', () => {
    const script = `require ["editheader", "fileinto"];
fileinto "before";
deleteheader "subject";
fileinto "after";`;
    const result = run(script, MESSAGE);
    expect(summary(result.actions)).toEqual(['fileinto:before', 'fileinto:after']);
    expect(result.actions[0]!.message).toBeUndefined();
    expect(header(stored(result.actions[1]))).not.toContain('Subject:');
    const kept = run(`require "editheader";\naddheader "X-A" "b";`, MESSAGE);
    expect(summary(kept.actions)).toEqual(['implicit-keep']);
    expect(stored(kept.actions[0])).toBe(`X-A: b\r\n${MESSAGE}`);
  });

  it('never adds or deletes Received or Auto-Submitted (a warning, and nothing happens)', () => {
    const script = `require "editheader";
deleteheader "received";
deleteheader "Auto-Submitted";
addheader "Received" "from forged by forged";
addheader :last "auto-submitted" "auto-replied";`;
    const compiled = compileSieve(script);
    expect(compiled.errors).toEqual([]);
    expect(compiled.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([
      "2: deleteheader: header field 'received' is protected; the script will not delete it",
      "3: deleteheader: header field 'Auto-Submitted' is protected; the script will not delete it",
      "4: addheader: header field 'Received' is protected; the script will not add it",
      "5: addheader: header field 'auto-submitted' is protected; the script will not add it",
    ]);
    const result = runScript(compiled.script!, {
      message: bytes(MESSAGE),
      envelope: { from: '', to: 'x@example.com' },
    });
    expect(result.status).toBe('completed');
    expect(stored(result.actions[0])).toBe(MESSAGE);
    // Names from variables are held to the same rule.
    const computed = run(
      'require ["editheader", "variables"];\nset "h" "RECEIVED";\ndeleteheader "${h}";',
      MESSAGE,
    );
    expect(stored(computed.actions[0])).toBe(MESSAGE);
  });

  it('protects the host list too (protectedHeaders), but never Subject', () => {
    const registry = standardRegistry.with(
      editheaderExtension({ protectedHeaders: ['X-Tag', 'subject'] }),
    );
    const compiled = compileSieve(
      'require "editheader";\ndeleteheader "x-tag";\ndeleteheader "subject";',
      { registry },
    );
    const result = runScript(compiled.script!, {
      message: bytes(MESSAGE),
      envelope: { from: '', to: 'x@example.com' },
    });
    const text = header(stored(result.actions[0]));
    expect(text).toContain('X-Tag: two');
    expect(text).not.toContain('Subject:');
  });

  it('folds long values and encodes non-ASCII ones (RFC 2047), read back as given', () => {
    const long = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const script = `require ["editheader", "fileinto", "variables"];
addheader :last "X-Long" "${long}";
addheader :last "X-Umlaut" "Grüße aus Köln";
addheader :last "X-Lines" "one
two";
if header :is "x-long" "${long}" { fileinto "long"; }
if header :is "x-umlaut" "Grüße aus Köln" { fileinto "umlaut"; }
if header :is "x-lines" "one two" { fileinto "lines"; }`;
    const result = run(script, MESSAGE);
    expect(summary(result.actions)).toEqual(['fileinto:long', 'fileinto:umlaut', 'fileinto:lines']);
    const text = header(stored(result.actions[0]));
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(text).toMatch(/^X-Umlaut: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/m);
    expect(text).toContain('X-Lines: one\r\n two');
  });

  it('checks names and tags at compile time', () => {
    expect(compileErrors('require "editheader";\naddheader "Bad Name" "x";')).toEqual([
      "2:11: addheader: invalid header field name 'Bad Name'",
    ]);
    expect(compileErrors('require "editheader";\ndeleteheader :last "x-tag";')).toEqual([
      '2:1: deleteheader: the :last tag needs the :index tag',
    ]);
    expect(compileErrors('require "editheader";\ndeleteheader :index 0 "x-tag";')).toEqual([
      '2:1: deleteheader: :index counts from 1; 0 is not a field number',
    ]);
    expect(
      compileErrors('require ["editheader", "relational"];\ndeleteheader :count "ge" "x-tag" "1";'),
    ).toEqual(['2:1: deleteheader: the :count match type cannot be used here']);
    expect(compileErrors('addheader "X-A" "b";')).toEqual([
      "1:1: the addheader command needs the 'editheader' extension: add it to require",
    ]);
    const bad = run('require ["editheader", "variables"];\nset "n" "a:b";\naddheader "${n}" "x";');
    expect(bad.status).toBe('error');
    expect(bad.error?.message).toBe("addheader: invalid header field name 'a:b'");
  });

  it('limits the value size (maxHeaderSize, default 2048 bytes), also at 100x', () => {
    expect(DEFAULT_EDITHEADER_OPTIONS.maxHeaderSize).toBe(2048);
    expect(compileErrors(`require "editheader";\naddheader "X-A" "${'a'.repeat(2049)}";`)).toEqual([
      '2:17: addheader: a value of 2049 bytes is larger than the limit of 2048',
    ]);
    expect(compileErrors(`require "editheader";\naddheader "X-A" "${'a'.repeat(2048)}";`)).toEqual(
      [],
    );
    const compiled = compileSieve(
      `require ["editheader", "variables"];\nset "v" "${'ü'.repeat(102_400)}";\naddheader "X-A" "\${v}";`,
    );
    const result = runScript(
      compiled.script!,
      { message: bytes(MESSAGE), envelope: { from: '', to: 'x@example.com' } },
      { limits: { maxVariableSize: 204_800 } },
    );
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe(
      'addheader: a value of 204800 bytes is larger than the limit of 2048',
    );
    expect(summary(result.actions)).toEqual(['implicit-keep']);
    expect(result.actions[0]!.message).toBeUndefined();
  });

  it('limits the fields one run adds (maxAddedHeaders, default 64)', () => {
    expect(DEFAULT_EDITHEADER_OPTIONS.maxAddedHeaders).toBe(64);
    const adds = (n: number) =>
      `require "editheader";\n${Array.from({ length: n }, (_, i) => `addheader "X-N" "${i}";`).join('\n')}`;
    expect(run(adds(64), MESSAGE).status).toBe('completed');
    const over = run(adds(6400), MESSAGE);
    expect(over.status).toBe('error');
    expect(over.error).toMatchObject({
      line: 66,
      message: 'addheader: the script adds more than 64 header fields',
    });
  });
});
