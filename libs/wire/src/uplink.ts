/**
 * Kind-dispatched codecs. Adding an uplink/downlink kind = add it to UPLINK_KINDS/DOWNLINK_KINDS in
 * topics.ts, its message type to the map below and its codec to the table; the compiler then flags
 * every switch that needs a case.
 */
import { WireError } from './errors';
import type { MessageCodec } from './message';
import { accuracyReportV1Codec, type AccuracyReportV1 } from './messages/accuracy-report.v1';
import { deviceConfigV1Codec, type DeviceConfigV1 } from './messages/device-config.v1';
import { inferenceSummaryV1Codec, type InferenceSummaryV1 } from './messages/inference-summary.v1';
import { deviceCapabilitiesV1Codec, type DeviceCapabilitiesV1 } from './messages/device-capabilities.v1';
import {
  evidenceChunkV1Codec,
  evidenceRequestV1Codec,
  evidenceStatusV1Codec,
  evidenceWindowV1Codec,
  type EvidenceChunkV1,
  type EvidenceRequestV1,
  type EvidenceStatusV1,
} from './messages/evidence.v1';
import { energySnapshotV1Codec, type EnergySnapshotV1 } from './messages/energy-snapshot.v1';
import { inferenceEventV1Codec, type InferenceEventV1 } from './messages/inference-event.v1';
import { otaCancelV1Codec, type OtaCancelV1 } from './messages/ota-cancel.v1';
import { otaChunkRequestV1Codec, type OtaChunkRequestV1 } from './messages/ota-chunk-request.v1';
import { otaChunkV1Codec, type OtaChunkV1 } from './messages/ota-chunk.v1';
import { otaOfferV1Codec, type OtaOfferV1 } from './messages/ota-offer.v1';
import { otaStatusV1Codec, type OtaStatusV1 } from './messages/ota-status.v1';
import { provisionRequestV1Codec } from './messages/provision-request.v1';
import { provisionResponseV1Codec } from './messages/provision-response.v1';
import { statusV1Codec, type StatusV1 } from './messages/status.v1';
import { isDownlinkKind, isUplinkKind, parseTopic, type DownlinkKind, type UplinkKind } from './topics';

export interface UplinkMessageMap {
  event: InferenceEventV1;
  status: StatusV1;
  energy: EnergySnapshotV1;
  'ota-status': OtaStatusV1;
  'ota-request': OtaChunkRequestV1;
  accuracy: AccuracyReportV1;
  summary: InferenceSummaryV1;
  capabilities: DeviceCapabilitiesV1;
  evidence: EvidenceChunkV1;
  'evidence-status': EvidenceStatusV1;
}

export interface DownlinkMessageMap {
  config: DeviceConfigV1;
  'ota-offer': OtaOfferV1;
  'ota-chunk': OtaChunkV1;
  'ota-cancel': OtaCancelV1;
  'evidence-request': EvidenceRequestV1;
}

/** `{ kind: 'event', message } | { kind: 'status', message } | … | { kind: 'ota-request', message }` */
export type UplinkMessage = { [K in UplinkKind]: { kind: K; message: UplinkMessageMap[K] } }[UplinkKind];
/** `{ kind: 'config', message } | { kind: 'ota-offer', message } | … | { kind: 'ota-cancel', message }` */
export type DownlinkMessage = { [K in DownlinkKind]: { kind: K; message: DownlinkMessageMap[K] } }[DownlinkKind];

export const UPLINK_CODECS: { readonly [K in UplinkKind]: MessageCodec<UplinkMessageMap[K]> } = {
  event: inferenceEventV1Codec,
  status: statusV1Codec,
  energy: energySnapshotV1Codec,
  'ota-status': otaStatusV1Codec,
  'ota-request': otaChunkRequestV1Codec,
  accuracy: accuracyReportV1Codec,
  summary: inferenceSummaryV1Codec,
  capabilities: deviceCapabilitiesV1Codec,
  evidence: evidenceChunkV1Codec,
  'evidence-status': evidenceStatusV1Codec,
};

export const DOWNLINK_CODECS: { readonly [K in DownlinkKind]: MessageCodec<DownlinkMessageMap[K]> } = {
  config: deviceConfigV1Codec,
  'ota-offer': otaOfferV1Codec,
  'ota-chunk': otaChunkV1Codec,
  'ota-cancel': otaCancelV1Codec,
  'evidence-request': evidenceRequestV1Codec,
};

/**
 * Raw payload limits, checked before any parsing. Generous (≈2x the worst case) but bounded; the
 * exception is ota-chunk, whose 4096 data bytes get a fixed 128-byte allowance instead of 2x.
 */
