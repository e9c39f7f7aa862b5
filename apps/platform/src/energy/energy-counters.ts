import { LEDGER_COUNTERS } from '@tinyfleet/energy';
/**
 * Turning stored cumulative snapshots into per-interval energy (pure functions, no Nest).
 *
 * A device's EnergySnapshotV1 counters are cumulative since boot and restart at zero when `bootId`
 * changes (docs/protocol.md). So: deltas are taken between consecutive snapshots of the same
 * (device, boot) — never across boots — and the first snapshot of a boot counts in full (its counters
 * started from zero at that boot), so a reboot loses nothing and never goes negative.
 */

/** The ledger's counters (libs/energy), which EnergySnapshotV1 carries one for one. */
export const COUNTER_NAMES = LEDGER_COUNTERS;
export type CounterName = (typeof LEDGER_COUNTERS)[number];
export type Counters = Record<CounterName, number>;

const ENERGY_COUNTERS: readonly CounterName[] = [
  'computeUj',
  'radioTxUj',
  'radioRxUj',
  'radioConnectUj',
  'sensingUj',
  'sleepUj',
  'rawRadioUj',
];

export interface SnapshotRow {
  deviceId: string;
  bootId: string | number;
  seq: number;
  virtualTimeMs: number;
  counters: Partial<Record<string, unknown>>;
  /**
   * The last snapshot of its (device, boot) before the report range: used only as the reference the
   * first in-range snapshot is diffed against, never counted itself.
   */
  baseline?: boolean;
}

export interface EnergyInterval {
  deviceId: string;
  bootId: string;
  /** Virtual time of the previous snapshot of the same boot; null for a boot's first snapshot. */
  startMs: number | null;
  endMs: number;
  /**
   * Observed time. A boot's first snapshot has 0: the protocol carries no boot time, so the time between
   * boot and that snapshot is unknown (its energy still counts).
   */
  durationMs: number;
  delta: Counters;
}

export interface DiffResult {
  intervals: EnergyInterval[];
  /** Snapshots seen again with the same (device, boot, seq) — ignored. */
  duplicates: number;
  /** New boots after a device's first observed boot. */
  reboots: number;
  /** Energy counters that went down inside one boot (should not happen): treated as a restart from zero. */
  resetsWithoutNewBoot: number;
}

/** A literal, not Object.fromEntries: this runs once per snapshot and dominated report time on big fleets. */
export function zeroCounters(): Counters {
  return {
    computeUj: 0,
    radioTxUj: 0,
    radioRxUj: 0,
    radioConnectUj: 0,
    sensingUj: 0,
    sleepUj: 0,
    rawRadioUj: 0,
    bytesUp: 0,
    bytesDown: 0,
    rawBytesUp: 0,
    inferences: 0,
    events: 0,
    messagesUp: 0,
    rawMessagesUp: 0,
    samples: 0,
  };
}

/** Coerces a stored jsonb counters object: missing, negative or non-finite values count as 0. */
export function toCounters(raw: Partial<Record<string, unknown>>): Counters {
  const out = zeroCounters();
  for (const c of COUNTER_NAMES) {
    const v = Number(raw[c]);
    out[c] = Number.isFinite(v) && v > 0 ? v : 0;
  }
  return out;
}

export function addCounters(into: Counters, d: Counters): Counters {
  // Unrolled: a keyed loop here was a third of the report time on a 100k-snapshot fleet.
  into.computeUj += d.computeUj;
  into.radioTxUj += d.radioTxUj;
  into.radioRxUj += d.radioRxUj;
  into.radioConnectUj += d.radioConnectUj;
  into.sensingUj += d.sensingUj;
  into.sleepUj += d.sleepUj;
  into.rawRadioUj += d.rawRadioUj;
  into.bytesUp += d.bytesUp;
  into.bytesDown += d.bytesDown;
  into.rawBytesUp += d.rawBytesUp;
  into.inferences += d.inferences;
  into.events += d.events;
  into.messagesUp += d.messagesUp;
  into.rawMessagesUp += d.rawMessagesUp;
  into.samples += d.samples;
  return into;
}

/**
 * Per-interval deltas from snapshots in any order, with duplicates. Within a (device, boot) snapshots
 * are ordered by seq (then virtual time); boots are ordered by their earliest virtual time.
 */
