import { crc32 } from '../crc32';
import { defineMessage } from '../message';
import { bytes, record, refine, schemaError, uint32 } from '../schema';
import { OTA_MAX_CHUNK_BYTES } from './ota-offer.v1';

/**
 * down/ota-chunk — bytes [index*chunkBytes, min((index+1)*chunkBytes, transferBytes)) of the
 * transfer blob of job `jobId`. `crc32` is CRC-32/IEEE of `data`; decodeOtaChunkV1 verifies it, so a
 * corrupt chunk is rejected (WireError 'schema') from the chunk alone. Whether `index` and the data
 * length fit the offer is the receiver's check (the chunk does not carry the offer).
 */
export interface OtaChunkV1 {
  /** uint32, OtaOfferV1.jobId. */
  jobId: number;
  /** uint32 chunk index, 0..chunkCount-1. */
  index: number;
  /** uint32 CRC-32/IEEE (poly 0xEDB88320) of `data`. */
  crc32: number;
  /** 1..4096 bytes. */
  data: Uint8Array;
}

/** Worst case 4115 bytes (4096 data + 19 framing); 4224 = 4 KiB + 128. */
export const OTA_CHUNK_V1_MAX_BYTES = 4224;

export const otaChunkV1Codec = defineMessage<OtaChunkV1>(
  'OtaChunkV1',
  OTA_CHUNK_V1_MAX_BYTES,
  refine(
    record<OtaChunkV1>({
      jobId: uint32,
      index: uint32,
      crc32: uint32,
      data: bytes(1, OTA_MAX_CHUNK_BYTES),
    }),
    (chunk, path) => {
      const actual = crc32(chunk.data);
      if (actual !== chunk.crc32) {
        throw schemaError(
          `${path}.crc32`,
          `CRC-32 mismatch (corrupt chunk ${chunk.index}): header says 0x${hex32(chunk.crc32)}, data has 0x${hex32(actual)}`,
        );
      }
    },
  ),
);

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}

export function encodeOtaChunkV1(message: OtaChunkV1): Uint8Array {
  return otaChunkV1Codec.encode(message);
}

export function decodeOtaChunkV1(bytes: Uint8Array): OtaChunkV1 {
  return otaChunkV1Codec.decode(bytes);
}
