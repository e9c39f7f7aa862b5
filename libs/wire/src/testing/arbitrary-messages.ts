/**
 * Seeded generators of valid v1 messages, boundary values included: the wire fuzzers mutate them,
 * and end-to-end tests send them to a platform to check that whatever the contract admits is stored
 * and readable. Test support only (not exported from the package index).
 */
import { crc32 } from '../crc32';
import type { GoldenMessageTypes } from '../fixtures/golden.fixtures';
import { ACCURACY_MAX_MODELS, type ModelAccuracyV1 } from '../messages/accuracy-report.v1';
import { OTA_CANCEL_REASONS } from '../messages/ota-cancel.v1';
import type { OtaChunkV1 } from '../messages/ota-chunk.v1';
import { OTA_FORMS, OTA_MAX_CHUNK_COUNT } from '../messages/ota-offer.v1';
import { OTA_DEVICE_STATES, OTA_REASONS, type OtaStatusV1 } from '../messages/ota-status.v1';
import {
  SCORE_HISTOGRAM_BINS,
  SUMMARY_MAX_CHANNELS,
  SUMMARY_MAX_CLASSES,
  SUMMARY_MAX_MODELS,
  type ModelSummaryV1,
} from '../messages/inference-summary.v1';
import {
  EVIDENCE_MAX_CHUNK_BYTES,
  EVIDENCE_MAX_WINDOW_BYTES,
  EVIDENCE_MAX_WINDOWS,
  EVIDENCE_REASONS,
  EVIDENCE_SELECTORS,
  EVIDENCE_STATES,
  type EvidenceChunkV1,
  type EvidenceStatusV1,
  type EvidenceWindowV1,
} from '../messages/evidence.v1';
import { UNIX_MS_MAX } from '../schema';
import { mulberry32 } from '@tinyfleet/random';

// ---- seeded PRNG (mulberry32, libs/random) ---------------------------------------------------
export function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
}
export type Rng = ReturnType<typeof prng>;

export function randomBytes(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(0, 255);
  return out;
}

// ---- random valid messages (seeds for mutation, and round-trip checks) ------------------------
const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
function ident(rng: Rng, max: number): string {
  let s = rng.pick(lower.split(''));
  for (let i = rng.int(0, max - 1); i > 0; i--) s += rng.pick((lower + '-').split(''));
  return s;
}
function printable(rng: Rng, min: number, max: number, space = true): string {
  let s = '';
  for (let i = rng.int(min, max); i > 0; i--) s += String.fromCharCode(rng.int(space ? 0x20 : 0x21, 0x7e));
  return s;
}
const semver = (rng: Rng, max: number): string => {
  const base = `${rng.int(0, 99)}.${rng.int(0, 99)}.${rng.int(0, 99)}`;
  return rng.chance(0.3) && base.length + 3 <= max ? `${base}-rc` : base;
};
const u = (rng: Rng, max: number): number =>
  rng.chance(0.3) ? rng.pick([0, max]) : Math.floor(rng.next() * (max + 1));
const U32 = 2 ** 32 - 1;
const U53 = Number.MAX_SAFE_INTEGER;
const T = UNIX_MS_MAX;
const MIB16 = 16 * 1024 * 1024;
const slot = (rng: Rng) => ({
  modelId: ident(rng, 32),
  modelVersion: semver(rng, 32),
  sha256: randomBytes(rng, 32),
  sizeBytes: u(rng, U32),
});

