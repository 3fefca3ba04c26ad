import {
  AccountThrottle,
  AuthLockout,
  IpAddressGroups,
  LOCAL_CLIENTS,
  LoginGuard,
  RecentLogins,
} from '@mailyard/access-policy';
import {
  MemoryDirectory,
  MemoryMailStore,
  directoryAccountPolicy,
} from '@mailyard/mailstore-interface';
import { describe, expect, it } from 'vitest';
import type { DnsResolver } from '../../src/dns-resolver.js';
import {
  KerioSmtpPolicy,
  type KerioSmtpPolicyOptions,
} from '../../src/policy/kerio-smtp-policy.js';
import { Conversation } from '../session/conversation.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

class ManualClock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
}

async function setup(options: Partial<KerioSmtpPolicyOptions> = {}) {
  const directory = new MemoryDirectory();
  await directory.addDomain('example.com');
  await directory.addDomain('example.org');
  await directory.addUser('bob@example.com', { password: 'builder' });
  await directory.addUser('alice@example.com', { password: 'wonderland' });
  await directory.addUser('intern@example.com', { password: 'coffee', ownDomainOnly: true });
  const security: string[] = [];
  const clock = options.clock ?? new ManualClock();
  const policy = new KerioSmtpPolicy({
    directory,
    ipGroups: new IpAddressGroups({
      'Local clients': LOCAL_CLIENTS,
      Partners: [{ kind: 'network', address: '198.51.100.0', mask: 24 }],
    }),
    securityLog: (line) => security.push(line),
    clock,
    auth: {
      sasl: {
        credentials: directory,
        hostname: 'mx.example.com',
        service: 'smtp',
        mechanisms: ['PLAIN', 'LOGIN'],
      },
    },
    ...options,
  });
  /** A new connection from `ip`, greeted, after EHLO. */
  const connect = async (ip = '203.0.113.5', secure = false) => {
    const c = new Conversation(
      {
        hooks: policy.hooks(),
        sasl: policy.sasl,
        limits: policy.limits,
        clock,
        ...(policy.loginGuard ? { loginGuard: policy.loginGuard } : {}),
      },
      { remoteAddress: ip, secure, id: `S${Math.random()}` },
    );
    const greeting = await c.open();
    if (!c.closed) await c.say('EHLO client.example\r\n');
    return Object.assign(c, { greeting });
  };
  return { directory, policy, security, connect, clock: clock as ManualClock };
}

