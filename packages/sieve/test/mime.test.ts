import { describe, expect, it } from 'vitest';
import { compileErrors, run, summary } from './helpers.js';

const MESSAGE = [
  'From: a@example.com',
  'To: b@example.org',
  'Subject: parts',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  '--b',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>hi</p>',
  '--b',
  'Content-Type: application/octet-stream; name="setup.exe"',
  'Content-Disposition: attachment; filename="setup.exe"',
  'Reply-To: parts@example.net',
  '',
  'MZ',
  '--b--',
  '',
].join('\r\n');

describe('mime (RFC 5703 section 4)', () => {
  it("runs the RFC's examples: :type of the message, :anychild :contenttype", () => {
    const result = run(
      `require ["mime", "fileinto"];
if header :mime :type "Content-Type" "multipart" { fileinto "multipart"; }
if header :mime :type "Content-Type" "image" { fileinto "images"; }
if header :mime :anychild :contenttype "Content-Type" "text/html" { fileinto "html"; }
if header :mime :contenttype "Content-Type" "text/html" { fileinto "top-is-html"; }
if header :mime :subtype "Content-Type" "mixed" { fileinto "mixed"; }`,
      MESSAGE,
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:multipart',
      'fileinto:html',
      'fileinto:mixed',
    ]);
  });

  it(':param on Content-Type and Content-Disposition, inside foreverypart', () => {
    const result = run(
      `require ["mime", "foreverypart", "fileinto", "variables"];
foreverypart {
  if header :mime :param "filename" :matches "Content-Disposition" "*.exe" { fileinto "exe-\${1}"; }
  if header :mime :type "Content-Disposition" "attachment" { fileinto "attachment"; }
  if header :mime :param ["charset", "name"] "Content-Type" ["utf-8", "setup.exe"] { fileinto "param"; }
}`,
      MESSAGE,
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:param',
      'fileinto:exe-setup',
      'fileinto:attachment',
    ]);
  });

  it('address and exists with :mime read the parts; without :mime the top-level header', () => {
    const result = run(
      `require ["mime", "fileinto"];
if address :mime :anychild :domain "reply-to" "example.net" { fileinto "addr"; }
if address :domain "reply-to" "example.net" { fileinto "top-addr"; }
if exists :mime :anychild "content-disposition" { fileinto "exists"; }
if exists :mime "content-disposition" { fileinto "top-exists"; }
if header :contains "subject" "parts" { fileinto "plain-header"; }`,
      MESSAGE,
    );
    expect(summary(result.actions)).toEqual([
      'fileinto:addr',
      'fileinto:exists',
      'fileinto:plain-header',
    ]);
  });

  it('the option tags need :mime, and :mime needs require', () => {
    expect(
      compileErrors('require "mime";\nif header :type "content-type" "text" { stop; }'),
    ).toEqual(['2:4: the :anychild, :type, :subtype, :contenttype and :param tags need :mime']);
    expect(
      compileErrors(
        'require "mime";\nif header :mime :type :subtype "content-type" "text" { stop; }',
      ),
    ).toEqual(["2:23: the header test takes only one mime option: ':type' and ':subtype' given"]);
    expect(compileErrors('if header :mime "content-type" "text" { stop; }')[0]).toBe(
      "1:11: unknown tag ':mime' for the header test",
    );
  });
});
