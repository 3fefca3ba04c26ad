export * from './protocol/index.js';
export * from './session/index.js';
export * from './node/index.js';