describe('relay control (Kerio 12.2)', () => {
  it('takes mail for local domains from anyone, and refuses to relay for strangers', async () => {
    const { connect, security } = await setup();
    const c = await connect();
    await c.say('MAIL FROM:<spammer@elsewhere.example>\r\n');
    expect(await c.say('RCPT TO:<bob@example.com>\r\n')).toBe('250 2.1.5 Ok\r\n');
    expect(await c.say('RCPT TO:<Bob@EXAMPLE.COM>\r\n')).toBe('250 2.1.5 Ok\r\n');
    expect(await c.say('RCPT TO:<victim@remote.example>\r\n')).toBe(
      '554 5.7.1 <victim@remote.example>: Relay access denied\r\n',
    );
    expect(security).toEqual([
      'Relay attempt from IP address 203.0.113.5, mail from <spammer@elsewhere.example> to <victim@remote.example> rejected',
    ]);
  });

  it('is not fooled by the classic open-relay tricks', async () => {
    // Every trick is a refused command: let the session take them all.
    const { connect } = await setup({ sessionLimits: { failedCommands: 100 } });
    const c = await connect();
    await c.say('MAIL FROM:<spammer@elsewhere.example>\r\n');
    const tricks: [string, string][] = [
      ['victim%remote.example@example.com', '550'], // percent hack: an unknown local user
      ['"victim@remote.example"@example.com', '550'], // @ inside quotes: likewise
      ['remote.example!victim@example.com', '550'], // bang path: likewise
      ['@example.com:victim@remote.example', '554'], // source route: dropped, the rest is a relay
      ['victim@remote.example@example.com', '501'],
      ['victim@example.com.', '501'], // trailing dot: not an address
      ['victim@[127.0.0.1]', '554'], // an IP literal is not one of our domains
      ['victim@[192.0.2.1]', '554'],
      ['victim@REMOTE.example', '554'],
      ['victim@example.com.remote.example', '554'],
    ];
    for (const [address, code] of tricks) {
      const reply = await c.say(`RCPT TO:<${address}>\r\n`);
      expect(reply.slice(0, 3), address).toBe(code);
    }
  });

  it('relays for the trusted IP group, unless an AUTH failed on the connection', async () => {
    const { connect } = await setup({ relay: { trustedGroup: 'Local clients' } });
    const trusted = await connect('192.168.1.20');
    await trusted.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await trusted.say('RCPT TO:<friend@remote.example>\r\n')).toBe('250 2.1.5 Ok\r\n');

    const failed = await connect('192.168.1.21', true);
    await failed.say(`AUTH PLAIN ${b64('\0alice\0wrong')}\r\n`);
    await failed.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await failed.say('RCPT TO:<friend@remote.example>\r\n')).toMatch(/^554 5\.7\.1 /);
  });

  it('relays for authenticated users', async () => {
    const { connect } = await setup();
    const c = await connect('203.0.113.9', true);
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
    await c.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toBe('250 2.1.5 Ok\r\n');
  });

  it('relays for 30 minutes after a POP3 login from the same IP', async () => {
    const clock = new ManualClock();
    const logins = new RecentLogins({ windowMs: 30 * 60_000, clock });
    const { connect, security } = await setup({ clock, relay: { pop3BeforeSmtp: logins } });
    logins.record('203.0.113.7', 'alice@example.com');
    const c = await connect('203.0.113.7');
    await c.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toBe('250 2.1.5 Ok\r\n');
    // The client did not authenticate: the Security log says what let it relay.
    expect(security).toEqual([
      'Relay from IP address 203.0.113.7, mail from <alice@example.com> to <friend@remote.example> allowed by POP3 before SMTP: alice@example.com logged in over POP3 from this address',
    ]);
    security.length = 0;
    const other = await connect('203.0.113.8');
    await other.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await other.say('RCPT TO:<friend@remote.example>\r\n')).toMatch(/^554 /);
    clock.time += 31 * 60_000;
    await c.say('RSET\r\nMAIL FROM:<alice@example.com>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toMatch(/^554 /);
    expect(security.every((line) => line.startsWith('Relay attempt from'))).toBe(true);
  });

  it('says nothing of POP3 before SMTP when the client relays on its own AUTH', async () => {
    const clock = new ManualClock();
    const logins = new RecentLogins({ windowMs: 30 * 60_000, clock });
    const { connect, security } = await setup({ clock, relay: { pop3BeforeSmtp: logins } });
    logins.record('203.0.113.9', 'bob@example.com');
    const c = await connect('203.0.113.9', true);
    expect(await c.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
    await c.say('MAIL FROM:<alice@example.com>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toBe('250 2.1.5 Ok\r\n');
    expect(security).toEqual([]);
  });

  it('relays for everyone as an open relay', async () => {
    const { connect } = await setup({ relay: { open: true } });
    const c = await connect();
    await c.say('MAIL FROM:<a@b.example>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toBe('250 2.1.5 Ok\r\n');
  });

  it('keeps "own domain only" users inside their domain, both ways', async () => {
    const { connect } = await setup();
    const c = await connect('203.0.113.9', true);
    await c.say(`AUTH PLAIN ${b64('\0intern\0coffee')}\r\n`);
    await c.say('MAIL FROM:<intern@example.com>\r\n');
    expect(await c.say('RCPT TO:<friend@remote.example>\r\n')).toMatch(/^550 5\.7\.1 /);
    expect(await c.say('RCPT TO:<someone@example.org>\r\n')).toMatch(/^550 5\.7\.1 /);
    expect(await c.say('RCPT TO:<bob@example.com>\r\n')).toBe('250 2.1.5 Ok\r\n');
    const outsider = await connect();
    await outsider.say('MAIL FROM:<stranger@remote.example>\r\n');
    expect(await outsider.say('RCPT TO:<intern@example.com>\r\n')).toMatch(/^550 5\.7\.1 /);
  });
});

describe('postmaster, and what local delivery would refuse, asked at RCPT (no backscatter)', () => {
  it('takes the bare <Postmaster> and postmaster@ every local domain, in any case, when it leads to a mailbox', async () => {
    const { connect, directory } = await setup();
    // The primary domain (example.com) forwards postmaster to its administrator.
    await directory.addAlias('example.com', 'postmaster', 'alice@example.com');
    await directory.addAlias('example.org', 'postmaster', 'bob@example.com');
    const c = await connect();
    await c.say('MAIL FROM:<victim@evil.example>\r\n');
    for (const address of [
      'Postmaster',
      'POSTMASTER',
      'postmaster@Example.COM',
      'PostMaster@example.org',
    ])
      expect(await c.say(`RCPT TO:<${address}>\r\n`), address).toBe('250 2.1.5 Ok\r\n');
  });

  it('refuses the postmaster at RCPT when it leads nowhere, instead of accepting mail that would bounce', async () => {
    const { connect } = await setup();
    const c = await connect();
    await c.say('MAIL FROM:<victim@evil.example>\r\n');
    expect(await c.say('RCPT TO:<postmaster>\r\n')).toBe(
      '550 5.1.1 <postmaster>: Recipient address rejected: User unknown\r\n',
    );
    expect(await c.say('RCPT TO:<postmaster@example.org>\r\n')).toMatch(/^550 5\.1\.1 /);
  });

  it('refuses the bare <Postmaster> of a server without any domain', async () => {
    const directory = new MemoryDirectory();
    const policy = new KerioSmtpPolicy({ directory });
    const c = new Conversation({ hooks: policy.hooks() });
    await c.open();
    await c.pipeline('EHLO client.example', 'MAIL FROM:<victim@evil.example>');
    expect(await c.say('RCPT TO:<Postmaster>\r\n')).toMatch(/^550 5\.1\.1 /);
  });

  it('refuses an alias that leads nowhere (a loop), which local delivery would drop', async () => {
    const { connect, directory } = await setup();
    await directory.addAlias('example.com', 'ping', 'pong');
    await directory.addAlias('example.com', 'pong', 'ping');
    const c = await connect();
    await c.say('MAIL FROM:<victim@evil.example>\r\n');
    expect(await c.say('RCPT TO:<ping@example.com>\r\n')).toMatch(/^550 5\.1\.1 /);
  });

  it('with the store: a full mailbox gets 452 4.2.2, a missing public folder 550 5.2.1', async () => {
    const directory = new MemoryDirectory();
    await directory.addDomain('example.com');
    await directory.addUser('full@example.com', { quota: { storage: 0, messages: 1 } });
    await directory.addUser('admin@example.com', { publicFolderAdmin: true });
    await directory.addAlias('example.com', 'sales', '#public/Sales');
    await directory.addAlias('example.com', 'news', '#public/News');
    await directory.addAlias('example.com', 'everyone', 'full@example.com');
    await directory.addAlias('example.com', 'everyone', 'admin@example.com');
    const store = new MemoryMailStore({ policy: directoryAccountPolicy(directory) });
    await store.access('admin@example.com').create('#public/News');
    await store.deliver('full@example.com', { content: Buffer.from('Subject: x\r\n\r\nx\r\n') });
    const policy = new KerioSmtpPolicy({ directory, store, sessionLimits: { failedCommands: 10 } });
    const c = new Conversation({ hooks: policy.hooks(), limits: policy.limits });
    await c.open();
    await c.pipeline('EHLO client.example', 'MAIL FROM:<victim@evil.example>');
    expect(await c.say('RCPT TO:<full@example.com>\r\n')).toBe(
      '452 4.2.2 <full@example.com>: Mailbox full\r\n',
    );
    // One of the mailboxes an alias leads to is full: delivery would defer it, so RCPT does.
    expect(await c.say('RCPT TO:<everyone@example.com>\r\n')).toMatch(/^452 4\.2\.2 /);
    expect(await c.say('RCPT TO:<sales@example.com>\r\n')).toBe(
      '550 5.2.1 <sales@example.com>: Mailbox unavailable\r\n',
    );
    expect(await c.say('RCPT TO:<news@example.com>\r\n')).toBe('250 2.1.5 Ok\r\n');
    expect(await c.say('RCPT TO:<admin@example.com>\r\n')).toBe('250 2.1.5 Ok\r\n');
  });

  it('answers 451 4.3.0 when the store cannot tell, and never 250', async () => {
    const directory = new MemoryDirectory();
    await directory.addDomain('example.com');
    await directory.addUser('alice@example.com');
    const store = new MemoryMailStore({ policy: directoryAccountPolicy(directory) });
    const access = store.access.bind(store);
    store.access = (user) => {
      const a = access(user);
      a.quota = async () => {
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      };
      return a;
    };
    const policy = new KerioSmtpPolicy({ directory, store });
    const c = new Conversation({ hooks: policy.hooks() });
    await c.open();
    await c.pipeline('EHLO client.example', 'MAIL FROM:<victim@evil.example>');
    expect(await c.say('RCPT TO:<alice@example.com>\r\n')).toMatch(/^451 4\.3\.0 /);
  });
});

describe('per-IP limits (Kerio 12.2 Security Options)', () => {
  it('blocks an IP for an hour after N unknown recipients (directory harvest), logging it once', async () => {
    const { connect, security, clock } = await setup({
      ipLimits: { unknownRecipients: 3, exemptGroup: 'Partners' },
      sessionLimits: { failedCommands: 100 },
    });
    const c = await connect('203.0.113.66');
    await c.say('MAIL FROM:<x@remote.example>\r\n');
    expect(await c.say('RCPT TO:<a1@example.com>\r\n')).toMatch(/^550 5\.1\.1 /);
    expect(await c.say('RCPT TO:<a2@example.com>\r\n')).toMatch(/^550 5\.1\.1 /);
    expect(await c.say('RCPT TO:<a3@example.com>\r\n')).toMatch(/^421 4\.7\.0 /);
    expect(c.closed).toBe(true);
    expect(security).toEqual(['Directory harvest attack from 203.0.113.66 detected']);
    const again = await connect('203.0.113.66');
    expect(again.greeting).toBe(
      '421 Your IP address is blocked for an hour (directory harvest)\r\n',
    );
    clock.time += 61 * 60_000;
    expect((await connect('203.0.113.66')).greeting).toMatch(/^220 /);
    // The exempt group is never blocked.
    const partner = await connect('198.51.100.4');
    await partner.say('MAIL FROM:<x@remote.example>\r\n');
    for (let i = 0; i < 5; i++)
      expect(await partner.say(`RCPT TO:<p${i}@example.com>\r\n`)).toMatch(/^550 /);
  });

  it('accepts at most N messages per hour from one IP, rolling', async () => {
    const { connect, clock } = await setup({ ipLimits: { messagesPerHour: 2 } });
    const c = await connect();
    for (let i = 0; i < 2; i++) {
      await c.pipeline('MAIL FROM:<x@remote.example>', 'RCPT TO:<bob@example.com>', 'DATA');
      expect(await c.say('hi\r\n.\r\n')).toMatch(/^250 /);
    }
    expect(await c.say('MAIL FROM:<x@remote.example>\r\n')).toMatch(/^450 4\.7\.0 /);
    clock.time += 60 * 60_000 + 1;
    expect(await c.say('MAIL FROM:<x@remote.example>\r\n')).toBe('250 2.1.0 Ok\r\n');
  });

  it('allows at most N concurrent connections from one IP', async () => {
    const { connect } = await setup({ ipLimits: { connectionsPerIp: 2 } });
    const first = await connect();
    await connect();
    expect((await connect()).greeting).toBe('421 Too many connections from your IP address\r\n');
    expect((await connect('203.0.113.200')).greeting).toMatch(/^220 /);
    await first.say('QUIT\r\n');
    expect((await connect()).greeting).toMatch(/^220 /);
  });
});

describe('sender checks, AUTH policy and the greeting delay', () => {
  it('refuses a sender whose domain is not in DNS, and defers when DNS fails', async () => {
    const resolver: DnsResolver = {
      resolveMx: async (domain) => {
        if (domain === 'broken.example') throw new Error('SERVFAIL');
        return domain === 'mx.example' ? [{ exchange: 'mail.mx.example', priority: 10 }] : [];
      },
      resolveAddresses: async (host) => (host === 'a-only.example' ? ['192.0.2.7'] : []),
    };
    const { connect } = await setup({ senderDomainCheck: resolver });
    const c = await connect();
    expect(await c.say('MAIL FROM:<x@nowhere.example>\r\n')).toBe(
      '553 5.1.8 Sender domain nowhere.example not found in DNS\r\n',
    );
    expect(await c.say('MAIL FROM:<x@broken.example>\r\n')).toMatch(/^451 4\.4\.3 /);
    expect(await c.say('MAIL FROM:<x@a-only.example>\r\n')).toBe('250 2.1.0 Ok\r\n');
    await c.say('RSET\r\n');
    expect(await c.say('MAIL FROM:<x@mx.example>\r\n')).toBe('250 2.1.0 Ok\r\n');
    await c.say('RSET\r\n');
    expect(await c.say('MAIL FROM:<>\r\n')).toBe('250 2.1.0 Ok\r\n');
  });

  it('locks an IP out after failed logins; a good password does not get in until it unlocks', async () => {
    const clock = new ManualClock();
    const loginGuard = new LoginGuard({
      addressLockout: new AuthLockout({ maxFailures: 3, unlockAfterMs: 20 * 60_000, clock }),
    });
    const { connect, security } = await setup({ clock, loginGuard, lockoutFailures: 3 });
    const c = await connect('203.0.113.50', true);
    for (let i = 0; i < 3; i++) await c.say(`AUTH PLAIN ${b64('\0alice\0guess')}\r\n`);
    const next = await connect('203.0.113.50', true);
    expect(await next.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toBe(
      '454 4.7.0 Too many failed logins from your address; try again later\r\n',
    );
    expect(security.filter((line) => line.startsWith('Failed SMTP login'))).toHaveLength(4);
    expect(security).toContain('SMTP login from 203.0.113.50 blocked after 3 failed attempts');
    expect(security[0]).toBe('Failed SMTP login from 203.0.113.50, authentication method PLAIN');
    expect(security.at(-1)).toBe(
      'Failed SMTP login from 203.0.113.50, authentication method PLAIN, address blocked',
    );
    clock.time += 21 * 60_000;
    const later = await connect('203.0.113.50', true);
    expect(await later.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
  });

  it('counts broken AUTH exchanges towards the lockout; a cancel does not count', async () => {
    const clock = new ManualClock();
    const loginGuard = new LoginGuard({
      addressLockout: new AuthLockout({ maxFailures: 3, unlockAfterMs: 20 * 60_000, clock }),
    });
    const { connect } = await setup({
      clock,
      loginGuard,
      sessionLimits: { authFailures: 10, failedCommands: 10 },
    });
    const c = await connect('203.0.113.51', true);
    expect(await c.say('AUTH LOGIN\r\n')).toMatch(/^334 /);
    expect(await c.say('*\r\n')).toMatch(/^501 5\.0\.0 /);
    expect(await c.say('AUTH PLAIN !!!!\r\n')).toMatch(/^501 5\.5\.2 /);
    expect(await c.say(`AUTH PLAIN ${b64('alice wonderland')}\r\n`)).toMatch(/^501 5\.5\.2 /);
    expect(await c.say('AUTH LOGIN\r\n')).toMatch(/^334 /);
    expect(await c.say('not base64!\r\n')).toMatch(/^501 5\.5\.2 /);
    // Three broken exchanges: the address is locked, the right password refused.
    const next = await connect('203.0.113.51', true);
    expect(await next.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(
      /^454 4\.7\.0 Too many failed logins from your address/,
    );
  });

  it('throttles guesses at one account from many addresses; the owner gets in from home', async () => {
    const clock = new ManualClock();
    const loginGuard = new LoginGuard({
      throttle: new AccountThrottle({ freeAttempts: 2, maxWaitMs: 1, clock }),
      sleep: async () => {
        throw new Error('no attempt may wait here: maxWaitMs is 1 ms');
      },
    });
    const { connect, security } = await setup({ clock, loginGuard });
    const home = await connect('192.0.2.80', true);
    expect(await home.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await connect(`203.0.113.${60 + i}`, true);
      answers.push(await c.say(`AUTH PLAIN ${b64('\0alice\0guess')}\r\n`));
    }
    expect(answers).toEqual([
      '535 5.7.8 Authentication credentials invalid\r\n',
      '535 5.7.8 Authentication credentials invalid\r\n',
      '454 4.7.0 Too many failed logins for this account; try again later\r\n',
      '454 4.7.0 Too many failed logins for this account; try again later\r\n',
    ]);
    expect(security.at(-1)).toBe(
      'Failed SMTP login from 203.0.113.63, authentication method PLAIN, account throttled',
    );
    const again = await connect('192.0.2.80', true);
    expect(await again.say(`AUTH PLAIN ${b64('\0alice\0wonderland')}\r\n`)).toMatch(/^235 /);
  });

  it('offers plaintext AUTH without TLS only to the insecure-auth group when secure auth is required', async () => {
    const base = await setup();
    const auth = {
      sasl: {
        credentials: base.directory,
        hostname: 'mx.example.com',
        service: 'smtp',
        mechanisms: ['PLAIN', 'LOGIN'],
      },
    };
    const strict = await setup({
      auth: { ...auth, requireSecureAuth: true, insecureAuthGroup: 'Local clients' },
    });
    expect(await (await strict.connect('203.0.113.1')).say('EHLO c\r\n')).not.toContain('AUTH');
    expect(await (await strict.connect('203.0.113.1', true)).say('EHLO c\r\n')).toContain(
      'AUTH PLAIN LOGIN',
    );
    expect(await (await strict.connect('10.1.2.3')).say('EHLO c\r\n')).toContain(
      'AUTH PLAIN LOGIN',
    );
    const lax = await setup({ auth });
    expect(await (await lax.connect('203.0.113.1')).say('EHLO c\r\n')).toContain(
      'AUTH PLAIN LOGIN',
    );
  });

  it("hides trusted clients' addresses from Received headers when asked (Kerio: Hide local IP)", async () => {
    const { policy } = await setup({
      relay: { trustedGroup: 'Local clients', hideTrustedAddresses: true },
    });
    const local = new Conversation(
      { received: { hideAddress: policy.hideAddress } },
      { remoteAddress: '192.168.7.7' },
    );
    await local.open();
    await local.pipeline(
      'EHLO laptop.lan',
      'MAIL FROM:<a@example.com>',
      'RCPT TO:<b@example.com>',
      'DATA',
    );
    await local.say('x\r\n.\r\n');
    expect(local.stored[0]!.text).toMatch(
      /^Received: from laptop\.lan\r\n\tby mx\.example\.com with ESMTP/,
    );
    const stranger = new Conversation(
      { received: { hideAddress: policy.hideAddress } },
      { remoteAddress: '203.0.113.7' },
    );
    await stranger.open();
    await stranger.pipeline(
      'EHLO far.example',
      'MAIL FROM:<a@far.example>',
      'RCPT TO:<b@example.com>',
      'DATA',
    );
    await stranger.say('x\r\n.\r\n');
    expect(stranger.stored[0]!.text).toMatch(
      /^Received: from far\.example \(unknown \[203\.0\.113\.7\]\)/,
    );
  });

  it('delays the greeting except for the exempt group', async () => {
    const { policy } = await setup({ greetingDelay: { ms: 25_000, exemptGroup: 'Local clients' } });
    expect(policy.greetingDelay('203.0.113.1')).toBe(25_000);
    expect(policy.greetingDelay('127.0.0.1')).toBe(0);
  });
});
