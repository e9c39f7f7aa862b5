import { defineMessage } from '../message';
import {
  fixedBytes,
  int,
  nullable,
  PRINTABLE_ASCII,
  PROFILE_NAME,
  record,
  SEMVER,
  str,
  tuple,
  uint16,
  uint32,
  unixMs,
  type FieldCodec,
} from '../schema';

/** One model slot (A/B) on the device. */
export interface ModelSlotV1 {
  /** ^[a-z0-9][a-z0-9-]{0,31}$ */
  modelId: string;
  /** SemVer, at most 32 characters. */
  modelVersion: string;
  /** sha256 of the .tflite, exactly 32 bytes. Its first 4 bytes are InferenceEventV1.modelTag. */
  sha256: Uint8Array;
  /** uint32 size of the .tflite in bytes. */
  sizeBytes: number;
}

/** up/status — heartbeat. */
export interface StatusV1 {
  /** Device clock, unix ms. */
  timestampMs: number;
  /** Printable ASCII, 1..32 characters. */
  firmwareVersion: string;
  /** SemVer, at most 16 characters. */
  interpreterVersion: string;
  /** uint32 seconds since boot. */
  uptimeS: number;
  /** 0..100 */
  batteryPct: number;
  /** 0..65535 */
  batteryMv: number;
  /** Index into `slots` of the model currently running (its slot may be null before first OTA). */
  activeSlot: 0 | 1;
  slots: [ModelSlotV1 | null, ModelSlotV1 | null];
  /** uint32 events currently held in the offline buffer. */
  bufferedEvents: number;
  /** uint32 events dropped because the offline buffer overflowed, since boot. */
  droppedEvents: number;
}

export const STATUS_V1_MAX_BYTES = 512;

const modelSlotV1Field = record<ModelSlotV1>({
  modelId: str(1, 32, PROFILE_NAME),
  modelVersion: str(5, 32, SEMVER),
  sha256: fixedBytes(32),
  sizeBytes: uint32,
});

export const statusV1Codec = defineMessage<StatusV1>(
  'StatusV1',
  STATUS_V1_MAX_BYTES,
  record<StatusV1>({
    timestampMs: unixMs,
    firmwareVersion: str(1, 32, PRINTABLE_ASCII),
    interpreterVersion: str(5, 16, SEMVER),
    uptimeS: uint32,
    batteryPct: int(0, 100),
    batteryMv: uint16,
    // 0|1 is an integer on the wire (not an enum index of strings) — same bytes, clearer intent.
    activeSlot: int(0, 1) as FieldCodec<0 | 1>,
    slots: tuple(nullable(modelSlotV1Field), 2) as FieldCodec<[ModelSlotV1 | null, ModelSlotV1 | null]>,
    bufferedEvents: uint32,
    droppedEvents: uint32,
  }),
);

export function encodeStatusV1(message: StatusV1): Uint8Array {
  return statusV1Codec.encode(message);
}

export function decodeStatusV1(bytes: Uint8Array): StatusV1 {
  return statusV1Codec.decode(bytes);
}
