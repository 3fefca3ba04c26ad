import { createRequire } from 'node:module';
import zlib from 'node:zlib';

/**
 * CRC-32 (the ZIP one), continued from `previous`: node:zlib's own (native) where the Node has
 * it (from 20.15), else buffer-crc32, the one yauzl uses. The package's types describe a
 * CommonJS `export =`, so it is loaded as CommonJS.
 */
const bufferCrc32 = createRequire(import.meta.url)('buffer-crc32') as {
  unsigned(data: Buffer, previous?: number): number;
};
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, previous?: number) => number }).crc32;

export function crc32(data: Uint8Array, previous = 0): number {
  if (nativeCrc32) return nativeCrc32(data, previous) >>> 0;
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return bufferCrc32.unsigned(buffer, previous);
}
