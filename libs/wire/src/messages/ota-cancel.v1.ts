import { defineMessage } from '../message';
import { enumeration, record, uint32 } from '../schema';

/** Why the platform cancels a job. Sent as the index (0..3); the order is wire format. */
export const OTA_CANCEL_REASONS = ['aborted', 'rolled-back', 'superseded', 'timed-out'] as const;
export type OtaCancelReason = (typeof OTA_CANCEL_REASONS)[number];

/**
 * down/ota-cancel — stop job `jobId`: the device abandons the job (partial download discarded, the
 * active slot untouched) and reports REJECTED/FAILED with reason 'canceled' if it was mid-job. A job
 * the device already finished (SUCCEEDED) is not undone by a cancel: going back to the previous model
 * is a new offer of that model (which the device still holds in its inactive slot, so no chunks).
 */
export interface OtaCancelV1 {
  /** uint32, OtaOfferV1.jobId. */
  jobId: number;
  reason: OtaCancelReason;
}

export const OTA_CANCEL_V1_MAX_BYTES = 64;

export const otaCancelV1Codec = defineMessage<OtaCancelV1>(
  'OtaCancelV1',
  OTA_CANCEL_V1_MAX_BYTES,
  record<OtaCancelV1>({
    jobId: uint32,
    reason: enumeration(OTA_CANCEL_REASONS),
  }),
);

export function encodeOtaCancelV1(message: OtaCancelV1): Uint8Array {
  return otaCancelV1Codec.encode(message);
}

export function decodeOtaCancelV1(bytes: Uint8Array): OtaCancelV1 {
  return otaCancelV1Codec.decode(bytes);
}
