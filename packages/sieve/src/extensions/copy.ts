import type { SieveExtension, TagExtension } from '../compiler/definitions.js';

/** `:copy` on fileinto and redirect: the action no longer cancels the implicit keep. */
const copyTag: TagExtension = {
  targets: ['fileinto', 'redirect'],
  tag: { name: 'copy' },
  decorateAction: (action) =>
    action.type === 'fileinto' || action.type === 'redirect' ? { ...action, copy: true } : action,
};

/** The copy extension (RFC 3894). */
export const copy: SieveExtension = {
  capability: 'copy',
  tagExtensions: [copyTag],
};
