export {
  ListenError,
  ListenerGroup,
  type BoundListener,
  type TcpListener,
} from './listener-group.js';
export { CommandLoop, type CommandInput, type CommandLoopOptions } from './command-loop.js';
export { OpenConnections } from './open-connections.js';
export { sessionIds } from './session-ids.js';
export { ConnectionsPerAddress } from './connections-per-address.js';
export {
  createSessionServer,
  normalizeAddress,
  type AcceptedConnection,
  type ServedSession,
  type SessionListener,
  type SessionServer,
  type SessionServerOptions,
  type SocketTransport,
} from './session-server.js';
export {
  DEFAULT_PROXY_HEADER_TIMEOUT_MS,
  TrustedProxies,
  type ProxiedClient,
  type ProxyProtocolOptions,
} from './proxied-connection.js';
export { PROXY_V2_MAX, parseProxyHeader, type ProxyHeader } from './proxy-protocol.js';
