export { default } from '../../vitest.shared.js';
//# sourceMappingURL=vitest.config.js.map