import { defineMessage } from '../message';
import { enumeration, int, nullable, record, refine, schemaError, uint32, unixMs } from '../schema';
import { OTA_MAX_CHUNK_COUNT } from './ota-offer.v1';

/**
 * OtaJob state words set by the device (reported on up/ota-status). Sent as the index (0..6); the
 * order is wire format. The platform uses these exact words for its OtaJob state, next to the ones
 * only it sets (OTA_SERVER_STATES), so device and server share one table.
 */
export const OTA_DEVICE_STATES = [
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'APPLYING',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
] as const;
export type OtaDeviceState = (typeof OTA_DEVICE_STATES)[number];

/** OtaJob state words only the platform sets (never on the wire). */
export const OTA_SERVER_STATES = ['QUEUED', 'NOTIFIED', 'TIMED_OUT', 'CANCELED', 'SKIPPED', 'ROLLED_BACK'] as const;
export type OtaServerState = (typeof OTA_SERVER_STATES)[number];

/** Every OtaJob state word (server + device), in lifecycle order. Not a wire enumeration. */
export const OTA_JOB_STATES = [
  'QUEUED',
  'NOTIFIED',
  'DOWNLOADING',
  'DOWNLOADED',
  'VERIFIED',
  'APPLYING',
  'SUCCEEDED',
  'FAILED',
  'REJECTED',
  'TIMED_OUT',
  'CANCELED',
  'SKIPPED',
  'ROLLED_BACK',
] as const satisfies readonly (OtaDeviceState | OtaServerState)[];
export type OtaJobState = (typeof OTA_JOB_STATES)[number];

/** Why a device rejected/failed (or re-fetched). Sent as the index (0..13); the order is wire format. */
export const OTA_REASONS = [
  'incompatible-ops',
  'arena-too-small',
  'flash-too-small',
  'interpreter-too-old',
  'signature-unknown-key',
  'signature-invalid',
  'hash-mismatch',
  'unknown-base',
  'corrupt-chunk',
  'self-test-failed',
  'power-loss',
  'canceled',
  'busy',
  'timeout',
] as const;
export type OtaReason = (typeof OTA_REASONS)[number];

/** States that must carry a reason. */
export const OTA_STATES_REQUIRING_REASON: readonly OtaDeviceState[] = ['FAILED', 'REJECTED'];
/** States that may carry a reason (besides those that must): DOWNLOADING, e.g. 'corrupt-chunk' re-fetch. */
export const OTA_STATES_ALLOWING_REASON: readonly OtaDeviceState[] = ['DOWNLOADING', 'FAILED', 'REJECTED'];

/** up/ota-status — the device's progress / outcome report for one job. */
export interface OtaStatusV1 {
  /** uint32, OtaOfferV1.jobId. */
  jobId: number;
  state: OtaDeviceState;
  /** Required for FAILED and REJECTED; optional for DOWNLOADING; null for every other state. */
  reason: OtaReason | null;
  /** Chunks the device holds for this job (verified by CRC), 0..OTA_MAX_CHUNK_COUNT (262,144). */
  chunksReceived: number;
  /** Device clock, unix ms, integer 0..UNIX_MS_MAX (8.64e15). */
  timestampMs: number;
}

export const OTA_STATUS_V1_MAX_BYTES = 64;

export const otaStatusV1Codec = defineMessage<OtaStatusV1>(
  'OtaStatusV1',
  OTA_STATUS_V1_MAX_BYTES,
  refine(
    record<OtaStatusV1>({
      jobId: uint32,
      state: enumeration(OTA_DEVICE_STATES),
      reason: nullable(enumeration(OTA_REASONS)),
      chunksReceived: int(0, OTA_MAX_CHUNK_COUNT),
      timestampMs: unixMs,
    }),
    (status, path) => {
      if (status.reason === null && OTA_STATES_REQUIRING_REASON.includes(status.state)) {
        throw schemaError(`${path}.reason`, `required when state is ${status.state}`);
      }
      if (status.reason !== null && !OTA_STATES_ALLOWING_REASON.includes(status.state)) {
        throw schemaError(`${path}.reason`, `must be null when state is ${status.state}`);
      }
    },
  ),
);

export function encodeOtaStatusV1(message: OtaStatusV1): Uint8Array {
  return otaStatusV1Codec.encode(message);
}

export function decodeOtaStatusV1(bytes: Uint8Array): OtaStatusV1 {
  return otaStatusV1Codec.decode(bytes);
}
