import { describe, expect, it } from 'vitest';
import { type SieveAction, type SieveHost, compileSieve, runScript } from '../src/index.js';
import { bytes, compileErrors } from './helpers.js';

/** A host that records what the actions of a completed run say, as a delivery would. */
class Tracker {
  readonly records = new Map<string, number>();
  now = 0;
  host: SieveHost = {
    duplicateSeen: (id, handle) => (this.records.get(`${handle}\0${id}`) ?? -1) > this.now,
  };
  carryOut(actions: readonly SieveAction[]): void {
    for (const action of actions)
      if (action.type === 'duplicate')
        this.records.set(`${action.handle}\0${action.id}`, this.now + action.periodSeconds * 1000);
  }
}

const message = (id: string | null, subject = 'hello') =>
  [
    'From: a@example.com',
    'To: b@example.org',
    ...(id ? [`Message-ID: <${id}>`] : []),
    `Subject: ${subject}`,
    '',
    'Hi.',
    '',
  ].join('\r\n');

function deliver(tracker: Tracker, script: string, text: string, limits = {}) {
  const compiled = compileSieve(script);
  if (!compiled.script) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const run = runScript(
    compiled.script,
    { message: bytes(text), envelope: { from: 'a@example.com', to: 'b@example.org' } },
    { host: tracker.host, limits },
  );
  if (run.status === 'completed') tracker.carryOut(run.actions);
  return run;
}

const summary = (actions: readonly SieveAction[]) =>
  actions.map((action) =>
    action.type === 'fileinto'
      ? `fileinto:${action.mailbox}${action.flags ? `:${action.flags.join(' ')}` : ''}`
      : action.type === 'duplicate'
        ? `duplicate:${action.id}:${action.periodSeconds}`
        : action.type,
  );

describe('duplicate (RFC 7352)', () => {
  it('runs the first example of RFC 7352 section 3.5: a second delivery goes to Trash', () => {
    const tracker = new Tracker();
    const script =
      'require ["duplicate", "fileinto", "mailbox"];\r\nif duplicate {\r\n  fileinto :create "Trash/Duplicate";\r\n}\r\n';
    expect(summary(deliver(tracker, script, message('m1@x')).actions)).toEqual([
      'duplicate:<m1@x>:43200',
      'keep',
    ]);
    expect(summary(deliver(tracker, script, message('m1@x')).actions)).toEqual([
      'fileinto:Trash/Duplicate',
    ]);
    expect(summary(deliver(tracker, script, message('m2@x')).actions)).toEqual([
      'duplicate:<m2@x>:43200',
      'keep',
    ]);
    // After the period, it is new again.
    tracker.now += 43_201_000;
    expect(summary(deliver(tracker, script, message('m1@x')).actions)[1]).toBe('keep');
  });

  it('runs the second example: :uniqueid from a variable, :seconds', () => {
    const tracker = new Tracker();
    const script = [
      'require ["duplicate", "variables", "imap4flags", "fileinto"];',
      'if header :matches "subject" "ALERT: *" {',
      '  if duplicate :seconds 60 :uniqueid "${1}" {',
      '    setflag "\\\\seen";',
      '  }',
      '  fileinto "Alerts";',
      '}',
      '',
    ].join('\r\n');
    expect(summary(deliver(tracker, script, message('a@x', 'ALERT: disk')).actions)).toEqual([
      'duplicate:disk:60',
      'fileinto:Alerts',
    ]);
    expect(summary(deliver(tracker, script, message('b@x', 'ALERT: disk')).actions)).toEqual([
      'fileinto:Alerts:\\Seen',
    ]);
    tracker.now += 61_000;
    expect(summary(deliver(tracker, script, message('c@x', 'ALERT: disk')).actions)[1]).toBe(
      'fileinto:Alerts',
    );
  });

  it('no Message-ID: never a duplicate; :header reads another field; a failed run marks nothing', () => {
    const tracker = new Tracker();
    const script = 'require "duplicate";\r\nif duplicate { discard; }\r\n';
    deliver(tracker, script, message(null));
    expect(summary(deliver(tracker, script, message(null)).actions)).toEqual(['keep']);
    const byHeader = 'require "duplicate";\r\nif duplicate :header "subject" { discard; }\r\n';
    deliver(tracker, byHeader, message('x@x', 'same'));
    expect(summary(deliver(tracker, byHeader, message('y@x', 'same')).actions)).toEqual([
      'discard',
    ]);
    const failing =
      'require ["duplicate", "ihave"];\r\nif duplicate { discard; }\r\nerror "x";\r\n';
    expect(deliver(tracker, failing, message('f@x')).status).toBe('error');
    expect(summary(deliver(tracker, script, message('f@x')).actions)).toEqual([
      'duplicate:<f@x>:43200',
      'keep',
    ]);
  });

  it('a second check in one run sees the first; :last renews; :handle separates; limits hold', () => {
    const tracker = new Tracker();
    const twice = 'require "duplicate";\r\nif duplicate { stop; }\r\nif duplicate { discard; }\r\n';
    expect(summary(deliver(tracker, twice, message('t@x')).actions)).toEqual([
      'duplicate:<t@x>:43200',
      'discard',
    ]);
    const handles =
      'require "duplicate";\r\nif duplicate :handle "a" { discard; }\r\nif duplicate :handle "b" { discard; }\r\n';
    deliver(
      tracker,
      'require "duplicate";\r\nif duplicate :handle "a" { stop; }\r\n',
      message('h@x'),
    );
    expect(summary(deliver(tracker, handles, message('h@x')).actions)).toEqual([
      'discard',
      'duplicate:<h@x>:43200',
    ]);
    const last = 'require "duplicate";\r\nif duplicate :last :seconds 100 { discard; }\r\n';
    deliver(tracker, last, message('l@x'));
    tracker.now += 90_000;
    expect(summary(deliver(tracker, last, message('l@x')).actions)).toEqual([
      'duplicate:<l@x>:100',
      'discard',
    ]);
    tracker.now += 90_000;
    expect(summary(deliver(tracker, last, message('l@x')).actions)[1]).toBe('discard');
    const long = 'require "duplicate";\r\nif duplicate :seconds 999999999 { discard; }\r\n';
    expect(summary(deliver(tracker, long, message('p@x')).actions)[0]).toBe(
      'duplicate:<p@x>:172800',
    );
    expect(
      summary(deliver(tracker, long, message('q@x'), { duplicateMaxPeriod: 10 }).actions)[0],
    ).toBe('duplicate:<q@x>:10');
    expect(
      compileErrors('require "duplicate";\r\nif duplicate :header "a:b" { stop; }\r\n'),
    ).toEqual(["2:22: invalid header name 'a:b'"]);
    expect(
      compileErrors(
        'require "duplicate";\r\nif duplicate :header "a" :uniqueid "b" { stop; }\r\n',
      )[0],
    ).toBeDefined();
  });
});
