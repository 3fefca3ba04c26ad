import type { SieveExtension } from '../compiler/definitions.js';
import { decodeEncodedCharacters } from '../compiler/encoded-character.js';

/** `${hex:...}` and `${unicode:...}` in strings (RFC 5228 section 2.4.2.4), decoded at compile time. */
export const encodedCharacter: SieveExtension = {
  capability: 'encoded-character',
  decodeString: decodeEncodedCharacters,
};
