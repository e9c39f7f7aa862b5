/**
 * CRC-32/IEEE 802.3 (a.k.a. CRC-32, zlib/PNG/Ethernet): reflected polynomial 0xEDB88320, init
 * 0xFFFFFFFF, final xor 0xFFFFFFFF. Check value: crc32("123456789") = 0xCBF43926. Table-driven,
 * browser-safe (no Node zlib). Carried by down/ota-chunk so a device can detect a corrupt chunk from
 * the chunk alone, before it touches flash.
 */
import { WireError } from './errors';

const CRC32_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32/IEEE of `bytes`, as an unsigned 32-bit integer (0..2^32-1). */
export function crc32(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) throw new WireError('schema', 'crc32: expected a Uint8Array');
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC32_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
