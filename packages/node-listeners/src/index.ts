export { ListenerGroup, type BoundListener, type TcpListener } from './listener-group.js';