export const MAX_PAYLOAD_BYTES = {
  event: inferenceEventV1Codec.maxBytes, // 64  (worst case 34)
  status: statusV1Codec.maxBytes, // 512 (worst case 299)
  energy: energySnapshotV1Codec.maxBytes, // 512 (worst case 155)
  config: deviceConfigV1Codec.maxBytes, // 128 (worst case 14)
  provisionRequest: provisionRequestV1Codec.maxBytes, // 512 (worst case 220)
  provisionResponse: provisionResponseV1Codec.maxBytes, // 2048 (worst case 1225: a 1024-character secret)
  'ota-status': otaStatusV1Codec.maxBytes, // 64 (worst case 22)
  'ota-request': otaChunkRequestV1Codec.maxBytes, // 64 (worst case 12)
  'ota-offer': otaOfferV1Codec.maxBytes, // 512 (worst case 283)
  'ota-chunk': otaChunkV1Codec.maxBytes, // 4224 (worst case 4115: 4096 data bytes)
  'ota-cancel': otaCancelV1Codec.maxBytes, // 64 (worst case 7)
  accuracy: accuracyReportV1Codec.maxBytes, // 256 (worst case 213)
  summary: inferenceSummaryV1Codec.maxBytes, // 2048 (worst case 1444)
  capabilities: deviceCapabilitiesV1Codec.maxBytes, // 128 (worst case 93)
  evidence: evidenceChunkV1Codec.maxBytes, // 2176 (worst case 2074: 2048 data bytes)
  'evidence-status': evidenceStatusV1Codec.maxBytes, // 64 (worst case 20)
  'evidence-request': evidenceRequestV1Codec.maxBytes, // 128 (worst case 36)
  // Not a topic payload: the header at the start of an evidence window blob (docs/protocol.md §12.2).
  evidenceWindow: evidenceWindowV1Codec.maxBytes, // 128 (worst case 43)
} as const;

/** With a literal kind the result is narrowed (`decodeUplink('event', b).message` is InferenceEventV1). */
export function decodeUplink<K extends UplinkKind>(kind: K, bytes: Uint8Array): Extract<UplinkMessage, { kind: K }> {
  if (!isUplinkKind(kind)) throw new WireError('unknown-topic', `unknown uplink kind ${JSON.stringify(kind)}`);
  return { kind, message: UPLINK_CODECS[kind].decode(bytes) } as unknown as Extract<UplinkMessage, { kind: K }>;
}

export function encodeUplink(uplink: UplinkMessage): Uint8Array {
  const kind = (uplink as { kind?: unknown } | null)?.kind;
  if (!isUplinkKind(kind)) throw new WireError('unknown-topic', `unknown uplink kind ${JSON.stringify(kind)}`);
  return (UPLINK_CODECS[kind] as MessageCodec<unknown>).encode(uplink.message);
}

export function decodeDownlink<K extends DownlinkKind>(
  kind: K,
  bytes: Uint8Array,
): Extract<DownlinkMessage, { kind: K }> {
  if (!isDownlinkKind(kind)) throw new WireError('unknown-topic', `unknown downlink kind ${JSON.stringify(kind)}`);
  return { kind, message: DOWNLINK_CODECS[kind].decode(bytes) } as unknown as Extract<DownlinkMessage, { kind: K }>;
}

export function encodeDownlink(downlink: DownlinkMessage): Uint8Array {
  const kind = (downlink as { kind?: unknown } | null)?.kind;
  if (!isDownlinkKind(kind)) throw new WireError('unknown-topic', `unknown downlink kind ${JSON.stringify(kind)}`);
  return (DOWNLINK_CODECS[kind] as MessageCodec<unknown>).encode(downlink.message);
}

/**
 * Ingest convenience: topic + payload in, `{ deviceId, kind, message }` out. Throws
 * WireError('unknown-topic') if the topic is not a v1 device uplink topic. NOTE: this does not
 * authenticate anything; the broker ACL (isAllowedDevicePublish) must already have tied the topic's
 * deviceId to the connection's credential.
 */
export function decodeDeviceUplink(topic: string, bytes: Uint8Array): UplinkMessage & { deviceId: string } {
  const parsed = parseTopic(topic);
  if (parsed === null || parsed.scope !== 'device' || parsed.direction !== 'up') {
    throw new WireError('unknown-topic', `not a device uplink topic: ${JSON.stringify(String(topic).slice(0, 200))}`);
  }
  return { deviceId: parsed.deviceId, ...decodeUplink(parsed.kind, bytes) };
}
