import { createRequire } from 'node:module';

/**
 * CRC-32 (the ZIP one), continued from `previous`: buffer-crc32, the one yauzl uses. node:zlib
 * has its own only from Node 20.15, and the package's types describe a CommonJS `export =`, so
 * it is loaded as CommonJS.
 */
const bufferCrc32 = createRequire(import.meta.url)('buffer-crc32') as {
  unsigned(data: Buffer, previous?: number): number;
};

export function crc32(data: Uint8Array, previous = 0): number {
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return bufferCrc32.unsigned(buffer, previous);
}
