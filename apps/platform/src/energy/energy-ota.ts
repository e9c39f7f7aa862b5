import type { RadioProfile } from '@tinyfleet/energy';
import type { OtaTransfer } from './energy-report.types';
import { messageCostFragmented } from './energy-what-if';

/** OtaChunkV1 framing around the data (jobId, index, crc32, byte-string head): ≤ 19 B (libs/wire). */
export const OTA_CHUNK_FRAMING_BYTES = 19;
/** One OtaChunkRequestV1 uplink (≤ 64 B on the wire; 16 B typical) asks for up to 16 chunks. */
export const OTA_REQUEST_BYTES = 16;
export const OTA_CHUNKS_PER_REQUEST = 16;

/**
 * OTA download energy of one device, µJ: every chunk it received (ota_jobs.chunks_received, mean chunk
 * size = transfer bytes ÷ chunks_total) re-costed as a QoS 1 downlink on its radio, plus one chunk
 * request uplink per 16 chunks. An estimate from delivery counts: the device ledger books the same
 * radio energy inside radioRxUj/radioTxUj (when the device charges it), so it is shown, not added.
 */
export function otaDownloadUj(radio: RadioProfile, ota: OtaTransfer, topicBytes: number): number {
  if (ota.chunks <= 0) return 0;
  const chunkBytes = Math.max(1, Math.round(ota.bytes / ota.chunks)) + OTA_CHUNK_FRAMING_BYTES;
  const down = messageCostFragmented(radio, chunkBytes, topicBytes, 'down');
  const up = messageCostFragmented(radio, OTA_REQUEST_BYTES, topicBytes, 'up');
  return ota.chunks * down.energyUj + Math.ceil(ota.chunks / OTA_CHUNKS_PER_REQUEST) * up.energyUj;
}
