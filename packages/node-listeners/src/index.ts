export {
  ListenError,
  ListenerGroup,
  type BoundListener,
  type TcpListener,
} from './listener-group.js';
export { sessionIds } from './session-ids.js';
