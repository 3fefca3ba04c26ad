import { describe, expect, it } from 'vitest';
import type { SieveHost } from '../src/index.js';
import { compileErrors, runWith, summary } from './helpers.js';

const ENTRIES = new Map<string, string>([
  ['INBOX\u0000/private/vendor/vendor.isode/auto-replies', 'on'],
  ['Lists\u0000/shared/comment', 'Mailing lists'],
  ['\u0000/private/vendor/vendor.isode/notification-uri', 'mailto:alm@example.com'],
]);

const host: SieveHost = {
  metadata: (mailbox, name) => ENTRIES.get(`${mailbox ?? ''}\u0000${name}`),
};

const run = (script: string) =>
  runWith(script, { envelope: { from: 'a@example.com', to: 'b@example.org' }, host });

describe('mboxmetadata and servermetadata (RFC 5490)', () => {
  it("runs the RFC's mboxmetadata example (a per-mailbox switch)", () => {
    const script = `require ["mboxmetadata", "fileinto"];
if metadata :is "INBOX" "/private/vendor/vendor.isode/auto-replies" "on" { fileinto "auto-replies-on"; }
if metadata :contains "Lists" "/shared/comment" "lists" { fileinto "comment"; }
if metadata :is "Lists" "/private/missing" "" { fileinto "missing-is-not-empty"; }`;
    expect(summary(run(script).actions)).toEqual(['fileinto:auto-replies-on', 'fileinto:comment']);
  });

  it("runs the RFC's servermetadata example (match variables from the value)", () => {
    const script = `require ["servermetadata", "variables", "fileinto"];
set "notif_uri" "none";
if servermetadata :matches "/private/vendor/vendor.isode/notification-uri" "*" { set "notif_uri" "\${0}"; }
if not string :is "\${notif_uri}" "none" { fileinto "\${notif_uri}"; }`;
    expect(summary(run(script).actions)).toEqual(['fileinto:mailto:alm@example.com']);
  });

  it('metadataexists and servermetadataexists need every entry', () => {
    const script = `require ["mboxmetadata", "servermetadata", "fileinto"];
if metadataexists "Lists" "/shared/comment" { fileinto "one"; }
if metadataexists "Lists" ["/shared/comment", "/shared/other"] { fileinto "both"; }
if servermetadataexists "/private/vendor/vendor.isode/notification-uri" { fileinto "server"; }
if servermetadataexists "/shared/comment" { fileinto "not-on-server"; }`;
    expect(summary(run(script).actions)).toEqual(['fileinto:one', 'fileinto:server']);
  });

  it('without a host method nothing exists', () => {
    const result = runWith(
      'require ["mboxmetadata", "fileinto"];\nif metadataexists "INBOX" "/shared/comment" { fileinto "x"; }',
    );
    expect(summary(result.actions)).toEqual(['implicit-keep']);
  });

  it('checks entry names at compile time, and needs require', () => {
    expect(
      compileErrors('require "mboxmetadata";\nif metadata "INBOX" "/public/x" "y" { stop; }'),
    ).toEqual([
      "2:21: invalid metadata entry name '/public/x': it starts with /private/ or /shared/ and has no wildcards",
    ]);
    expect(
      compileErrors('require "servermetadata";\nif servermetadataexists "/shared/*" { stop; }'),
    ).toEqual([
      "2:25: invalid metadata entry name '/shared/*': it starts with /private/ or /shared/ and has no wildcards",
    ]);
    expect(compileErrors('if servermetadataexists "/shared/x" { stop; }')).toEqual([
      "1:4: the servermetadataexists test needs the 'servermetadata' extension: add it to require",
    ]);
  });
});
