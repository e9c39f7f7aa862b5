/**
 * Evidence on request (docs/protocol.md §12): the platform asks a device for the raw windows behind
 * some of its recent inferences (down/evidence-request); the device answers with what it will send
 * (up/evidence-status) and uploads each window as a signed blob in chunks, like OTA in reverse
 * (up/evidence). The blob's layout and signature are described at `splitEvidenceWindow`.
 */
import { crc32 } from '../crc32';
import { WireError } from '../errors';
import { defineMessage } from '../message';
import {
  bytes,
  enumeration,
  int,
  nullable,
  record,
  refine,
  schemaError,
  uint16,
  uint32,
  uint8,
  unixMs,
  int8,
} from '../schema';

/** A request asks for at most this many windows (a window index fits one byte with room to spare). */
export const EVIDENCE_MAX_WINDOWS = 64;
/** Data bytes per up/evidence chunk: one chunk fits a 2.5 KiB MQTT buffer of a small MCU. */
export const EVIDENCE_MAX_CHUNK_BYTES = 2048;
/** A signed window blob is at most 64 KiB (a 96×96 grey frame is 9,216 B of data). */
export const EVIDENCE_MAX_WINDOW_BYTES = 65536;
/** HMAC-SHA256 tag at the end of every window blob. */
export const EVIDENCE_SIGNATURE_BYTES = 32;
/**
 * The evidence key: K = HMAC-SHA256(key = the device secret's UTF-8 bytes, message = this label).
 * The platform derives and keeps K when it issues the secret (it keeps only hashes of the secret).
 */
export const EVIDENCE_KEY_LABEL = 'tinyfleet/v1 evidence-key';

/** Order is the wire format (enum index): a new selector is a new message version. */
export const EVIDENCE_SELECTORS = ['any', 'low-margin', 'class'] as const;
export type EvidenceSelector = (typeof EVIDENCE_SELECTORS)[number];

/**
 * down/evidence-request — send up to `maxWindows` of your most recent windows run through model
 * `modelTag` that match `selector`, in at most `maxBytes` window-blob bytes, before `deadlineMs`.
 * `dailyBudgetBytes`, when not null, is the operator's new per-device budget (bytes of evidence per
 * UTC day), which the device keeps; 0 switches evidence off.
 */
export interface EvidenceRequestV1 {
  /** uint32, chosen by the platform; the device answers with it. */
  requestId: number;
  /** uint32, as InferenceEventV1.modelTag. */
  modelTag: number;
  selector: EvidenceSelector;
  /** The class asked for when selector = 'class'; MUST be 0 otherwise. */
  label: number;
  /** Low-margin threshold in int8 steps when selector = 'low-margin'; MUST be 0 otherwise. */
  marginQ: number;
  /** 1..EVIDENCE_MAX_WINDOWS. */
  maxWindows: number;
  /** uint32 ≥ 1: the most window-blob bytes this request may cost. */
  maxBytes: number;
  /** Device clock, unix ms (the platform converts from the device's last status): past it the device declines ('expired') or stops. */
  deadlineMs: number;
  /** null = keep the device's budget; otherwise its new budget in bytes per UTC day. */
  dailyBudgetBytes: number | null;
}

export const EVIDENCE_REQUEST_V1_MAX_BYTES = 128;

export const evidenceRequestV1Codec = defineMessage<EvidenceRequestV1>(
  'EvidenceRequestV1',
  EVIDENCE_REQUEST_V1_MAX_BYTES,
  refine(
    record<EvidenceRequestV1>({
      requestId: uint32,
      modelTag: uint32,
      selector: enumeration(EVIDENCE_SELECTORS),
      label: uint8,
      marginQ: uint8,
      maxWindows: int(1, EVIDENCE_MAX_WINDOWS),
      maxBytes: int(1, 0xffffffff),
      deadlineMs: unixMs,
      dailyBudgetBytes: nullable(uint32),
    }),
    (r, path) => {
      if (r.selector !== 'class' && r.label !== 0)
        throw schemaError(`${path}.label`, 'MUST be 0 unless selector is class');
      if (r.selector !== 'low-margin' && r.marginQ !== 0)
        throw schemaError(`${path}.marginQ`, 'MUST be 0 unless selector is low-margin');
    },
  ),
);

