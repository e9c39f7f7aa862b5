import { defineMessage } from '../message';
import { int8, record, uint32, uint8, unixMs } from '../schema';

/**
 * up/event — one inference conclusion. The hottest message in the system (one per interesting
 * inference, sent by battery-powered nodes), hence a positional CBOR array: 34 bytes at worst-case
 * realistic values vs 41 for an integer-keyed map and 48 for one-letter string keys (docs/protocol.md).
 */
export interface InferenceEventV1 {
  /** uint32, per-device, strictly increasing across reboots; (deviceId, seq) is the dedup key. */
  seq: number;
  /** Device clock, unix ms, integer 0..2^53-1. */
  timestampMs: number;
  /** uint32: first 4 bytes (big-endian) of sha256 of the .tflite that produced this event. */
  modelTag: number;
  /** Class index 0..255. */
  label: number;
  /** The model's quantized int8 output for `label`, -128..127. */
  scoreQ: number;
  /** uint32, simulated on-device inference latency in microseconds. */
  latencyUs: number;
  /** uint32, simulated compute energy of this inference in microjoules. */
  energyUj: number;
}

export const INFERENCE_EVENT_V1_MAX_BYTES = 64;

export const inferenceEventV1Codec = defineMessage<InferenceEventV1>(
  'InferenceEventV1',
  INFERENCE_EVENT_V1_MAX_BYTES,
  // Wire order = this order. Never reorder: a change is a new message version.
  record<InferenceEventV1>({
    seq: uint32,
    timestampMs: unixMs,
    modelTag: uint32,
    label: uint8,
    scoreQ: int8,
    latencyUs: uint32,
    energyUj: uint32,
  }),
);

export function encodeInferenceEventV1(message: InferenceEventV1): Uint8Array {
  return inferenceEventV1Codec.encode(message);
}

export function decodeInferenceEventV1(bytes: Uint8Array): InferenceEventV1 {
  return inferenceEventV1Codec.decode(bytes);
}

/** A model's tag (InferenceEventV1.modelTag, AccuracyReportV1 modelTag): the first 4 bytes of its sha256, big-endian. */
export function modelTagOf(sha256: Uint8Array): number {
  return new DataView(sha256.buffer, sha256.byteOffset, 4).getUint32(0, false);
}
