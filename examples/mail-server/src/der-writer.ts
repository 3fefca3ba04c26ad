/**
 * Just enough ASN.1 DER (ITU-T X.690) to write an X.509 certificate: each function returns one
 * complete, definite-length encoding (tag, length, contents), and constructed values are built
 * from those. Only writing is needed: Node's X509Certificate and openssl read the result.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Tag, length (short form below 128, else the fewest bytes: X.690 10.1), contents. */
function encode(tag: number, contents: Uint8Array): Uint8Array {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [tag, length];
  } else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + length);
  out.set(header);
  out.set(contents, header.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return encode(TAG.sequence, concat(items));
}

/** SET OF, with its elements sorted as DER requires (X.690 11.6). */
export function set(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((a, b) => Buffer.compare(a, b));
  return encode(TAG.set, concat(sorted));
}

export function boolean(value: boolean): Uint8Array {
  return encode(TAG.boolean, Uint8Array.of(value ? 0xff : 0x00));
}

/**
 * A non-negative INTEGER: the fewest bytes of two's complement, so leading zero bytes go and a
 * zero byte comes in front when the top bit is set (X.690 8.3.2).
 */
export function integer(value: bigint | number | Uint8Array): Uint8Array {
  let bytes: number[];
  if (value instanceof Uint8Array) {
    bytes = [...value];
  } else {
    let rest = BigInt(value);
    if (rest < 0n) throw new RangeError('only non-negative integers are supported');
    bytes = [];
    do {
      bytes.unshift(Number(rest & 0xffn));
      rest >>= 8n;
    } while (rest > 0n);
  }
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1]! & 0x80) === 0) bytes.shift();
  if (bytes.length === 0) bytes = [0];
  if ((bytes[0]! & 0x80) !== 0) bytes.unshift(0);
  return encode(TAG.integer, Uint8Array.from(bytes));
}

/** Dotted OID text, e.g. `2.5.4.3`: the first two arcs in one byte, the rest in base 128 (8.19). */
export function objectIdentifier(oid: string): Uint8Array {
  const arcs = oid.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`not an object identifier: ${oid}`);
    return BigInt(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2n || (first < 2n && second > 39n)) {
    throw new RangeError(`not an object identifier: ${oid}`);
  }
  const bytes: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups: number[] = [];
    let value = arc;
    do {
      groups.unshift(Number(value & 0x7fn));
      value >>= 7n;
    } while (value > 0n);
    bytes.push(...groups.map((group, i) => (i < groups.length - 1 ? group | 0x80 : group)));
  }
  return encode(TAG.objectIdentifier, Uint8Array.from(bytes));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return encode(TAG.octetString, bytes);
}

/** A BIT STRING of whole bytes, or of `bits` bits of them (the rest of the last byte unused). */
export function bitString(bytes: Uint8Array, bits = bytes.length * 8): Uint8Array {
  const unused = bytes.length * 8 - bits;
  if (unused < 0 || unused > 7) throw new RangeError('bit count does not fit the bytes');
  return encode(TAG.bitString, concat([Uint8Array.of(unused), bytes]));
}

export function utf8String(text: string): Uint8Array {
  return encode(TAG.utf8String, Buffer.from(text, 'utf8'));
}

/**
 * A certificate's time (RFC 5280 4.1.2.5): UTCTime `YYMMDDHHMMSSZ` through 2049, GeneralizedTime
 * `YYYYMMDDHHMMSSZ` from 2050, always in UTC with whole seconds.
 */
export function certificateTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, '0');
  const rest = [
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ]
    .map(two)
    .join('');
  if (year >= 1950 && year < 2050) {
    return encode(TAG.utcTime, Buffer.from(`${two(year % 100)}${rest}Z`, 'ascii'));
  }
  return encode(TAG.generalizedTime, Buffer.from(`${String(year).padStart(4, '0')}${rest}Z`));
}

/** `[n] EXPLICIT`: the whole encoding of `inner`, wrapped in a constructed context tag. */
export function explicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  return encode(0xa0 | contextTag(tagNumber), inner);
}

/** `[n] IMPLICIT` of a primitive type: `contents` under a context tag instead of its own. */
export function implicitPrimitive(tagNumber: number, contents: Uint8Array): Uint8Array {
  return encode(0x80 | contextTag(tagNumber), contents);
}

/** Tag numbers up to 30 fit the identifier byte (X.690 8.1.2.2); certificates need 0 to 8. */
function contextTag(tagNumber: number): number {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) {
    throw new RangeError(`context tag ${tagNumber} needs the long form`);
  }
  return tagNumber;
}