export const VALID_MESSAGES: { [K in keyof GoldenMessageTypes]: (rng: Rng) => GoldenMessageTypes[K] } = {
  InferenceEventV1: (r) => ({
    seq: u(r, U32),
    timestampMs: u(r, T),
    modelTag: u(r, U32),
    label: u(r, 255),
    scoreQ: r.int(-128, 127),
    latencyUs: u(r, U32),
    energyUj: u(r, U32),
  }),
  StatusV1: (r) => ({
    timestampMs: u(r, T),
    firmwareVersion: printable(r, 1, 32),
    interpreterVersion: semver(r, 16),
    uptimeS: u(r, U32),
    batteryPct: r.int(0, 100),
    batteryMv: u(r, 65535),
    activeSlot: r.pick([0, 1] as const),
    slots: [r.chance(0.5) ? slot(r) : null, r.chance(0.5) ? slot(r) : null],
    bufferedEvents: u(r, U32),
    droppedEvents: u(r, U32),
  }),
  EnergySnapshotV1: (r) => ({
    bootId: u(r, U32),
    seq: u(r, U32),
    virtualTimeMs: u(r, T),
    computeUj: u(r, U53),
    radioTxUj: u(r, U53),
    radioRxUj: u(r, U53),
    radioConnectUj: u(r, U53),
    sensingUj: u(r, U53),
    sleepUj: u(r, U53),
    rawRadioUj: u(r, U53),
    bytesUp: u(r, U53),
    bytesDown: u(r, U53),
    rawBytesUp: u(r, U53),
    inferences: u(r, U53),
    events: u(r, U53),
    messagesUp: u(r, U53),
    rawMessagesUp: u(r, U53),
    samples: u(r, U53),
  }),
  ProvisionRequestV1: (r) => ({
    hardwareId: printable(r, 1, 64),
    mcuProfile: ident(r, 32),
    radioProfile: ident(r, 32),
    firmwareVersion: printable(r, 1, 32),
    sensorStream: ident(r, 32),
    interpreterVersion: semver(r, 16),
  }),
  ProvisionResponseV1: (r) => {
    if (r.chance(0.4)) {
      return {
        status: 'refused',
        reason: r.pick(['claim-expired', 'rate-limited', 'internal-error'] as const),
        retryAfterS: r.chance(0.5) ? null : u(r, U32),
      };
    }
    const status = r.pick(['registered', 'reused', 'replaced'] as const);
    return {
      status,
      deviceId: `dev-${ident(r, 60)}`,
      deviceSecret: status === 'reused' && r.chance(0.5) ? null : printable(r, 16, r.chance(0.5) ? 128 : 1024, false),
      mqttUsername: printable(r, 1, 128, false),
    };
  },
  DeviceConfigV1: (r) => ({
    statusIntervalS: r.int(1, 86400),
    energyIntervalS: r.int(1, 86400),
    eventPolicy: r.pick(['on-change', 'every', 'threshold'] as const),
    scoreThresholdQ: r.int(-128, 127),
  }),
  OtaOfferV1: (r) => {
    const form = r.pick(OTA_FORMS);
    const transferBytes = r.chance(0.2)
      ? r.pick([2, 64, 4096, 4097, MIB16])
      : r.int(2, r.chance(0.5) ? 100_000 : MIB16);
    const chunkBytes = r.chance(0.3) ? r.pick([64, 4096]) : r.int(64, 4096);
    return {
      jobId: u(r, U32),
      modelId: ident(r, 32),
      modelVersion: semver(r, 32),
      form,
      transferBytes,
      chunkBytes,
      chunkCount: Math.ceil(transferBytes / chunkBytes),
      transferSha256: randomBytes(r, 32),
      manifestBytes: r.int(1, transferBytes - 1),
      modelSha256: randomBytes(r, 32),
      modelBytes: r.int(1, MIB16),
      baseSha256: form === 'delta' ? randomBytes(r, 32) : null,
      signature: randomBytes(r, 64),
      keyId: Array.from({ length: 16 }, () => r.pick('0123456789abcdef'.split(''))).join(''),
    };
  },
  OtaChunkRequestV1: (r) => ({ jobId: u(r, U32), firstChunk: u(r, U32), chunkCount: r.int(1, 16) }),
  OtaChunkV1: (r) => validChunk(r),
  OtaStatusV1: (r) => {
    const state = r.pick(OTA_DEVICE_STATES);
    const reason =
      state === 'FAILED' || state === 'REJECTED' || (state === 'DOWNLOADING' && r.chance(0.5))
        ? r.pick(OTA_REASONS)
        : null;
    return {
      jobId: u(r, U32),
      state,
      reason,
      chunksReceived: u(r, OTA_MAX_CHUNK_COUNT),
      timestampMs: u(r, T),
    } satisfies OtaStatusV1;
  },
  OtaCancelV1: (r) => ({ jobId: u(r, U32), reason: r.pick(OTA_CANCEL_REASONS) }),
  AccuracyReportV1: (r) => ({ bootId: u(r, U32), seq: u(r, U32), timestampMs: u(r, T), models: modelAccuracies(r) }),
  DeviceCapabilitiesV1: (r) => {
    const n = r.int(0, 15);
    const restricted = r.int(0, Math.floor((62 - 2 * n) / 2));
    const opSet = randomBytes(r, 2 + 2 * n + 2 * restricted);
    opSet[0] = 1;
    opSet[1] = n;
    return { timestampMs: u(r, T), interpreterVersion: semver(r, 16), opSet };
  },
  InferenceSummaryV1: (r) => ({
    bootId: u(r, U32),
    seq: u(r, U32),
    timestampMs: u(r, T),
    windowMs: u(r, U32),
    marginQ: r.int(0, 255),
    models: Array.from(new Set(Array.from({ length: r.int(0, SUMMARY_MAX_MODELS) }, () => u(r, U32)))).map((tag) =>
      modelSummary(r, tag),
    ),
  }),
  EvidenceRequestV1: (r) => {
    const selector = r.pick(EVIDENCE_SELECTORS);
    return {
      requestId: u(r, U32),
      modelTag: u(r, U32),
      selector,
      label: selector === 'class' ? r.int(0, 255) : 0,
      marginQ: selector === 'low-margin' ? r.int(0, 255) : 0,
      maxWindows: r.int(1, EVIDENCE_MAX_WINDOWS),
      maxBytes: r.int(1, U32),
      deadlineMs: u(r, T),
      dailyBudgetBytes: r.chance(0.4) ? null : u(r, U32),
    };
  },
  EvidenceStatusV1: (r) => evidenceStatus(r),
  EvidenceChunkV1: (r) => evidenceChunk(r),
  EvidenceWindowV1: (r) => evidenceWindow(r),
};