/** Order is the wire format (enum index). */
export const EVIDENCE_STATES = ['accepted', 'declined', 'done'] as const;
export type EvidenceState = (typeof EVIDENCE_STATES)[number];
/** Why a request was declined or ended early; 'none' otherwise. Order is the wire format. */
export const EVIDENCE_REASONS = ['none', 'disabled', 'budget', 'no-match', 'expired', 'unknown-model', 'busy'] as const;
export type EvidenceReason = (typeof EVIDENCE_REASONS)[number];

/**
 * up/evidence-status — the device's answer to a request: 'accepted' (it will send `windowCount`
 * windows, `plannedBytes` blob bytes), 'declined' (nothing will come, `reason` says why) and 'done'
 * (every chunk of the accepted windows was published, or `reason` says why it stopped early).
 */
export interface EvidenceStatusV1 {
  requestId: number;
  state: EvidenceState;
  reason: EvidenceReason;
  /** 0..EVIDENCE_MAX_WINDOWS; 0 when declined. */
  windowCount: number;
  /** uint32, sum of the window blobs' lengths; 0 when declined. */
  plannedBytes: number;
  /** uint32, what is left of today's budget once these bytes are sent. */
  budgetLeftBytes: number;
}

export const EVIDENCE_STATUS_V1_MAX_BYTES = 64;

export const evidenceStatusV1Codec = defineMessage<EvidenceStatusV1>(
  'EvidenceStatusV1',
  EVIDENCE_STATUS_V1_MAX_BYTES,
  refine(
    record<EvidenceStatusV1>({
      requestId: uint32,
      state: enumeration(EVIDENCE_STATES),
      reason: enumeration(EVIDENCE_REASONS),
      windowCount: int(0, EVIDENCE_MAX_WINDOWS),
      plannedBytes: uint32,
      budgetLeftBytes: uint32,
    }),
    (s, path) => {
      if (s.state === 'declined' && (s.windowCount !== 0 || s.plannedBytes !== 0))
        throw schemaError(path, 'a declined request has windowCount 0 and plannedBytes 0');
      if (s.state === 'declined' && s.reason === 'none')
        throw schemaError(`${path}.reason`, 'a decline names a reason');
      if (s.state === 'accepted' && (s.windowCount === 0 || s.reason !== 'none'))
        throw schemaError(path, 'an accepted request has windowCount >= 1 and reason none');
    },
  ),
);

/**
 * up/evidence — bytes [offset, offset + data.length) of window blob `windowIndex` (of `windowCount`)
 * of request `requestId`, whose full length is `totalBytes`. `crc32` is CRC-32/IEEE of `data` and is
 * checked on decode, as for OtaChunkV1. Chunks of one window may arrive in any order.
 */
export interface EvidenceChunkV1 {
  requestId: number;
  /** 0..windowCount-1. */
  windowIndex: number;
  /** 1..EVIDENCE_MAX_WINDOWS, the same in every chunk of the request. */
  windowCount: number;
  /** Length of the whole window blob, 1..EVIDENCE_MAX_WINDOW_BYTES. */
  totalBytes: number;
  /** Byte offset of `data` in the blob; offset + data.length <= totalBytes. */
  offset: number;
  crc32: number;
  /** 1..EVIDENCE_MAX_CHUNK_BYTES bytes. */
  data: Uint8Array;
}

/** Worst case 2,074 bytes (2,048 data + 26 framing); 2,176 = 2 KiB + 128. */
export const EVIDENCE_CHUNK_V1_MAX_BYTES = 2176;

