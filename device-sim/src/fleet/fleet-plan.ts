import type { BatteryId, McuId, RadioId } from '@tinyfleet/energy';
import { UCI_EXPOSURE_INTERVAL_MS } from '../streams/gas.stream';
import { NodeStreamKind, STREAM_KINDS, StreamKind } from '../streams/stream-catalog';

export interface NodeSpec {
  hardwareId: string;
  stream: NodeStreamKind;
  /** Index among the nodes of its stream: picks build, farm and replay offset. */
  index: number;
  mcu?: McuId;
  radio?: RadioId;
  battery?: BatteryId;
  bufferCapacity?: number;
  /** Where in the recording the node starts replaying (default: spread by its hardware id). */
  streamOffset?: number;
}

/**
 * `soil:40,gas:30,doorbell:30` → share per stream kind. `gas` is split evenly between the SmellNet
 * fruit stream and the UCI drift (ethylene) stream; the specific kinds may be named too.
 */
export function parseMix(mix: string): Map<StreamKind, number> {
  const shares = new Map<StreamKind, number>();
  const add = (k: StreamKind, w: number) => shares.set(k, (shares.get(k) ?? 0) + w);
  for (const part of mix
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z-]+):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`--mix: "${part}" is not name:weight (e.g. soil:40)`);
    const w = Number(m[2]);
    if (m[1] === 'gas') {
      add('gas-fruit', w / 2);
      add('gas-ethylene', w / 2);
    } else if ((STREAM_KINDS as readonly string[]).includes(m[1])) add(m[1] as StreamKind, w);
    else throw new Error(`--mix: unknown stream "${m[1]}" (soil, gas, gas-fruit, gas-ethylene, doorbell)`);
  }
  const total = [...shares.values()].reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('--mix: weights add up to 0');
  return shares;
}

/** N nodes split by the mix (largest remainder), with stable hardware ids `<fleet>-<stream>-<i>`. */
export function planFleet(fleetName: string, devices: number, mix: string): NodeSpec[] {
  const shares = parseMix(mix);
  const total = [...shares.values()].reduce((a, b) => a + b, 0);
  const exact = [...shares].map(([k, w]) => ({ k, n: (devices * w) / total }));
  const counts = exact.map((e) => ({ k: e.k, n: Math.floor(e.n), rem: e.n - Math.floor(e.n) }));
  let left = devices - counts.reduce((a, c) => a + c.n, 0);
  for (const c of [...counts].sort((a, b) => b.rem - a.rem)) if (left-- > 0) c.n++;
  const specs: NodeSpec[] = [];
  for (const c of counts)
    for (let i = 0; i < c.n; i++) specs.push({ hardwareId: `${fleetName}-${c.k}-${i}`, stream: c.k, index: i });
  return specs;
}

/**
 * The gas-ethylene nodes of `specs` start `leadMs` of virtual time before UCI replay row `row` (e.g.
 * the first row of a batch), node i one exposure further in than node i − 1, so a whole cohort
 * crosses into that batch within its first hour instead of each node somewhere in the recording.
 */
export function startGasNodesBefore(specs: NodeSpec[], row: number, leadMs: number): NodeSpec[] {
  const lead = Math.round(leadMs / UCI_EXPOSURE_INTERVAL_MS);
  if (lead > row)
    throw new Error(`a lead of ${lead} exposures reaches back before the first UCI row (${row} before it)`);
  return specs.map((s) => (s.stream === 'gas-ethylene' ? { ...s, streamOffset: row - lead + s.index } : s));
}

/** Parse `90s`, `15m`, `2h`, `1d`, or plain ms. */
export function parseDurationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a duration (e.g. 90s, 15m, 2h, 1d)`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
  return Number(m[1]) * mult;
}
