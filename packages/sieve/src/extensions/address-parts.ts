import type { AddressPartDefinition } from '../compiler/definitions.js';
import { addressText } from '../interpreter/address.js';

/** `:all` (the default): `local@domain`. */
export const ALL: AddressPartDefinition = {
  name: 'all',
  extract: (address) => addressText(address),
};

/** `:localpart`: what is left of the last `@`. */
export const LOCALPART: AddressPartDefinition = {
  name: 'localpart',
  extract: (address) => address.localPart,
};

/** `:domain`: what is right of it; an address without one is not compared. */
export const DOMAIN: AddressPartDefinition = {
  name: 'domain',
  extract: (address) => address.domain,
};