export const evidenceChunkV1Codec = defineMessage<EvidenceChunkV1>(
  'EvidenceChunkV1',
  EVIDENCE_CHUNK_V1_MAX_BYTES,
  refine(
    record<EvidenceChunkV1>({
      requestId: uint32,
      windowIndex: int(0, EVIDENCE_MAX_WINDOWS - 1),
      windowCount: int(1, EVIDENCE_MAX_WINDOWS),
      totalBytes: int(1, EVIDENCE_MAX_WINDOW_BYTES),
      offset: int(0, EVIDENCE_MAX_WINDOW_BYTES - 1),
      crc32: uint32,
      data: bytes(1, EVIDENCE_MAX_CHUNK_BYTES),
    }),
    (c, path) => {
      if (c.windowIndex >= c.windowCount)
        throw schemaError(`${path}.windowIndex`, `${c.windowIndex} is not below windowCount ${c.windowCount}`);
      if (c.offset + c.data.length > c.totalBytes)
        throw schemaError(
          `${path}.data`,
          `offset ${c.offset} + ${c.data.length} bytes runs past totalBytes ${c.totalBytes}`,
        );
      const actual = crc32(c.data);
      if (actual !== c.crc32)
        throw schemaError(`${path}.crc32`, `CRC-32 mismatch: header says ${c.crc32}, data has ${actual}`);
    },
  ),
);

/** How the raw window's values are stored in the blob. Order is the wire format (enum index). */
export const EVIDENCE_SAMPLE_FORMATS = ['f32le', 'u8'] as const;
export type EvidenceSampleFormat = (typeof EVIDENCE_SAMPLE_FORMATS)[number];
const SAMPLE_FORMAT_BYTES: Record<EvidenceSampleFormat, number> = { f32le: 4, u8: 1 };

/**
 * The header of a window blob: which inference the raw window is behind, and how its values are laid
 * out (`samples` rows of `valuesPerSample` values, oldest sample first; an image is one sample of
 * imageWidth × (valuesPerSample / imageWidth) pixels, row-major).
 */
export interface EvidenceWindowV1 {
  requestId: number;
  windowIndex: number;
  modelTag: number;
  /** Device clock of the inference, unix ms. */
  timestampMs: number;
  /** Winning class index. */
  label: number;
  /** int8 score of the winner. */
  scoreQ: number;
  /** Winner minus runner-up, int8 steps (0..255). */
  marginQ: number;
  format: EvidenceSampleFormat;
  /** 1..65535 samples in the window. */
  samples: number;
  /** 1..65536 values per sample (channels, or pixels of a frame). */
  valuesPerSample: number;
  /** Pixels per row when the sample is an image, 0 otherwise; divides valuesPerSample. */
  imageWidth: number;
  /** samples × valuesPerSample × bytes per value (4 for f32le, 1 for u8). */
  dataBytes: number;
}

export const EVIDENCE_WINDOW_V1_MAX_BYTES = 128;

export const evidenceWindowV1Codec = defineMessage<EvidenceWindowV1>(
  'EvidenceWindowV1',
  EVIDENCE_WINDOW_V1_MAX_BYTES,
  refine(
    record<EvidenceWindowV1>({
      requestId: uint32,
      windowIndex: int(0, EVIDENCE_MAX_WINDOWS - 1),
      modelTag: uint32,
      timestampMs: unixMs,
      label: uint8,
      scoreQ: int8,
      marginQ: uint8,
      format: enumeration(EVIDENCE_SAMPLE_FORMATS),
      samples: int(1, 0xffff),
      valuesPerSample: int(1, 65536),
      imageWidth: uint16,
      dataBytes: int(1, EVIDENCE_MAX_WINDOW_BYTES),
    }),
    (w, path) => {
      const expected = w.samples * w.valuesPerSample * SAMPLE_FORMAT_BYTES[w.format];
      if (w.dataBytes !== expected)
        throw schemaError(
          `${path}.dataBytes`,
          `${w.dataBytes} is not samples × valuesPerSample × value size = ${expected}`,
        );
      if (w.imageWidth !== 0 && w.valuesPerSample % w.imageWidth !== 0)
        throw schemaError(`${path}.imageWidth`, `${w.imageWidth} does not divide valuesPerSample ${w.valuesPerSample}`);
    },
  ),
);

/** A window blob taken apart; `signedBytes` is everything the signature covers. */
export interface EvidenceWindowParts {
  header: EvidenceWindowV1;
  data: Uint8Array;
  signedBytes: Uint8Array;
  signature: Uint8Array;
}

