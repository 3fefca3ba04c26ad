import { describe, expect, it } from 'vitest';
import { compileErrors, runWith } from './helpers.js';

const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

const run = (script: string) => runWith(script, { host: { now: () => NOW } });

describe('redirect-dsn and redirect-deliverby (RFC 6009)', () => {
  it('carries DSN NOTIFY and RET, and DELIVERBY from now, on the redirect action', () => {
    const result = run(`require ["redirect-dsn", "redirect-deliverby"];
redirect :bytimerelative 600 :bymode "notify" :bytrace :notify "success,FAILURE" :ret "hdrs" "cellphone@example.net";`);
    expect(result.actions[0]).toMatchObject({
      type: 'redirect',
      address: 'cellphone@example.net',
      dsnNotify: ['SUCCESS', 'FAILURE'],
      dsnReturn: 'HDRS',
      deliverBy: { deadline: new Date(NOW.getTime() + 600_000), mode: 'notify', trace: true },
    });
  });

  it(':notify "NEVER", :bytimeabsolute, and the default mode "return"', () => {
    const result = run(`require ["redirect-dsn", "redirect-deliverby"];
redirect :notify "NEVER" :bytimeabsolute "2026-01-03T00:00:00+01:00" "x@example.net";`);
    expect(result.actions[0]).toMatchObject({
      dsnNotify: ['NEVER'],
      deliverBy: { deadline: new Date(Date.UTC(2026, 0, 2, 23)), mode: 'return', trace: false },
    });
  });

  it('refuses bad values when run, and two time limits when compiled', () => {
    for (const [tags, message] of [
      [':notify "NEVER,SUCCESS"', `invalid :notify value 'NEVER,SUCCESS'`],
      [':ret "ALL"', `invalid :ret value 'ALL'`],
      [':bymode "bounce"', `invalid :bymode value 'bounce'`],
      [':bytimeabsolute "tomorrow"', `invalid :bytimeabsolute value 'tomorrow'`],
    ] as const) {
      const result = run(
        `require ["redirect-dsn", "redirect-deliverby"];\nredirect ${tags} "x@example.net";`,
      );
      expect(result.status).toBe('error');
      expect(result.error?.message).toContain(`redirect: ${message}`);
    }
    expect(
      compileErrors(
        'require "redirect-deliverby";\nredirect :bytimerelative 5 :bytimeabsolute "2026-01-03T00:00:00Z" "x@example.net";',
      )[0],
    ).toBe(
      "2:28: the redirect command takes only one bytime: ':bytimerelative' and ':bytimeabsolute' given",
    );
    expect(compileErrors('redirect :ret "FULL" "x@example.net";')[0]).toBe(
      "1:10: the :ret tag of the redirect command needs the 'redirect-dsn' extension: add it to require",
    );
  });
});
