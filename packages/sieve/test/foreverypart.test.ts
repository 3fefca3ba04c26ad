import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOREVERYPART_OPTIONS,
  compileSieve,
  foreverypartExtension,
  runScript,
  standardRegistry,
} from '../src/index.js';
import { bytes, compileErrors, run, summary } from './helpers.js';
import { MULTIPART as DIFFERENTIAL_MULTIPART } from './pigeonhole-ext-b.js';

// The differential's message, its first part in UTF-8 and quoted-printable.
const MULTIPART = DIFFERENTIAL_MULTIPART.replace(
  'Content-Type: text/plain\r\n\r\nhello world',
  'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, world',
);

describe('foreverypart and extracttext (RFC 5703)', () => {
  it('visits every part depth first, the message first; extracttext reads each', () => {
    const result = run(
      `require ["foreverypart", "extracttext", "variables", "fileinto"];
set "n" "";
foreverypart { set "n" "\${n}x"; extracttext :first 5 "t"; fileinto "p\${n}-\${t}"; }`,
      MULTIPART,
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:px-',
      'fileinto:pxx-Grüße',
      'fileinto:pxxx-',
      'fileinto:pxxxx-inner',
      'fileinto:pxxxxx-html ',
      'fileinto:pxxxxxx-PDF',
    ]);
  });

  it('a message without parts is one part', () => {
    const result = run(
      'require ["foreverypart", "extracttext", "variables", "fileinto"];\nforeverypart { extracttext :upper :first 10 "t"; fileinto "${t}"; }',
      'Subject: x\r\n\r\nplain body\r\n',
    );
    expect(summary(result.actions)).toEqual(['fileinto:PLAIN BODY']);
  });

  it('break leaves the innermost loop, or the named one; nested loops visit the inner parts', () => {
    const result = run(
      `require ["foreverypart", "extracttext", "variables", "fileinto"];
foreverypart :name "outer" {
  extracttext "o";
  if string :is "\${o}" "inner" { break :name "outer"; }
  foreverypart {
    extracttext "i";
    fileinto "inner-of-\${o}:\${i}";
    break;
  }
}
fileinto "after";`,
      MULTIPART,
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:inner-of-:Grüße, world',
      'fileinto:inner-of-:inner',
      'fileinto:after',
    ]);
  });

  it('refuses break and extracttext outside a loop when compiling (RFC 5703 3.2 and 7)', () => {
    expect(compileErrors('require "foreverypart";\nbreak;')).toEqual([
      '2:1: break: not inside a foreverypart loop',
    ]);
    expect(compileErrors('require "foreverypart";\nforeverypart { break :name "x"; }')).toEqual([
      "2:16: break: no enclosing foreverypart loop is named 'x'",
    ]);
    expect(
      compileErrors('require ["foreverypart", "extracttext", "variables"];\nextracttext "t";'),
    ).toEqual(['2:1: extracttext: not inside a foreverypart loop (RFC 5703 section 7)']);
    // Inside an if that is inside a loop, or inside an inner loop, it is in one; a name given to
    // an outer loop is found from an inner one.
    expect(
      compileErrors(
        'require ["foreverypart", "extracttext", "variables"];\n' +
          'if true { foreverypart :name "a" { if true { foreverypart { extracttext "t"; break :name "a"; } } } }',
      ),
    ).toEqual([]);
    // An if beside the loop is not inside it.
    expect(
      compileErrors('require "foreverypart";\nforeverypart { keep; }\nif true { break; }'),
    ).toEqual(['3:11: break: not inside a foreverypart loop']);
    expect(
      compileErrors('require ["foreverypart", "extracttext"];\nforeverypart { extracttext "t"; }'),
    ).toEqual(["2:16: the extracttext command needs the 'variables' extension: add it to require"]);
  });

  it('limits nesting (maxNesting, default 3)', () => {
    expect(DEFAULT_FOREVERYPART_OPTIONS.maxNesting).toBe(3);
    const nested = (n: number) =>
      `require "foreverypart";\n${'foreverypart { '.repeat(n)}keep;${' }'.repeat(n)}`;
    expect(run(nested(3), MULTIPART).status).toBe('completed');
    const deep = run(nested(30), MULTIPART);
    expect(deep.error?.message).toBe('foreverypart: loops nested more than 3 deep');
    const registry = standardRegistry.with(foreverypartExtension({ maxNesting: 1 }));
    const compiled = compileSieve(nested(2), { registry });
    const limited = runScript(compiled.script!, {
      message: bytes(MULTIPART),
      envelope: { from: '', to: 'x@example.com' },
    });
    expect(limited.error?.message).toBe('foreverypart: loops nested more than 1 deep');
  });
});
