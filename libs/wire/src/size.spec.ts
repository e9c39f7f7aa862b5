/**
 * Size measurements quoted in docs/protocol.md. The numbers are asserted exactly, so the doc cannot
 * silently go stale: if one of these changes, the wire format changed.
 */
import { decodeCbor, encodeCbor, toWireInt } from './codec';
import { crc32 } from './crc32';
import { codecFor } from './fixtures/codecs';
import type { GoldenMessageTypes } from './fixtures/golden.fixtures';
import { ACCURACY_MAX_MODELS } from './messages/accuracy-report.v1';
import { OTA_MAX_CHUNK_COUNT } from './messages/ota-offer.v1';
import { SCORE_HISTOGRAM_BINS, SUMMARY_MAX_CHANNELS, SUMMARY_MAX_CLASSES } from './messages/inference-summary.v1';

/** `total` in `parts` integers that add up to it (the last takes the remainder). */
function split(total: number, parts: number): number[] {
  const each = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => (i === parts - 1 ? total - each * (parts - 1) : each));
}
import { MAX_PAYLOAD_BYTES } from './uplink';
import { EVIDENCE_MAX_CHUNK_BYTES, EVIDENCE_MAX_WINDOW_BYTES } from './messages/evidence.v1';
import { UNIX_MS_MAX } from './schema';

const SHA = new Uint8Array(32).fill(0xab);
const s = (n: number, c = 'a'): string => c.repeat(n);
const BIG = Number.MAX_SAFE_INTEGER;
/** Timestamps use the largest value they may take (8.64e15): the same 9-byte uint64 head as BIG. */
const MIB16 = 16 * 1024 * 1024;
const CHUNK_DATA = new Uint8Array(4096).fill(0xcd);
const EVIDENCE_DATA = new Uint8Array(EVIDENCE_MAX_CHUNK_BYTES).fill(0xcd);

