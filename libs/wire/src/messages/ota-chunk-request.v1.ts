import { defineMessage } from '../message';
import { int, record, uint32 } from '../schema';

/** At most this many chunks per up/ota-request (≤ 64 KiB in flight per request at 4 KiB chunks). */
export const OTA_MAX_CHUNKS_PER_REQUEST = 16;

/**
 * up/ota-request — the device asks for chunks firstChunk .. firstChunk+chunkCount-1 of job `jobId`.
 * After a disconnect it resumes from its first missing chunk. The platform answers with one
 * down/ota-chunk per index that exists (indices ≥ the offer's chunkCount are ignored).
 */
export interface OtaChunkRequestV1 {
  /** uint32, OtaOfferV1.jobId. */
  jobId: number;
  /** uint32 index of the first chunk wanted. */
  firstChunk: number;
  /** 1..16 */
  chunkCount: number;
}

export const OTA_CHUNK_REQUEST_V1_MAX_BYTES = 64;

export const otaChunkRequestV1Codec = defineMessage<OtaChunkRequestV1>(
  'OtaChunkRequestV1',
  OTA_CHUNK_REQUEST_V1_MAX_BYTES,
  record<OtaChunkRequestV1>({
    jobId: uint32,
    firstChunk: uint32,
    chunkCount: int(1, OTA_MAX_CHUNKS_PER_REQUEST),
  }),
);

export function encodeOtaChunkRequestV1(message: OtaChunkRequestV1): Uint8Array {
  return otaChunkRequestV1Codec.encode(message);
}

export function decodeOtaChunkRequestV1(bytes: Uint8Array): OtaChunkRequestV1 {
  return otaChunkRequestV1Codec.decode(bytes);
}