function evidenceStatus(r: Rng): EvidenceStatusV1 {
  const state = r.pick(EVIDENCE_STATES);
  const declined = state === 'declined';
  const reason = declined
    ? r.pick(EVIDENCE_REASONS.slice(1))
    : state === 'accepted'
      ? 'none'
      : r.pick(EVIDENCE_REASONS);
  return {
    requestId: u(r, U32),
    state,
    reason,
    windowCount: declined ? 0 : r.int(state === 'accepted' ? 1 : 0, EVIDENCE_MAX_WINDOWS),
    plannedBytes: declined ? 0 : u(r, U32),
    budgetLeftBytes: u(r, U32),
  };
}

function evidenceChunk(r: Rng): EvidenceChunkV1 {
  const data = randomData(r, r.int(1, r.chance(0.7) ? 64 : EVIDENCE_MAX_CHUNK_BYTES));
  const totalBytes = r.int(data.length, EVIDENCE_MAX_WINDOW_BYTES);
  const windowCount = r.int(1, EVIDENCE_MAX_WINDOWS);
  return {
    requestId: u(r, U32),
    windowIndex: r.int(0, windowCount - 1),
    windowCount,
    totalBytes,
    offset: r.int(0, totalBytes - data.length),
    crc32: crc32(data),
    data,
  };
}

function evidenceWindow(r: Rng): EvidenceWindowV1 {
  const format = r.chance(0.5) ? 'u8' : 'f32le';
  const size = format === 'u8' ? 1 : 4;
  const imageWidth = r.chance(0.3) ? r.int(1, 128) : 0;
  const valuesPerSample = (imageWidth || 1) * r.int(1, Math.floor(4096 / (imageWidth || 1)));
  const samples = r.int(1, Math.max(1, Math.floor(EVIDENCE_MAX_WINDOW_BYTES / (valuesPerSample * size))));
  return {
    requestId: u(r, U32),
    windowIndex: r.int(0, EVIDENCE_MAX_WINDOWS - 1),
    modelTag: u(r, U32),
    timestampMs: u(r, T),
    label: r.int(0, 255),
    scoreQ: r.int(-128, 127),
    marginQ: r.int(0, 255),
    format,
    samples,
    valuesPerSample,
    imageWidth,
    dataBytes: samples * valuesPerSample * size,
  };
}

/** A model summary whose counts add up as the rules require (class counts and histogram sum to inferences). */
function modelSummary(r: Rng, modelTag: number): ModelSummaryV1 {
  const inferences = r.chance(0.2) ? r.pick([0, U32]) : r.int(0, 100_000);
  const spread = (parts: number): number[] => {
    const out = new Array<number>(parts).fill(0);
    let left = inferences;
    for (let i = 0; i < parts - 1 && left > 0; i++) left -= out[i] = Math.floor(r.next() * (left + 1));
    out[parts - 1] += left;
    return out;
  };
  return {
    modelTag,
    inferences,
    classCounts: spread(r.int(1, SUMMARY_MAX_CLASSES)),
    scoreHistogram: spread(SCORE_HISTOGRAM_BINS),
    lowMargin: Math.floor(r.next() * (inferences + 1)),
    inputStats: Array.from({ length: r.int(0, SUMMARY_MAX_CHANNELS) }, () => ({
      count: u(r, U53),
      sum: r.chance(0.5) ? 0 - u(r, U53) : u(r, U53), // 0 - x: never -0, which no integer encodes
      sumSquares: u(r, U53),
    })),
  };
}

/** 0..ACCURACY_MAX_MODELS models with distinct tags (sometimes adjacent), correct <= inferences. */
function modelAccuracies(r: Rng): ModelAccuracyV1[] {
  const tags = new Set<number>();
  const count = r.chance(0.2) ? r.pick([0, ACCURACY_MAX_MODELS]) : r.int(0, ACCURACY_MAX_MODELS);
  while (tags.size < count) tags.add(r.chance(0.2) && tags.size > 0 ? Math.min(U32, [...tags].pop()! + 1) : u(r, U32));
  return [...tags].map((modelTag) => {
    const inferences = u(r, U53);
    const correct = r.chance(0.3) ? r.pick([0, inferences]) : Math.floor(r.next() * (inferences + 1));
    return { modelTag, inferences, correct };
  });
}

/** Like randomBytes but 4 bytes per PRNG step: chunk data is up to 4 KiB per case. */
function randomData(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const v = Math.floor(rng.next() * 4294967296);
    for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
  }
  return out;
}

export function validChunk(r: Rng): OtaChunkV1 {
  // Mostly small (fast), sometimes up to the 4096-byte maximum (and its doubled copy is oversized).
  const data = randomData(r, r.chance(0.05) ? 4096 : r.int(1, r.chance(0.7) ? 64 : 4096));
  return { jobId: u(r, U32), index: u(r, U32), crc32: crc32(data), data };
}
