export { runReadmeExample } from './readme-example.js';
export {
  DovecotSandbox,
  appendCommands,
  describeWithDovecot,
  dovecotAvailable,
} from './dovecot-sandbox.js';
