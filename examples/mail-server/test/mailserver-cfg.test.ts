import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMailserverCfg, parseMailserverCfg } from '../src/mailserver-cfg.js';
import { type MailServerConfig, defaultConfig } from '../src/server-config.js';
import { StartupError } from '../src/startup-error.js';
import { planListeners } from '../src/listener-plan.js';

const runs = Number(process.env.MAILYARD_FUZZ_RUNS ?? 200);

const config = (xml: string) => parseMailserverCfg(xml, 'test.cfg');
const wrap = (body: string) => `<?xml version="1.0"?><config>${body}</config>`;

describe('mailserver.cfg', () => {
  it('reads which listeners expect a PROXY header, and from which balancers', () => {
    const { config: read, warnings } = config(
      wrap(
        '<variable name="TrustedProxies">10.0.0.5, 192.0.2.0/24,fd00::/8</variable>' +
          '<list name="Service"><listitem><variable name="Name">imap</variable>' +
          '<variable name="ProxyProtocol">1</variable></listitem></list>',
      ),
    );
    expect(warnings).toEqual([]);
    expect(read.trustedProxies).toEqual(['10.0.0.5', '192.0.2.0/24', 'fd00::/8']);
    expect(read.listeners.imap.proxyProtocol).toBe(true);
    expect(read.listeners.pop3.proxyProtocol).toBe(false);
    const plan = planListeners(read, { ports: {} });
    expect(plan.proxyProtocol).toEqual({
      imap: { trustedProxies: ['10.0.0.5', '192.0.2.0/24', 'fd00::/8'] },
    });
    // The command line's list wins over the file's, for this run.
    expect(
      planListeners(read, { ports: {}, proxyProtocol: ['smtp'], trustedProxies: ['10.9.9.9'] })
        .proxyProtocol,
    ).toEqual({ smtp: { trustedProxies: ['10.9.9.9'] } });
    // A listener waiting for headers no one may send would refuse everyone: refused at start.
    expect(() => planListeners({ ...read, trustedProxies: [] }, { ports: {} })).toThrow(
      /imap expects a PROXY protocol header, but no load balancer may send one/,
    );
  });

  it('is written in Kerio\'s shape: <variable name="..."> and <list> of <listitem>', () => {
    const xml = formatMailserverCfg(defaultConfig());
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<config>\n/);
    expect(xml).toContain('<variable name="QueueRetryMinutes">30</variable>');
    expect(xml).toContain('<variable name="MaxRecipients">100</variable>');
    expect(xml).toMatch(
      /<list name="Service">\s*<listitem>\s*<variable name="Name">smtp<\/variable>\s*<variable name="Enabled">1<\/variable>\s*<variable name="Port">2525<\/variable>/,
    );
    expect(xml).toContain(
      '<!-- Relay control: who may send to other domains (Admin Guide 12.2) -->',
    );
  });

  it('reads back what it writes, defaults included', () => {
    const defaults = defaultConfig();
    expect(config(formatMailserverCfg(defaults))).toEqual({ config: defaults, warnings: [] });
  });

  it('keeps the default of every variable a file leaves out', () => {
    const { config: read } = config(
      wrap('<variable name="MaxRecipients">7</variable><variable name="OpenRelay">1</variable>'),
    );
    expect(read).toEqual({
      ...defaultConfig(),
      hostname: read.hostname,
      limits: { ...defaultConfig().limits, recipients: 7 },
      relay: { ...defaultConfig().relay, open: true },
    });
  });

  it('reads the IMAP connection caps, and writes them with their defaults', () => {
    const xml = formatMailserverCfg(defaultConfig());
    expect(xml).toContain('<variable name="ImapMaxConnectionsPerIp">50</variable>');
    expect(xml).toContain('<variable name="ImapMaxUnauthenticatedPerIp">10</variable>');
    expect(xml).toContain('<variable name="ImapMaxUserIpConnections">10</variable>');
    const { config: read } = config(
      wrap(
        '<variable name="ImapMaxConnectionsPerIp">5</variable>' +
          '<variable name="ImapMaxUnauthenticatedPerIp">0</variable>' +
          '<variable name="ImapMaxUserIpConnections">2</variable>',
      ),
    );
    expect(read.limits).toMatchObject({
      imapConnectionsPerIp: 5,
      imapUnauthenticatedPerIp: 0,
      imapUserIpConnections: 2,
    });
  });

  it('reads the login guard and the Debug log; the account lockout and debug.log are off by default', () => {
    const defaults = defaultConfig();
    expect(defaults.authentication).toMatchObject({
      accountLockout: false,
      accountLockoutFailures: 5,
      accountLockoutMinutes: 20,
      throttleFreeAttempts: 5,
      throttleDelayMs: 1_000,
      throttleMaxDelayMs: 300_000,
      throttleMaxWaitMs: 30_000,
      knownAddressDays: 30,
      loginCacheMinutes: 60,
    });
    expect(defaults.logging).toEqual({ debug: false });
    const xml = formatMailserverCfg(defaults);
    expect(xml).toContain('<variable name="AccountLockout">0</variable>');
    expect(xml).toContain('<variable name="LoginThrottleMaxWaitMs">30000</variable>');
    expect(xml).toContain('<variable name="DebugLog">0</variable>');
    const { config: read, warnings } = config(
      wrap(`
        <variable name="AccountLockout">1</variable>
        <variable name="AccountLockoutFailures">3</variable>
        <variable name="AccountLockoutMinutes">5</variable>
        <variable name="LoginThrottleFreeAttempts">0</variable>
        <variable name="LoginThrottleDelayMs">50</variable>
        <variable name="LoginThrottleMaxDelayMs">400</variable>
        <variable name="LoginThrottleMaxWaitMs">2000</variable>
        <variable name="KnownAddressDays">7</variable>
        <variable name="LoginCacheMinutes">0</variable>
        <variable name="DebugLog">1</variable>`),
    );
    expect(warnings).toEqual([]);
    expect(read.authentication).toEqual({
      ...defaults.authentication,
      accountLockout: true,
      accountLockoutFailures: 3,
      accountLockoutMinutes: 5,
      throttleFreeAttempts: 0,
      throttleDelayMs: 50,
      throttleMaxDelayMs: 400,
      throttleMaxWaitMs: 2000,
      knownAddressDays: 7,
      loginCacheMinutes: 0,
    });
    expect(read.logging).toEqual({ debug: true });
  });

  it('reads listeners, routes, a smarthost and IP groups', () => {
    const { config: read } = config(
      wrap(`
        <variable name="SmtpRelayHost">relay.example.net</variable>
        <variable name="SmtpRelayPort">587</variable>
        <variable name="SmtpRelayAuth">smtp-auth</variable>
        <variable name="SmtpRelayUser">me</variable>
        <variable name="SmtpRelayPassword">secret &amp; more</variable>
        <variable name="RelayTrustedGroup">Office</variable>
        <variable name="LimitsExemptGroup">Office</variable>
        <list name="Service">
          <listitem><variable name="Name">imap</variable><variable name="Enabled">0</variable></listitem>
          <listitem><variable name="Name">smtp</variable><variable name="Port">25</variable>
            <variable name="MaxConnections">50</variable></listitem>
        </list>
        <list name="DomainRoute">
          <listitem><variable name="Domain">Other.Test</variable><variable name="Host">127.0.0.1</variable>
            <variable name="Port">2600</variable></listitem>
        </list>
        <list name="IpGroup">
          <listitem><variable name="Group">Office</variable><variable name="Kind">network</variable>
            <variable name="Address">192.0.2.0</variable><variable name="Mask">24</variable></listitem>
          <listitem><variable name="Group">Office</variable><variable name="Kind">range</variable>
            <variable name="Address">198.51.100.1</variable><variable name="To">198.51.100.9</variable>
            <variable name="Enabled">0</variable></listitem>
        </list>`),
    );
    expect(read.listeners.imap).toEqual({
      enabled: false,
      port: 1143,
      maxConnections: 0,
      proxyProtocol: false,
    });
    expect(read.listeners.smtp).toEqual({
      enabled: true,
      port: 25,
      maxConnections: 50,
      proxyProtocol: false,
    });
    expect(read.delivery.smarthost).toEqual({
      host: 'relay.example.net',
      port: 587,
      authentication: 'smtp-auth',
      username: 'me',
      password: 'secret & more',
    });
    expect(read.delivery.routes).toEqual([{ domain: 'other.test', host: '127.0.0.1', port: 2600 }]);
    expect(read.ipGroups).toEqual({
      Office: [
        { kind: 'network', address: '192.0.2.0', mask: '24' },
        { kind: 'range', from: '198.51.100.1', to: '198.51.100.9', enabled: false },
      ],
    });
  });

  it('reads an empty file as all defaults', () => {
    for (const xml of [
      '<config></config>',
      '<config/>',
      '<?xml version="1.0"?>\n<config>\n</config>\n',
    ]) {
      expect(config(xml).config, xml).toEqual(defaultConfig());
    }
  });

  it('warns about variables and lists it does not know', () => {
    const { warnings } = config(
      wrap('<variable name="MaxRecipient">7</variable><list name="Antivirus"></list>'),
    );
    expect(warnings).toEqual([
      'test.cfg: unknown variable MaxRecipient (ignored)',
      'test.cfg: unknown list Antivirus (ignored)',
    ]);
  });

  it.each([
    [
      '<variable name="MaxRecipients">many</variable>',
      'test.cfg: MaxRecipients is a whole number from 0, not "many"',
    ],
    [
      '<variable name="QueueThreads">0</variable>',
      'test.cfg: QueueThreads is a whole number from 1, not "0"',
    ],
    [
      // RFC 5321 4.5.3.1.6: a server takes lines of 1000 octets at least.
      '<variable name="MaxLineLength">998</variable>',
      'test.cfg: MaxLineLength is a whole number from 1000, not "998"',
    ],
    ['<variable name="OpenRelay">yes</variable>', 'test.cfg: OpenRelay is 0 or 1, not "yes"'],
    [
      '<variable name="SmtpRelayHost">h</variable><variable name="SmtpRelayAuth">ntlm</variable>',
      'test.cfg: SmtpRelayAuth is none, smtp-auth, pop3-before-smtp, not "ntlm"',
    ],
    [
      '<variable name="TrustedProxies">10.0.0.5, lb.example.com</variable>',
      'test.cfg: TrustedProxies "lb.example.com" is not an IP address or subnet (10.0.0.0/24)',
    ],
    [
      '<variable name="TrustedProxies">10.0.0.0/33</variable>',
      'test.cfg: TrustedProxies "10.0.0.0/33" is not an IP address or subnet (10.0.0.0/24)',
    ],
    [
      '<list name="Service"><listitem><variable name="Name">nntp</variable></listitem></list>',
      'test.cfg: Service "nntp" is none of smtp, smtps, submission, imap, imaps, pop3, pop3s, sieve',
    ],
    [
      '<list name="Service"><listitem><variable name="Name">smtp</variable><variable name="Port">70000</variable></listitem></list>',
      'test.cfg: Service smtp Port 70000 is not a port number',
    ],
    [
      '<list name="DomainRoute"><listitem><variable name="Domain">a.test</variable></listitem></list>',
      'test.cfg: DomainRoute 1 needs a Domain and a Host',
    ],
    [
      '<variable name="RelayTrustedGroup">Nobody</variable>',
      'test.cfg: the IP address group "Nobody" is not defined',
    ],
    [
      '<variable name="LoginThrottleDelayMs">500</variable><variable name="LoginThrottleMaxDelayMs">100</variable>',
      'test.cfg: LoginThrottleMaxDelayMs (100) is less than LoginThrottleDelayMs (500)',
    ],
    [
      '<variable name="LoginThrottleMaxWaitMs">0</variable>',
      'test.cfg: LoginThrottleMaxWaitMs is a whole number from 1, not "0"',
    ],
    [
      '<variable name="LockoutMinutes">0</variable>',
      'test.cfg: LockoutMinutes is a whole number from 1, not "0"',
    ],
  ])('refuses %s, saying what and where', (body, message) => {
    expect(() => config(wrap(body))).toThrow(new StartupError(message));
  });

  it("writes the spam filter's section with Kerio's defaults: rating on, tag 5, block 9.5, lists off", () => {
    const xml = formatMailserverCfg(defaultConfig());
    expect(xml).toContain('<variable name="SpamRatingEnabled">1</variable>');
    expect(xml).toContain('<variable name="SpamTagScore">5</variable>');
    expect(xml).toContain('<variable name="SpamBlockScore">9.5</variable>');
    expect(xml).toContain('<variable name="SpamSubjectTag">*SPAM* </variable>');
    expect(xml).toContain('<variable name="GreylistEnabled">0</variable>');
    expect(xml).toContain('<variable name="AntivirusEnabled">0</variable>');
    expect(xml).toMatch(
      /<list name="SpamDnsBlacklist">\s*<listitem>\s*<variable name="Name">SORBS DNSBL<\/variable>/,
    );
    const read = config(xml).config.spam;
    expect(read.dnsBlacklists.every((list) => list.enabled === false)).toBe(true);
    expect(read).toEqual(defaultConfig().spam);
  });

  it('reads a spam filter, custom rules, DNS blacklists, greylisting, antivirus and attachment rules', () => {
    const item = (fields: Record<string, string>) =>
      `<listitem>${Object.entries(fields)
        .map(([name, value]) => `<variable name="${name}">${value}</variable>`)
        .join('')}</listitem>`;
    const { config: read, warnings } = config(
      wrap(
        '<variable name="LimitsExemptGroup"></variable>' +
          '<variable name="SpamTagScore">4.5</variable>' +
          '<variable name="SpamBlockScore">10</variable>' +
          '<variable name="SpamBlockAction">reject</variable>' +
          '<variable name="SpamSubjectTag">[SPAM %s] </variable>' +
          '<variable name="SpamWhitelistGroup"></variable>' +
          '<variable name="SpamBlacklistGroup">Spammers</variable>' +
          '<variable name="SpamBlacklistAction">block</variable>' +
          '<variable name="GreylistEnabled">1</variable>' +
          '<variable name="GreylistDelaySeconds">2</variable>' +
          '<variable name="AntivirusEnabled">1</variable>' +
          '<variable name="AntivirusClamd">127.0.0.1:3310</variable>' +
          '<variable name="AntivirusAction">strip</variable>' +
          '<list name="IpGroup">' +
          item({ Group: 'Spammers', Kind: 'host', Address: '192.0.2.7' }) +
          '</list><list name="SpamCustomRule">' +
          item({ Header: 'From', Type: 'domain', Content: '*.spam.test', Action: 'reject' }) +
          item({
            Header: 'X-Mailer',
            Type: 'substring',
            Content: 'bulk',
            Action: 'score',
            Score: '2.5',
          }) +
          '</list><list name="SpamDnsBlacklist">' +
          item({
            Name: 'Test list',
            Suffix: 'bl.test',
            Action: 'score',
            Score: '1.4',
            AskDirectly: '127.0.0.1:5353',
          }) +
          '</list><list name="AttachmentRule">' +
          item({ Type: 'filename', Pattern: '*.exe', Action: 'block' }) +
          '</list>',
      ),
    );
    expect(warnings).toEqual([]);
    expect(read.spam).toMatchObject({
      tagScore: 4.5,
      blockScore: 10,
      blockAction: 'reject',
      subjectTag: '[SPAM %s] ',
      whitelistGroup: '',
      blacklistGroup: 'Spammers',
      blacklistAction: 'block',
      customRules: [
        { header: 'From', type: 'domain', content: '*.spam.test', action: { kind: 'reject' } },
        { header: 'X-Mailer', type: 'substring', action: { kind: 'score', score: 2.5 } },
      ],
      dnsBlacklists: [
        {
          name: 'Test list',
          suffix: 'bl.test',
          kind: 'ip',
          action: { kind: 'score', score: 1.4 },
          askDirectly: ['127.0.0.1:5353'],
          enabled: true,
        },
      ],
      greylisting: { enabled: true, delaySeconds: 2 },
      antivirus: { enabled: true, clamd: '127.0.0.1:3310', action: 'strip' },
      attachments: {
        rules: [{ type: 'filename', pattern: '*.exe', action: 'block', enabled: true }],
      },
    });
    // What it reads, it writes back the same.
    expect(config(formatMailserverCfg(read)).config).toEqual(read);
  });

  it('reads the DNS servers, SPF, DKIM/DMARC/ARC, the bounce of blocked mail and the antivirus notices; all off by default', () => {
    const defaults = config(wrap('')).config;
    expect(defaults.dns).toEqual({ servers: [], timeoutMs: 3000 });
    expect(defaults.spam).toMatchObject({
      spf: { enabled: false, action: 'score', score: 3, exemptGroup: '' },
      mailAuth: { enabled: false, dmarcReject: 'score' },
      bounceBlocked: false,
      antivirus: { warnSender: false, forwardOriginal: '', forwardFiltered: '' },
    });
    const { config: read, warnings } = config(
      wrap(
        '<variable name="LimitsExemptGroup"></variable>' +
          '<variable name="DnsServers">127.0.0.1:5353, 192.0.2.53</variable>' +
          '<variable name="DnsTimeoutMs">500</variable>' +
          '<variable name="SpfEnabled">1</variable>' +
          '<variable name="SpfAction">block</variable>' +
          '<variable name="SpfScore">2.5</variable>' +
          '<variable name="SpfExemptGroup">Backup MX</variable>' +
          '<variable name="SpamMailAuth">1</variable>' +
          '<variable name="SpamDmarcReject">reject</variable>' +
          '<variable name="SpamBlockBounce">1</variable>' +
          '<variable name="AntivirusWarnSender">1</variable>' +
          '<variable name="AntivirusForwardOriginal">admin@example.test</variable>' +
          '<variable name="AntivirusForwardFiltered">audit@example.test</variable>' +
          '<list name="IpGroup"><listitem><variable name="Group">Backup MX</variable>' +
          '<variable name="Kind">host</variable><variable name="Address">192.0.2.25</variable></listitem></list>',
      ),
    );
    expect(warnings).toEqual([]);
    expect(read.dns).toEqual({ servers: ['127.0.0.1:5353', '192.0.2.53'], timeoutMs: 500 });
    expect(read.spam).toMatchObject({
      spf: { enabled: true, action: 'block', score: 2.5, exemptGroup: 'Backup MX' },
      mailAuth: { enabled: true, dmarcReject: 'reject' },
      bounceBlocked: true,
      antivirus: {
        warnSender: true,
        forwardOriginal: 'admin@example.test',
        forwardFiltered: 'audit@example.test',
      },
    });
    expect(config(formatMailserverCfg(read)).config).toEqual(read);
  });

  it.each([
    ['<variable name="SpamTagScore">11</variable>', 'SpamTagScore is a number from 0 to 10'],
    ['<variable name="SpamBlockScore">9.95</variable>', 'SpamBlockScore is at most 9.9'],
    ['<variable name="SpamBlockAction">bounce</variable>', 'SpamBlockAction is discard or reject'],
    ['<variable name="SpamBlacklistGroup">Nobody</variable>', 'group "Nobody" is not defined'],
    ['<variable name="SpfExemptGroup">Nobody</variable>', 'group "Nobody" is not defined'],
    ['<variable name="SpfAction">reject</variable>', 'SpfAction is log or block or score'],
    [
      '<variable name="SpamDmarcReject">quarantine</variable>',
      'SpamDmarcReject is score or reject',
    ],
    ['<variable name="DnsTimeoutMs">0</variable>', 'DnsTimeoutMs is a whole number from 1'],
    [
      '<variable name="AntivirusAction">clean</variable>',
      'AntivirusAction is discard or reject or strip',
    ],
    [
      '<list name="SpamCustomRule"><listitem><variable name="Header">From:</variable></listitem></list>',
      'SpamCustomRule item 1 needs a Header name, without a colon',
    ],
    [
      '<list name="SpamDnsBlacklist"><listitem><variable name="Suffix">x.test</variable><variable name="Score">lots</variable></listitem></list>',
      'SpamDnsBlacklist item 1 Score is a number',
    ],
  ])('refuses the spam setting %s, saying what', (body, message) => {
    expect(() => config(wrap(body))).toThrow(message);
  });

  it('refuses a file that is not XML, with the line of the mistake', () => {
    expect(() => config('<config>\n<variable name="a">1</variabl>\n</config>')).toThrow(
      /^test\.cfg: line 2: Expected closing tag 'variable'/,
    );
    expect(() => config('<settings/>')).toThrow(
      'test.cfg: line 1: expected <config> at the top of the file, found <settings>',
    );
  });

  it('reads back any configuration it writes', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.trim());
    const count = fc.nat({ max: 1_000_000 });
    const port = fc.integer({ min: 0, max: 65535 });
    const listener = fc.record({
      enabled: fc.boolean(),
      port,
      maxConnections: count,
      proxyProtocol: fc.boolean(),
    });
    const arbitraryConfig: fc.Arbitrary<MailServerConfig> = fc
      .record({
        hostname: text,
        storePath: text,
        listenAddress: fc.constantFrom('127.0.0.1', '::', '0.0.0.0'),
        trustedProxies: fc.subarray(['10.0.0.5', '192.0.2.0/24', 'fd00::/8']),
        listener,
        recipients: count,
        retry: fc.integer({ min: 1, max: 10_000 }),
        open: fc.boolean(),
        routes: fc.array(
          fc.record({
            domain: fc.domain(),
            host: fc.domain(),
            port,
          }),
          { maxLength: 3 },
        ),
        smarthost: fc.option(
          fc.record({
            host: fc.domain(),
            port,
            authentication: fc.constantFrom('none', 'smtp-auth', 'pop3-before-smtp' as const),
            username: text,
            password: text,
          }),
        ),
      })
      .map((r) => {
        const base = defaultConfig();
        return {
          ...base,
          hostname: r.hostname || base.hostname,
          storePath: r.storePath || base.storePath,
          listenAddress: r.listenAddress,
          trustedProxies: r.trustedProxies,
          listeners: { ...base.listeners, smtp: r.listener, pop3s: r.listener },
          limits: { ...base.limits, recipients: r.recipients },
          relay: { ...base.relay, open: r.open },
          queue: { ...base.queue, retryMinutes: r.retry },
          delivery: { ...base.delivery, routes: r.routes, smarthost: r.smarthost },
        };
      });
    fc.assert(
      fc.property(arbitraryConfig, (written) => {
        expect(config(formatMailserverCfg(written)).config).toEqual(written);
      }),
      { seed: 11, numRuns: runs },
    );
  });

  it('answers any text with a configuration or a StartupError', () => {
    const xmlish = fc.array(
      fc.constantFrom(
        '<config>',
        '</config>',
        '<variable name="MaxRecipients">',
        '<variable name="Port">',
        '</variable>',
        '<list name="Service">',
        '<listitem>',
        '</listitem>',
        '</list>',
        '<variable name="Name">smtp',
        '&amp;',
        '&bogus;',
        '<!--',
        '-->',
        '\u0000',
        '12',
        'x',
      ),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          xmlish.map((parts) => parts.join('')),
          fc.string(),
        ),
        (text) => {
          try {
            config(text);
          } catch (error) {
            expect(error).toBeInstanceOf(StartupError);
          }
        },
      ),
      { seed: 13, numRuns: runs },
    );
  });
});
