import type { AddressPartDefinition } from '../compiler/definitions.js';
import { addressText } from '../interpreter/address.js';

/** `:all` (the default): `local@domain`, or the text of a value that holds no valid address. */
export const ALL: AddressPartDefinition = {
  name: 'all',
  extract: (address) => addressText(address),
};

/** `:localpart`: what is left of the last `@`; nothing for an invalid address (RFC 5228 2.7.4). */
export const LOCALPART: AddressPartDefinition = {
  name: 'localpart',
  extract: (address) => (address.invalid === undefined ? address.localPart : null),
};

/** `:domain`: what is right of it; an address without one (or invalid) is not compared. */
export const DOMAIN: AddressPartDefinition = {
  name: 'domain',
  extract: (address) => (address.invalid === undefined ? address.domain : null),
};
