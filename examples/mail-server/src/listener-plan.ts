import type { CommandLine } from './command-line.js';
import { LISTENER_NAMES, type ListenerName } from './listener-names.js';
import type { MailServerConfig } from './server-config.js';
import { StartupError } from './startup-error.js';

/** The listeners to start for this run: mailserver.cfg's, with the command line's overrides. */
export interface ListenerPlan {
  readonly host: string;
  /** Port per listener to start (0 = any free port); listeners that are off are absent. */
  readonly ports: Partial<Record<ListenerName, number>>;
  /** Connections at once per listener, 0 = unlimited. */
  readonly maxConnections: Readonly<Record<ListenerName, number>>;
  /** Listeners that expect a PROXY protocol header, and from whom. */
  readonly proxyProtocol: Partial<Record<ListenerName, { trustedProxies: readonly string[] }>>;
}

export function planListeners(
  config: MailServerConfig,
  commandLine: Pick<CommandLine, 'host' | 'ports' | 'proxyProtocol' | 'trustedProxies'>,
): ListenerPlan {
  const ports: Partial<Record<ListenerName, number>> = {};
  for (const name of LISTENER_NAMES) {
    const override = commandLine.ports[name];
    const { enabled, port } = config.listeners[name];
    if (override === 'off' || (override === undefined && !enabled)) continue;
    ports[name] = override ?? port;
  }
  const maxConnections = Object.fromEntries(
    LISTENER_NAMES.map((name) => [name, config.listeners[name].maxConnections]),
  ) as Record<ListenerName, number>;
  const trustedProxies = commandLine.trustedProxies ?? config.trustedProxies;
  const proxyProtocol: ListenerPlan['proxyProtocol'] = {};
  for (const name of LISTENER_NAMES) {
    const proxied = commandLine.proxyProtocol
      ? commandLine.proxyProtocol.includes(name)
      : config.listeners[name].proxyProtocol;
    if (!proxied || ports[name] === undefined) continue;
    // A listener that waits for headers no one may send would refuse every connection.
    if (trustedProxies.length === 0) {
      throw new StartupError(
        `${name} expects a PROXY protocol header, but no load balancer may send one: give TrustedProxies (or --trusted-proxies)`,
      );
    }
    proxyProtocol[name] = { trustedProxies };
  }
  return { host: commandLine.host ?? config.listenAddress, ports, maxConnections, proxyProtocol };
}

/**
 * The listeners of one server that are on, in the shape the SDK's servers take them: each with
 * its name, address, port and connection cap, plus what `specs` says about it (its TLS mode, ...).
 */
export function listenersOn<Spec extends object>(
  plan: ListenerPlan,
  specs: Partial<Record<ListenerName, Spec>>,
): (Spec & { name: ListenerName; host: string; port: number; maxConnections: number })[] {
  return (Object.entries(specs) as [ListenerName, Spec][]).flatMap(([name, spec]) => {
    const port = plan.ports[name];
    if (port === undefined) return [];
    const proxyProtocol = plan.proxyProtocol[name];
    return [
      {
        ...spec,
        name,
        host: plan.host,
        port,
        maxConnections: plan.maxConnections[name],
        ...(proxyProtocol ? { proxyProtocol } : {}),
      },
    ];
  });
}
