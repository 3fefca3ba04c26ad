export {
  ListenError,
  ListenerGroup,
  type BoundListener,
  type TcpListener,
} from './listener-group.js';
export { OpenConnections } from './open-connections.js';
export { sessionIds } from './session-ids.js';
export { ConnectionsPerAddress } from './connections-per-address.js';