/** Worst (largest) encodings that are still realistic per the protocol spec. */
const WORST: { [K in keyof GoldenMessageTypes]: GoldenMessageTypes[K] } = {
  InferenceEventV1: {
    seq: 2 ** 32 - 1,
    timestampMs: 1.8e12,
    modelTag: 2 ** 32 - 1,
    label: 255,
    scoreQ: -128,
    latencyUs: 1e7,
    energyUj: 1e7,
  },
  StatusV1: {
    timestampMs: UNIX_MS_MAX,
    firmwareVersion: s(32),
    interpreterVersion: `1.0.0-${s(10)}`,
    uptimeS: 2 ** 32 - 1,
    batteryPct: 100,
    batteryMv: 65535,
    activeSlot: 1,
    slots: [
      { modelId: s(32), modelVersion: `1.0.0-${s(26)}`, sha256: SHA, sizeBytes: 2 ** 32 - 1 },
      { modelId: s(32), modelVersion: `1.0.0-${s(26)}`, sha256: SHA, sizeBytes: 2 ** 32 - 1 },
    ],
    bufferedEvents: 2 ** 32 - 1,
    droppedEvents: 2 ** 32 - 1,
  },
  EnergySnapshotV1: {
    bootId: 2 ** 32 - 1,
    seq: 2 ** 32 - 1,
    virtualTimeMs: UNIX_MS_MAX,
    computeUj: BIG,
    radioTxUj: BIG,
    radioRxUj: BIG,
    radioConnectUj: BIG,
    sensingUj: BIG,
    sleepUj: BIG,
    rawRadioUj: BIG,
    bytesUp: BIG,
    bytesDown: BIG,
    rawBytesUp: BIG,
    inferences: BIG,
    events: BIG,
    messagesUp: BIG,
    rawMessagesUp: BIG,
    samples: BIG,
  },
  ProvisionRequestV1: {
    hardwareId: s(64),
    mcuProfile: s(32),
    radioProfile: s(32),
    firmwareVersion: s(32),
    sensorStream: s(32),
    interpreterVersion: `1.0.0-${s(10)}`,
  },
  ProvisionResponseV1: { status: 'replaced', deviceId: s(64), deviceSecret: s(1024), mqttUsername: s(128) },
  DeviceConfigV1: { statusIntervalS: 86_400, energyIntervalS: 86_400, eventPolicy: 'threshold', scoreThresholdQ: -128 },
  // chunkBytes 256 is the smallest size whose head is 3 bytes that still makes chunkCount (65536) 5 bytes.
  OtaOfferV1: {
    jobId: 2 ** 32 - 1,
    modelId: s(32),
    modelVersion: `1.0.0-${s(26)}`,
    form: 'delta',
    transferBytes: MIB16,
    chunkBytes: 256,
    chunkCount: MIB16 / 256,
    transferSha256: SHA,
    manifestBytes: MIB16 - 1,
    modelSha256: SHA,
    modelBytes: MIB16,
    baseSha256: SHA,
    signature: new Uint8Array(64).fill(0xab),
    keyId: 'f'.repeat(16),
  },
  OtaChunkRequestV1: { jobId: 2 ** 32 - 1, firstChunk: 2 ** 32 - 1, chunkCount: 16 },
  OtaChunkV1: { jobId: 2 ** 32 - 1, index: 2 ** 32 - 1, crc32: crc32(CHUNK_DATA), data: CHUNK_DATA },
  OtaStatusV1: {
    jobId: 2 ** 32 - 1,
    state: 'FAILED',
    reason: 'timeout',
    chunksReceived: OTA_MAX_CHUNK_COUNT, // 262,144: a 5-byte head, like 2^32-1
    timestampMs: UNIX_MS_MAX,
  },
  OtaCancelV1: { jobId: 2 ** 32 - 1, reason: 'timed-out' },
  EvidenceRequestV1: {
    requestId: 2 ** 32 - 1,
    modelTag: 2 ** 32 - 1,
    selector: 'class',
    label: 255,
    marginQ: 0,
    maxWindows: 64,
    maxBytes: 2 ** 32 - 1,
    deadlineMs: UNIX_MS_MAX,
    dailyBudgetBytes: 2 ** 32 - 1,
  },
  EvidenceStatusV1: {
    requestId: 2 ** 32 - 1,
    state: 'done',
    reason: 'expired',
    windowCount: 64,
    plannedBytes: 2 ** 32 - 1,
    budgetLeftBytes: 2 ** 32 - 1,
  },
  // The last chunk of the largest blob: its offset is a 5-byte head.
  EvidenceChunkV1: {
    requestId: 2 ** 32 - 1,
    windowIndex: 63,
    windowCount: 64,
    totalBytes: EVIDENCE_MAX_WINDOW_BYTES,
    offset: EVIDENCE_MAX_WINDOW_BYTES - EVIDENCE_MAX_CHUNK_BYTES,
    crc32: crc32(EVIDENCE_DATA),
    data: EVIDENCE_DATA,
  },
  // Every count a 3-byte head or more; the data fills a 64 KiB blob's worth (dataBytes a 5-byte head).
  EvidenceWindowV1: {
    requestId: 2 ** 32 - 1,
    windowIndex: 63,
    modelTag: 2 ** 32 - 1,
    timestampMs: UNIX_MS_MAX,
    label: 255,
    scoreQ: -128,
    marginQ: 255,
    format: 'u8',
    samples: 256,
    valuesPerSample: 256,
    imageWidth: 256,
    dataBytes: 65536,
  },
  // Two models, every count a 5-byte uint32 (adding up as the rules require), every sum a 9-byte integer.
  InferenceSummaryV1: {
    bootId: 2 ** 32 - 1,
    seq: 2 ** 32 - 1,
    timestampMs: UNIX_MS_MAX,
    windowMs: 2 ** 32 - 1,
    marginQ: 255,
    models: [0, 1].map((k) => ({
      modelTag: 2 ** 32 - 1 - k,
      inferences: 2 ** 32 - 1,
      classCounts: split(2 ** 32 - 1, SUMMARY_MAX_CLASSES),
      scoreHistogram: split(2 ** 32 - 1, SCORE_HISTOGRAM_BINS),
      lowMargin: 2 ** 32 - 1,
      inputStats: Array.from({ length: SUMMARY_MAX_CHANNELS }, () => ({ count: BIG, sum: -BIG, sumSquares: BIG })),
    })),
  },
  // A 64-byte op set (a 31-byte bitset, no restricted ops) and a 16-character version.
  DeviceCapabilitiesV1: {
    timestampMs: UNIX_MS_MAX,
    interpreterVersion: `1.0.0-${'r'.repeat(10)}`,
    opSet: Uint8Array.from({ length: 64 }, (_, i) => (i === 0 ? 1 : i === 1 ? 31 : 0xff)),
  },
  // ACCURACY_MAX_MODELS distinct 5-byte tags, every counter a 9-byte uint64.
  AccuracyReportV1: {
    bootId: 2 ** 32 - 1,
    seq: 2 ** 32 - 1,
    timestampMs: UNIX_MS_MAX,
    models: Array.from({ length: ACCURACY_MAX_MODELS }, (_, i) => ({
      modelTag: 2 ** 32 - 1 - i,
      inferences: BIG,
      correct: BIG,
    })),
  },
};

const EXPECTED_WORST_BYTES: Record<keyof GoldenMessageTypes, number> = {
  InferenceEventV1: 34,
  StatusV1: 299,
  EnergySnapshotV1: 155,
  ProvisionRequestV1: 220,
  ProvisionResponseV1: 1225,
  DeviceConfigV1: 14,
  OtaOfferV1: 283,
  OtaChunkRequestV1: 12,
  OtaChunkV1: 4115,
  OtaStatusV1: 22,
  OtaCancelV1: 7,
  AccuracyReportV1: 213,
  InferenceSummaryV1: 1444,
  DeviceCapabilitiesV1: 93,
  EvidenceRequestV1: 36,
  EvidenceStatusV1: 20,
  EvidenceChunkV1: 2074,
  EvidenceWindowV1: 43,
};

