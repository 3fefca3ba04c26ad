import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { LISTENER_NAMES, LISTENERS, type ListenerName } from './listener-names.js';
import { isPostgresUrl, readTrustedProxies } from './mailserver-cfg.js';
import { StartupError } from './startup-error.js';

/** What the command line asks for. Absent values leave mailserver.cfg's settings in force. */
export interface CommandLine {
  readonly dataDirectory: string;
  /** The address to listen on, for this run. */
  readonly host?: string;
  /** Ports for this run; `off` disables a listener. */
  readonly ports: Partial<Record<ListenerName, number | 'off'>>;
  /** The store for this run: a `postgres://` URL (over mailserver.cfg's StoreUrl). */
  readonly store?: string;
  /** Listeners that expect a PROXY header for this run (over mailserver.cfg's ProxyProtocol). */
  readonly proxyProtocol?: readonly ListenerName[];
  /** The load balancers that may send it, for this run (over mailserver.cfg's TrustedProxies). */
  readonly trustedProxies?: readonly string[];
  /** Local domains to add (persisted in users.cfg). */
  readonly domains: readonly string[];
  /** Users to create, or whose password to set (persisted in users.cfg). */
  readonly users: readonly UserArgument[];
  readonly help: boolean;
}

export interface UserArgument {
  /** `alice@example.test`, lower case. */
  readonly address: string;
  readonly password: string;
}

export const USAGE = `Usage: mailyard-server [--data DIR] [--host ADDR]
                      [--smtp PORT] [--smtps PORT] [--submission PORT]
                      [--imap PORT] [--imaps PORT] [--pop3 PORT] [--pop3s PORT] [--sieve PORT]
                      [--domain NAME]... [--user LOGIN@DOMAIN:PASSWORD]...
                      [--store postgres://USER:PASSWORD@HOST/DATABASE]
                      [--proxy-protocol LISTENER,...] [--trusted-proxies ADDR,...]

  --data DIR        the data directory: mailserver.cfg, users.cfg, store/, sslcert/, logs/
                    (default ./data; created with defaults on first run)
  --host ADDR       the IP address to listen on (default 127.0.0.1)
${LISTENER_NAMES.map((name) => `  --${`${name} PORT`.padEnd(16)}${LISTENERS[name].protocol}, default ${LISTENERS[name].port}`).join('\n')}
                    a port of 0 picks a free one; "off" disables the listener
  --domain NAME     adds a local domain (saved in users.cfg)
  --user LOGIN@DOMAIN:PASSWORD
                    creates the user, or sets the password of an existing one (saved)
  --store postgres://USER:PASSWORD@HOST/DATABASE
                    keeps the messages in PostgreSQL, shared by several servers
                    (default: mailserver.cfg's StoreUrl, or the on-disk store when empty)
  --proxy-protocol LISTENER,...
                    these listeners (imap,pop3,smtp...) expect a PROXY protocol header (v1 or
                    v2) from a load balancer first (default: mailserver.cfg's ProxyProtocol)
  --trusted-proxies ADDR,...
                    the load balancers allowed to send it, addresses or subnets; any other
                    peer of such a listener is disconnected (default: TrustedProxies)

With no domain configured, the first run creates example.test with the users alice and bob and
prints their passwords. Once every listener is up, one line goes to stdout:
  ready smtp=2525 smtps=2465 submission=2587 imap=1143 imaps=1993 pop3=1110 pop3s=1995 sieve=4190

       mailyard-server backup [--data DIR] [--dest DIR]
makes a copy backup of the data directory now (see mailyard-server backup --help).

       mailyard-server spam-statistics [--data DIR] [--reset]
shows the spam statistics, and with --reset sets them to zero.`;

/** Parses the arguments (without `node` and the script); throws a StartupError when they are wrong. */
export function parseCommandLine(args: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new StartupError(`${explainParseError(error as Error)}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new StartupError(`unexpected argument '${positionals[0]}'\n\n${USAGE}`);
  }
  const ports: Partial<Record<ListenerName, number | 'off'>> = {};
  for (const name of LISTENER_NAMES) {
    const value = values[name];
    if (value !== undefined) ports[name] = parsePort(name, value);
  }
  if (values.host !== undefined && isIP(values.host) === 0) {
    throw new StartupError(
      `--host ${values.host}: give an IP address, such as 127.0.0.1, 0.0.0.0 or ::`,
    );
  }
  if (values.store !== undefined && !isPostgresUrl(values.store)) {
    throw new StartupError('--store: give a postgres:// URL, such as postgres://mail@db/mail');
  }
  const proxied = values['proxy-protocol']?.split(',').map((name) => name.trim());
  const unknown = proxied?.find((name) => !LISTENER_NAMES.includes(name as ListenerName));
  if (unknown !== undefined) {
    throw new StartupError(
      `--proxy-protocol ${unknown}: a listener is one of ${LISTENER_NAMES.join(', ')}`,
    );
  }
  const trustedProxies =
    values['trusted-proxies'] === undefined
      ? undefined
      : readTrustedProxies('--trusted-proxies', values['trusted-proxies']);
  return {
    dataDirectory: values.data ?? './data',
    ...(proxied ? { proxyProtocol: proxied as ListenerName[] } : {}),
    ...(trustedProxies ? { trustedProxies } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.store !== undefined ? { store: values.store } : {}),
    ports,
    domains: (values.domain ?? []).map(parseDomain),
    users: (values.user ?? []).map(parseUser),
    help: values.help ?? false,
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      store: { type: 'string' },
      'proxy-protocol': { type: 'string' },
      'trusted-proxies': { type: 'string' },
      smtp: { type: 'string' },
      smtps: { type: 'string' },
      submission: { type: 'string' },
      imap: { type: 'string' },
      imaps: { type: 'string' },
      pop3: { type: 'string' },
      pop3s: { type: 'string' },
      sieve: { type: 'string' },
      domain: { type: 'string', multiple: true },
      user: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * parseArgs's words, where they help ("Option '--smtp <value>' argument missing"). For an
 * unknown option it goes on about positional arguments and '--', which this program has none of.
 */
function explainParseError(error: Error & { code?: string }): string {
  const unknown = /^Unknown option '([^']*)'/.exec(error.message);
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    return `unknown option ${unknown[1]} (the options are below)`;
  }
  return error.message;
}

function parsePort(name: ListenerName, value: string): number | 'off' {
  if (value === 'off') return 'off';
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new StartupError(`--${name} ${value}: a port is a number from 0 to 65535, or "off"`);
  }
  return port;
}

/** Host names as RFC 1123 allows them: labels of letters, digits and inner hyphens. */
const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parseDomain(value: string): string {
  const domain = value.toLowerCase();
  if (!DOMAIN.test(domain)) throw new StartupError(`--domain ${value}: not a domain name`);
  return domain;
}

function parseUser(value: string): UserArgument {
  // The password may hold any character, a colon too; the address cannot.
  const colon = value.indexOf(':');
  const address = (colon < 0 ? value : value.slice(0, colon)).toLowerCase();
  const password = colon < 0 ? '' : value.slice(colon + 1);
  const at = address.lastIndexOf('@');
  if (at <= 0 || !DOMAIN.test(address.slice(at + 1)) || password === '') {
    throw new StartupError(
      `--user ${colon < 0 ? value : `${address}:…`}: write it as LOGIN@DOMAIN:PASSWORD`,
    );
  }
  return { address, password };
}
