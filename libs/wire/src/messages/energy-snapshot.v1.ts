import { defineMessage } from '../message';
import { record, uint32, uint53, unixMs } from '../schema';

/**
 * up/energy — cumulative joule-ledger counters since boot. Cumulative (not deltas) so a lost or
 * duplicated message never corrupts the ledger: the platform diffs consecutive snapshots of the same
 * bootId and starts a new series when bootId changes. All counters are integers 0..2^53-1
 * (µJ totals overflow uint32 after ~71 minutes at 1 W).
 */
export interface EnergySnapshotV1 {
  /** uint32, random per boot. */
  bootId: number;
  /** uint32, per boot, increasing. */
  seq: number;
  /** Simulated device time since boot, ms. */
  virtualTimeMs: number;
  computeUj: number;
  radioTxUj: number;
  radioRxUj: number;
  radioConnectUj: number;
  sensingUj: number;
  sleepUj: number;
  /** Counterfactual: radio energy had every raw sample been streamed over the same radio. */
  rawRadioUj: number;
  /** Bytes on air including protocol overhead; same accounting as rawBytesUp. */
  bytesUp: number;
  bytesDown: number;
  /** Counterfactual bytes on air for streaming every raw sample. */
  rawBytesUp: number;
  inferences: number;
  events: number;
  messagesUp: number;
  rawMessagesUp: number;
  samples: number;
}

export const ENERGY_SNAPSHOT_V1_MAX_BYTES = 512;

export const energySnapshotV1Codec = defineMessage<EnergySnapshotV1>(
  'EnergySnapshotV1',
  ENERGY_SNAPSHOT_V1_MAX_BYTES,
  record<EnergySnapshotV1>({
    bootId: uint32,
    seq: uint32,
    virtualTimeMs: unixMs,
    computeUj: uint53,
    radioTxUj: uint53,
    radioRxUj: uint53,
    radioConnectUj: uint53,
    sensingUj: uint53,
    sleepUj: uint53,
    rawRadioUj: uint53,
    bytesUp: uint53,
    bytesDown: uint53,
    rawBytesUp: uint53,
    inferences: uint53,
    events: uint53,
    messagesUp: uint53,
    rawMessagesUp: uint53,
    samples: uint53,
  }),
);

export function encodeEnergySnapshotV1(message: EnergySnapshotV1): Uint8Array {
  return energySnapshotV1Codec.encode(message);
}

export function decodeEnergySnapshotV1(bytes: Uint8Array): EnergySnapshotV1 {
  return energySnapshotV1Codec.decode(bytes);
}
