import type { CommandLine } from './command-line.js';
import { LISTENER_NAMES, type ListenerName } from './listener-names.js';
import type { MailServerConfig } from './server-config.js';

/** The listeners to start for this run: mailserver.cfg's, with the command line's overrides. */
export interface ListenerPlan {
  readonly host: string;
  /** Port per listener to start (0 = any free port); listeners that are off are absent. */
  readonly ports: Partial<Record<ListenerName, number>>;
}

export function planListeners(
  config: MailServerConfig,
  commandLine: Pick<CommandLine, 'host' | 'ports'>,
): ListenerPlan {
  const ports: Partial<Record<ListenerName, number>> = {};
  for (const name of LISTENER_NAMES) {
    const override = commandLine.ports[name];
    const { enabled, port } = config.listeners[name];
    if (override === 'off' || (override === undefined && !enabled)) continue;
    ports[name] = override ?? port;
  }
  return { host: commandLine.host ?? config.listenAddress, ports };
}