const LIMIT_KEY: Record<keyof GoldenMessageTypes, keyof typeof MAX_PAYLOAD_BYTES> = {
  InferenceEventV1: 'event',
  StatusV1: 'status',
  EnergySnapshotV1: 'energy',
  ProvisionRequestV1: 'provisionRequest',
  ProvisionResponseV1: 'provisionResponse',
  DeviceConfigV1: 'config',
  OtaOfferV1: 'ota-offer',
  OtaChunkRequestV1: 'ota-request',
  OtaChunkV1: 'ota-chunk',
  OtaStatusV1: 'ota-status',
  OtaCancelV1: 'ota-cancel',
  AccuracyReportV1: 'accuracy',
  InferenceSummaryV1: 'summary',
  DeviceCapabilitiesV1: 'capabilities',
  EvidenceRequestV1: 'evidence-request',
  EvidenceStatusV1: 'evidence-status',
  EvidenceChunkV1: 'evidence',
  EvidenceWindowV1: 'evidenceWindow',
};

/** Re-encode the top-level positional array with other key schemes, for the comparison table. */
function alternatives(bytes: Uint8Array): { array: number; intKeyedMap: number; oneCharKeyMap: number } {
  const wire = decodeCbor(bytes, 1 << 16) as unknown[];
  const fix = (v: unknown): unknown => (typeof v === 'number' ? toWireInt(v) : Array.isArray(v) ? v.map(fix) : v);
  const values = wire.map(fix);
  const intKeyed = new Map(values.map((v, i) => [i, v] as [number, unknown]));
  const charKeyed = new Map(values.map((v, i) => [String.fromCharCode(97 + i), v] as [string, unknown]));
  return { array: bytes.length, intKeyedMap: encodeCbor(intKeyed).length, oneCharKeyMap: encodeCbor(charKeyed).length };
}

describe('payload sizes', () => {
  it('InferenceEventV1 encodes in <= 40 bytes at worst-case realistic values', () => {
    const size = codecFor('InferenceEventV1').encode(WORST.InferenceEventV1).length;

    console.log(`InferenceEventV1 worst case: ${size} bytes (budget 40)`);
    expect(size).toBeLessThanOrEqual(40);
    expect(size).toBe(34);
  });

  it.each(Object.keys(WORST) as (keyof GoldenMessageTypes)[])('%s worst case fits its MAX_PAYLOAD_BYTES', (name) => {
    const size = codecFor(name).encode(WORST[name]).length;
    expect(size).toBe(EXPECTED_WORST_BYTES[name]);
    expect(size).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES[LIMIT_KEY[name]]);
  });

  it('key-encoding comparison (numbers quoted in docs/protocol.md)', () => {
    const table = Object.fromEntries(
      (Object.keys(WORST) as (keyof GoldenMessageTypes)[]).map((name) => [
        name,
        alternatives(codecFor(name).encode(WORST[name])),
      ]),
    );

    console.table(table);
    expect(table).toEqual({
      InferenceEventV1: { array: 34, intKeyedMap: 41, oneCharKeyMap: 48 },
      StatusV1: { array: 299, intKeyedMap: 309, oneCharKeyMap: 319 },
      EnergySnapshotV1: { array: 155, intKeyedMap: 173, oneCharKeyMap: 191 },
      ProvisionRequestV1: { array: 220, intKeyedMap: 226, oneCharKeyMap: 232 },
      ProvisionResponseV1: { array: 1225, intKeyedMap: 1229, oneCharKeyMap: 1233 },
      DeviceConfigV1: { array: 14, intKeyedMap: 18, oneCharKeyMap: 22 },
      OtaOfferV1: { array: 283, intKeyedMap: 297, oneCharKeyMap: 311 },
      OtaChunkRequestV1: { array: 12, intKeyedMap: 15, oneCharKeyMap: 18 },
      OtaChunkV1: { array: 4115, intKeyedMap: 4119, oneCharKeyMap: 4123 },
      OtaStatusV1: { array: 22, intKeyedMap: 27, oneCharKeyMap: 32 },
      OtaCancelV1: { array: 7, intKeyedMap: 9, oneCharKeyMap: 11 },
      AccuracyReportV1: { array: 213, intKeyedMap: 217, oneCharKeyMap: 221 },
      InferenceSummaryV1: { array: 1444, intKeyedMap: 1450, oneCharKeyMap: 1456 },
      DeviceCapabilitiesV1: { array: 93, intKeyedMap: 96, oneCharKeyMap: 99 },
      EvidenceRequestV1: { array: 36, intKeyedMap: 45, oneCharKeyMap: 54 },
      EvidenceStatusV1: { array: 20, intKeyedMap: 26, oneCharKeyMap: 32 },
      EvidenceChunkV1: { array: 2074, intKeyedMap: 2081, oneCharKeyMap: 2088 },
      EvidenceWindowV1: { array: 43, intKeyedMap: 55, oneCharKeyMap: 67 },
    });
  });
});