/** The blob up to (not including) its signature: the bytes a device signs. */
export function evidenceWindowSignedBytes(header: EvidenceWindowV1, data: Uint8Array): Uint8Array {
  const head = evidenceWindowV1Codec.encode(header);
  if (!(data instanceof Uint8Array) || data.length !== header.dataBytes)
    throw schemaError('EvidenceWindowV1.data', `expected ${header.dataBytes} bytes`);
  const total = 2 + head.length + data.length + EVIDENCE_SIGNATURE_BYTES;
  if (total > EVIDENCE_MAX_WINDOW_BYTES)
    throw new WireError('oversized', `window blob is ${total} bytes, limit is ${EVIDENCE_MAX_WINDOW_BYTES}`);
  const out = new Uint8Array(2 + head.length + data.length);
  out[0] = head.length >> 8;
  out[1] = head.length & 0xff;
  out.set(head, 2);
  out.set(data, 2 + head.length);
  return out;
}

/** signedBytes ‖ signature. */
export function evidenceWindowBlob(signedBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== EVIDENCE_SIGNATURE_BYTES)
    throw schemaError('EvidenceWindow.signature', `expected ${EVIDENCE_SIGNATURE_BYTES} bytes`);
  const out = new Uint8Array(signedBytes.length + signature.length);
  out.set(signedBytes);
  out.set(signature, signedBytes.length);
  return out;
}

/**
 * Takes a reassembled window blob apart:
 *   header length (uint16, big-endian) ‖ EvidenceWindowV1 (CBOR) ‖ data (header.dataBytes) ‖
 *   signature (32 bytes: HMAC-SHA256 with the evidence key over every byte before it).
 * The signature is not checked here (the wire library has no key and no Node crypto): the receiver
 * verifies it over `signedBytes`. Throws WireError only.
 */
export function splitEvidenceWindow(blob: Uint8Array): EvidenceWindowParts {
  if (!(blob instanceof Uint8Array)) throw new WireError('malformed', 'window blob: expected bytes');
  if (blob.length > EVIDENCE_MAX_WINDOW_BYTES)
    throw new WireError('oversized', `window blob is ${blob.length} bytes, limit is ${EVIDENCE_MAX_WINDOW_BYTES}`);
  if (blob.length < 2 + 1 + EVIDENCE_SIGNATURE_BYTES)
    throw new WireError('malformed', `window blob of ${blob.length} bytes is too short`);
  const headLength = (blob[0]! << 8) | blob[1]!;
  if (headLength < 1 || headLength > EVIDENCE_WINDOW_V1_MAX_BYTES || 2 + headLength > blob.length)
    throw new WireError('malformed', `window blob: header length ${headLength} does not fit`);
  const header = evidenceWindowV1Codec.decode(blob.subarray(2, 2 + headLength));
  const dataEnd = 2 + headLength + header.dataBytes;
  if (dataEnd + EVIDENCE_SIGNATURE_BYTES !== blob.length)
    throw new WireError(
      'malformed',
      `window blob is ${blob.length} bytes; its header says ${dataEnd + EVIDENCE_SIGNATURE_BYTES}`,
    );
  return {
    header,
    data: blob.slice(2 + headLength, dataEnd),
    signedBytes: blob.slice(0, dataEnd),
    signature: blob.slice(dataEnd),
  };
}

export function encodeEvidenceRequestV1(message: EvidenceRequestV1): Uint8Array {
  return evidenceRequestV1Codec.encode(message);
}
export function decodeEvidenceRequestV1(bytes: Uint8Array): EvidenceRequestV1 {
  return evidenceRequestV1Codec.decode(bytes);
}
export function encodeEvidenceStatusV1(message: EvidenceStatusV1): Uint8Array {
  return evidenceStatusV1Codec.encode(message);
}
export function decodeEvidenceStatusV1(bytes: Uint8Array): EvidenceStatusV1 {
  return evidenceStatusV1Codec.decode(bytes);
}
export function encodeEvidenceChunkV1(message: EvidenceChunkV1): Uint8Array {
  return evidenceChunkV1Codec.encode(message);
}
export function decodeEvidenceChunkV1(bytes: Uint8Array): EvidenceChunkV1 {
  return evidenceChunkV1Codec.decode(bytes);
}
export function encodeEvidenceWindowV1(message: EvidenceWindowV1): Uint8Array {
  return evidenceWindowV1Codec.encode(message);
}
export function decodeEvidenceWindowV1(bytes: Uint8Array): EvidenceWindowV1 {
  return evidenceWindowV1Codec.decode(bytes);
}
