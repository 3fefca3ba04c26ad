import {
  type Headers,
  type MessageSummary,
  decodeEncodedWords,
  parseHeaders,
  summarize,
} from '@mailyard/mime';
import type { AddressPartDefinition } from '../compiler/definitions.js';
import { type SieveAddress, headerAddresses } from './address.js';

const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * The message a script runs against: its bytes and its `@mailyard/mime` summary (computed on
 * first use when not given; a store already has it). Header values are unfolded, decoded
 * (RFC 2047, as RFC 5228 section 2.7.2 asks) and cached per name, so a script that asks for
 * Subject in fifty rules decodes it once.
 */
export class SieveMessage {
  private headerIndex: Headers | undefined;
  private summaryValue: MessageSummary | undefined;
  private readonly decoded = new Map<string, readonly string[]>();
  private readonly raw = new Map<string, readonly string[]>();
  private readonly addressCache = new Map<string, readonly SieveAddress[]>();
  private readonly partCache = new Map<AddressPartDefinition, Map<string, readonly string[]>>();

  constructor(
    readonly bytes: Uint8Array,
    summary?: MessageSummary,
  ) {
    this.summaryValue = summary;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** The MIME summary (the tree with offsets), for extensions that look into parts. */
  get summary(): MessageSummary {
    this.summaryValue ??= summarize(this.bytes);
    return this.summaryValue;
  }

  /** The top-level header, parsed once. */
  get headers(): Headers {
    // The scan stops at the empty line that ends the header, so the body is never read here.
    this.headerIndex ??= parseHeaders(this.bytes);
    return this.headerIndex;
  }

  /** The values of every field of that name (any case), unfolded and decoded, trimmed. */
  headerValues(name: string): readonly string[] {
    const key = name.toLowerCase();
    let values = this.decoded.get(key);
    if (values === undefined) {
      const raw = this.rawHeaderValues(key);
      values =
        raw.length === 0
          ? NO_VALUES
          : Object.freeze(raw.map((value) => decodeEncodedWords(value).trim()));
      this.decoded.set(key, values);
    }
    return values;
  }

  /** The values unfolded but not decoded (address headers are parsed from these). */
  rawHeaderValues(name: string): readonly string[] {
    const key = name.toLowerCase();
    let values = this.raw.get(key);
    if (values === undefined) {
      const fields = this.headers.lookup(key);
      values = fields.length === 0 ? NO_VALUES : this.headers.getAll(key);
      this.raw.set(key, values);
    }
    return values;
  }

  hasHeader(name: string): boolean {
    return this.headers.lookup(name.toLowerCase()).length > 0;
  }

  /**
   * What an address part extracts from the addresses of every field of that name (addresses it
   * has nothing for are left out), cached per part and name: the same array on every call.
   */
  addressValues(name: string, part: AddressPartDefinition): readonly string[] {
    let byName = this.partCache.get(part);
    if (!byName) {
      byName = new Map();
      this.partCache.set(part, byName);
    }
    const key = name.toLowerCase();
    let values = byName.get(key);
    if (values === undefined) {
      const extracted: string[] = [];
      for (const address of this.addresses(key)) {
        const value = part.extract(address);
        if (value !== null) extracted.push(value);
      }
      values = Object.freeze(extracted);
      byName.set(key, values);
    }
    return values;
  }

  /** The addresses in every field of that name, in order. */
  addresses(name: string): readonly SieveAddress[] {
    const key = name.toLowerCase();
    let addresses = this.addressCache.get(key);
    if (addresses === undefined) {
      addresses = this.rawHeaderValues(key).flatMap((value) => headerAddresses(value));
      this.addressCache.set(key, addresses);
    }
    return addresses;
  }
}
