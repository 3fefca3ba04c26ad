import type { AddressPartDefinition, SieveExtension } from '../compiler/definitions.js';

export interface SubaddressOptions {
  /**
   * The characters that separate the user from the detail (`ken+foo`): any one of them, the
   * first that occurs. Default `+` (Pigeonhole's `recipient_delimiter`, Postfix's default).
   */
  readonly separator?: string;
}

/** Where the detail starts: the first separator character in the local part, or -1. */
function separatorIndex(localPart: string, separators: string): number {
  let index = -1;
  for (const character of separators) {
    const found = localPart.indexOf(character);
    if (found >= 0 && (index < 0 || found < index)) index = found;
  }
  return index;
}

/**
 * subaddress (RFC 5233) with its separator: the address parts `:user` (the local part up to the
 * separator, or all of it) and `:detail` (what follows it; an address without a separator has no
 * detail and is not compared, RFC 5233 section 4).
 */
export function createSubaddress(options: SubaddressOptions = {}): SieveExtension {
  const separators = options.separator ?? '+';
  if (separators === '') throw new Error('subaddress: the separator must not be empty');
  const user: AddressPartDefinition = {
    name: 'user',
    extract(address) {
      const index = separatorIndex(address.localPart, separators);
      return index < 0 ? address.localPart : address.localPart.slice(0, index);
    },
  };
  const detail: AddressPartDefinition = {
    name: 'detail',
    extract(address) {
      const index = separatorIndex(address.localPart, separators);
      return index < 0 ? null : address.localPart.slice(index + 1);
    },
  };
  return { capability: 'subaddress', addressParts: [user, detail] };
}

/** subaddress with `+` as the separator. */
export const subaddress: SieveExtension = createSubaddress();