export function diffSnapshots(rows: readonly SnapshotRow[]): DiffResult {
  const result: DiffResult = { intervals: [], duplicates: 0, reboots: 0, resetsWithoutNewBoot: 0 };
  const byDevice = new Map<string, Map<string, Map<number, SnapshotRow>>>();
  for (const row of rows) {
    const boots = byDevice.get(row.deviceId) ?? new Map<string, Map<number, SnapshotRow>>();
    byDevice.set(row.deviceId, boots);
    const bootKey = String(row.bootId);
    const seqs = boots.get(bootKey) ?? new Map<number, SnapshotRow>();
    boots.set(bootKey, seqs);
    const seen = seqs.get(row.seq);
    if (seen) {
      result.duplicates++;
      // A baseline and an in-range copy of the same snapshot: the in-range one must count.
      if (seen.baseline && !row.baseline) seqs.set(row.seq, row);
      continue;
    }
    seqs.set(row.seq, row);
  }
  for (const [deviceId, boots] of byDevice) {
    const ordered = [...boots.entries()]
      .map(([bootId, seqs]) => ({
        bootId,
        snaps: [...seqs.values()].sort((a, b) => a.seq - b.seq || a.virtualTimeMs - b.virtualTimeMs),
      }))
      .map((b) => ({ ...b, firstMs: b.snaps.reduce((m, s) => Math.min(m, s.virtualTimeMs), Infinity) }))
      .sort((a, b) => a.firstMs - b.firstMs);
    result.reboots += Math.max(0, ordered.length - 1);
    for (const { bootId, snaps } of ordered) {
      let prev: { counters: Counters; t: number } | null = null;
      for (const s of snaps) {
        const counters = toCounters(s.counters);
        if (s.baseline) {
          prev = { counters, t: s.virtualTimeMs };
          continue;
        }
        let delta: Counters;
        let startMs: number | null = null;
        if (prev && ENERGY_COUNTERS.some((c) => counters[c] < prev!.counters[c])) {
          result.resetsWithoutNewBoot++;
          delta = counters;
        } else if (prev) {
          delta = zeroCounters();
          // Non-energy counters cannot go down either; clamp rather than book negative bytes.
          for (const c of COUNTER_NAMES) delta[c] = Math.max(0, counters[c] - prev.counters[c]);
          startMs = prev.t;
        } else {
          delta = counters;
        }
        const durationMs = startMs === null ? 0 : Math.max(0, s.virtualTimeMs - startMs);
        result.intervals.push({ deviceId, bootId, startMs, endMs: s.virtualTimeMs, durationMs, delta });
        prev = { counters, t: s.virtualTimeMs };
      }
    }
  }
  return result;
}

export interface DeviceTotals {
  deviceId: string;
  counters: Counters;
  observedMs: number;
  intervals: number;
  /** Distinct boots with an interval in the set. */
  boots: number;
  firstMs: number | null;
  lastMs: number | null;
}

/** Sums intervals per device (optionally only those ending in [fromMs, toMs)). */
export function totalsByDevice(
  intervals: readonly EnergyInterval[],
  fromMs = -Infinity,
  toMs = Infinity,
): Map<string, DeviceTotals> {
  const out = new Map<string, DeviceTotals>();
  const boots = new Map<string, Set<string>>();
  for (const iv of intervals) {
    if (iv.endMs < fromMs || iv.endMs >= toMs) continue;
    let t = out.get(iv.deviceId);
    if (!t) {
      t = {
        deviceId: iv.deviceId,
        counters: zeroCounters(),
        observedMs: 0,
        intervals: 0,
        boots: 0,
        firstMs: null,
        lastMs: null,
      };
      out.set(iv.deviceId, t);
      boots.set(iv.deviceId, new Set());
    }
    addCounters(t.counters, iv.delta);
    t.observedMs += iv.durationMs;
    t.intervals++;
    boots.get(iv.deviceId)!.add(iv.bootId);
    t.boots = boots.get(iv.deviceId)!.size;
    const start = iv.startMs ?? iv.endMs;
    t.firstMs = t.firstMs === null ? start : Math.min(t.firstMs, start);
    t.lastMs = t.lastMs === null ? iv.endMs : Math.max(t.lastMs, iv.endMs);
  }
  return out;
}
