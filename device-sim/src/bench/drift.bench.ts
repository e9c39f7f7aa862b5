/**
 * `npm run bench:drift` — how early and how reliably the label-free drift signal (up/summary +
 * libs/drift, as the platform judges it) flags a model going wrong, against the ground truth the
 * simulator knows. A virtual week on real sim nodes, models and streams, driven by a virtual clock
 * as fast as the host runs (no platform: the nodes' up/summary bytes are decoded and judged the way
 * DriftMonitor does — hourly verdicts over the last 24 h, thresholds of libs/drift).
 *
 * Scenarios: gas-ethylene v1 (trained on UCI batches 1–6) on nodes that reach the later, drifted
 * batches mid-week; a doorbell fleet running person_detect packaged with the wrong input scale
 * (pixels/255 instead of (pixel − 127)/127.5: a classic skew between training and firmware); and a
 * healthy doorbell fleet. JSON on stdout. Not a test.
 */
import {
  DEFAULT_MARGIN_Q,
  assessDrift,
  foldInputStats,
  sumSignals,
  SummaryAccumulator,
  type WindowSignals,
} from '@tinyfleet/drift';
import type { ArtifactManifest } from '@tinyfleet/artifact';
import { BATTERY_PROFILES, MCU_PROFILES, messageCost, RADIO_PROFILES } from '@tinyfleet/energy';
import { readIdxImages } from '@tinyfleet/datasets';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import { decodeInferenceSummaryV1, SUMMARY_MAX_CHANNELS, type DownlinkKind, type UplinkKind } from '@tinyfleet/wire';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findCachedArtifact, loadPersonDetectArtifact, type ModelArtifact } from '../inference/model-artifact';
import { SharedModel } from '../inference/shared-model';
import { defaultDataDir, defaultModelCacheDir, REPO_ROOT } from '../fleet/fleet-setup';
import { MemorySeqStore, type NodeUplink } from '../node/node-ports';
import { SimNode } from '../node/sim-node';
import { loadDoorbellStream } from '../streams/doorbell.stream';
import { loadUciDriftStream } from '../streams/gas.stream';
import type { SensorStream } from '../streams/sensor-stream';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
const WINDOW = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 23);
const RADIO = RADIO_PROFILES['nrf52840-ble-1m'];
const NODES = Number(process.argv[process.argv.indexOf('--nodes') + 1]) || 4;

/** Acknowledges every publish at once and keeps the summaries' bytes. */
class RecordingUplink implements NodeUplink {
  readonly connected = true;
  readonly generation = 1;
  readonly summaries: Uint8Array[] = [];
  bytes = 0;
  /** What the node's ledger charged for them (the same message cost it uses). */
  radioUj = 0;
  topicBytes(kind: UplinkKind): number {
    return `tinyfleet/v1/d/dev-0123456789ab/up/${kind}`.length;
  }
  downlinkTopicBytes(kind: DownlinkKind): number {
    return `tinyfleet/v1/d/dev-0123456789ab/down/${kind}`.length;
  }
  publish(kind: UplinkKind, payload: Uint8Array): Promise<unknown> {
    if (kind === 'summary') {
      this.summaries.push(payload);
      this.bytes += payload.byteLength;
      this.radioUj += messageCost(RADIO, {
        payloadBytes: payload.byteLength,
        direction: 'up',
        qos: 1,
        topicBytes: this.topicBytes(kind),
      }).energyUj;
    }
    return Promise.resolve();
  }
}

interface Scenario {
  name: string;
  stream: SensorStream;
  model: SharedModel;
  /** The model's shipped reference, or the cohort's own first 24 h (what the platform uses without one). */
  reference: WindowSignals | 'first-window';
  referenceSource: string;
  offsets: number[];
  /** When the model is known (from the data) to be wrong: null = never (healthy). */
  truthOnsetMs: (nodes: SimNode[]) => number | null;
}

async function main(): Promise<void> {
  const dataDir = process.env.FLEET_DATA_DIR ?? defaultDataDir();
  process.env.FLEET_DATA_DIR = dataDir;
  const results = [];
  for (const s of scenarios(dataDir)) results.push(await run(s));
  console.log(JSON.stringify({ assumptions: ASSUMPTIONS, results }, null, 2));
}

const ASSUMPTIONS = [
  'virtual week from 2026-11-23T00:00Z; status (and so up/summary) hourly, the firmware default',
  'verdicts every virtual hour over the last 24 h of the cohort (all its nodes), thresholds of libs/drift: PSI > 0.25, JS > 0.1 bit, input shift > 0.5 SD with p < 0.001, at least 200 inferences',
  'UCI: one exposure every 5 virtual minutes (gas.stream.ts [ASSUME]); doorbell: a motion frame every 10 virtual minutes on average (Poisson)',
  'energy: nRF52840 + BLE 1M, the node ledger (libs/energy) charges every up/summary like any uplink',
];

function scenarios(dataDir: string): Scenario[] {
  const uci = loadUciDriftStream();
  // The first exposure of a batch v1 never saw (7+): where the sim knows the model starts to be wrong.
  const batchOf = (i: number) => Number(/\(batch (\d+)\)/.exec(uci.describe(i))![1]);
  let firstUnseen = 0;
  while (batchOf(firstUnseen) <= 6) firstUnseen++;
  const exposuresPerDay = (24 * HOUR) / (5 * 60_000);
  // Nodes reach batch 7 about half-way through the week (a few hours apart).
  const gasOffsets = Array.from({ length: NODES }, (_, k) => firstUnseen - Math.round(3.5 * exposuresPerDay) + k * 12);
  const ethylene = ethyleneArtifact();
  const gasModel = new SharedModel(ethylene.artifact);
  const doorbell = loadDoorbellStream();
  const healthy = loadPersonDetectArtifact(dataDir);
  const broken: ModelArtifact = {
    ...healthy,
    version: '1.0.1-wrong-scale',
    preprocessing: {
      ...healthy.preprocessing,
      mean: [0],
      std: [255],
      notes: 'BUG: pixels/255 instead of (pixel − 127)/127.5',
    },
  };
  const doorRef = personDetectReference(healthy);
  const doorOffsets = Array.from({ length: NODES }, (_, k) => k * 37);
  const shuffled = loadUciDriftStream(undefined, { shuffledWithinBatches: true });
  const gas = (
    name: string,
    stream: SensorStream,
    reference: Scenario['reference'],
    referenceSource: string,
  ): Scenario => ({
    name,
    stream,
    model: gasModel,
    reference,
    referenceSource,
    offsets: gasOffsets,
    // The first node to reach batch 7, in virtual time (the shuffle keeps every row in its batch).
    truthOnsetMs: () => T0 + (firstUnseen - Math.max(...gasOffsets)) * 5 * 60_000,
  });
  return [
    gas(
      'gas-ethylene v1 on the UCI drift batches (exposures within a batch in random order)',
      shuffled,
      ethylene.reference,
      ethylene.source,
    ),
    gas(
      "gas-ethylene v1, exposures in random order within a batch, against the cohort's first 24 h",
      shuffled,
      'first-window',
      "the cohort's first 24 h (no manifest reference)",
    ),
    gas(
      'gas-ethylene v1, exposures in the file order (the UCI file groups each batch by gas)',
      uci,
      ethylene.reference,
      ethylene.source,
    ),
    {
      name: 'doorbell: person_detect packaged with the wrong input scale, rolled out at t = 0',
      stream: doorbell,
      model: new SharedModel(broken),
      reference: doorRef.signals,
      referenceSource: doorRef.source,
      offsets: doorOffsets,
      truthOnsetMs: () => T0,
    },
    {
      // What DRIFT_REFERENCE=first-window (the platform's default) gives up: a model wrong from its
      // first hour is its own reference. The rollout's drift gate still has the control side.
      name: "doorbell: person_detect with the wrong input scale, rolled out at t = 0, against the cohort's first 24 h",
      stream: doorbell,
      model: new SharedModel(broken),
      reference: 'first-window',
      referenceSource: "the cohort's first 24 h (no manifest reference)",
      offsets: doorOffsets,
      truthOnsetMs: () => T0,
    },
    {
      name: 'doorbell: person_detect, healthy',
      stream: doorbell,
      model: new SharedModel(healthy),
      reference: doorRef.signals,
      referenceSource: doorRef.source,
      offsets: doorOffsets,
      truthOnsetMs: () => null,
    },
  ];
}

/** gas-ethylene v1 as the fleet builds it (quick settings), with its manifest.monitoring reference. */
function ethyleneArtifact(): { artifact: ModelArtifact; reference: WindowSignals; source: string } {
  const cache = defaultModelCacheDir();
  let artifact = findCachedArtifact(cache, 'gas-ethylene');
  if (!artifact) {
    const out = path.join(cache, 'gas-ethylene', 'quick');
    const r = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'tinyfleet.js'), 'model', 'build', 'gas-ethylene', '--quick', '--out', out],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error(`model build gas-ethylene --quick failed (${r.status})`);
    artifact = findCachedArtifact(cache, 'gas-ethylene')!;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(artifact.source, 'manifest.json'), 'utf8')) as ArtifactManifest;
  if (!manifest.monitoring) throw new Error(`${artifact.source}: the manifest has no monitoring reference`);
  return {
    artifact,
    reference: manifest.monitoring.reference,
    source: `manifest.monitoring: ${manifest.monitoring.source}`,
  };
}

/**
 * person_detect's reference as the pipeline's reference stage would compute it: the int8 model on
 * libs/tinyml over held-back frames (the VWW train split, not the frames the nodes replay), with the
 * correct input rule (pixel − 128, TFLM's example).
 */
function personDetectReference(a: ModelArtifact, frames = 300): { signals: WindowSignals; source: string } {
  const img = readIdxImages('datasets/doorbell-camera/vww96-train-images-idx3-ubyte.gz');
  const interpreter = new Interpreter(loadModel(a.bytes));
  interpreter.allocate();
  const acc = new SummaryAccumulator(2, 1, DEFAULT_MARGIN_Q);
  const size = img.rows * img.cols;
  const n = Math.min(frames, img.count);
  const input = new Int8Array(size);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < size; k++) input[k] = img.pixels[i * size + k]! - 128;
    interpreter.input(0).data.set(input);
    interpreter.invoke();
    acc.add(input, interpreter.output(0).data);
  }
  return { signals: acc.snapshot(), source: `VWW train split, first ${n} frames, person_detect int8 on libs/tinyml` };
}

async function run(s: Scenario) {
  const nodes = s.offsets.map(
    (offset, k) =>
      new SimNode({
        hardwareId: `bench-${k}`,
        mcu: MCU_PROFILES.nrf52840,
        radio: RADIO,
        battery: BATTERY_PROFILES['aa-alkaline-2s'],
        stream: s.stream,
        streamOffset: offset,
        bootMs: T0,
        seed: 1000 + k,
        seqStore: new MemorySeqStore(),
        uplink: new RecordingUplink(),
        model: s.model,
      }),
  );
  for (const n of nodes) n.linkUp(T0);
  let reference =
    s.reference === 'first-window'
      ? null
      : { ...s.reference, inputStats: foldInputStats(s.reference.inputStats, SUMMARY_MAX_CHANNELS) };
  const windows: Array<{ atMs: number; signals: WindowSignals }> = [];
  const hourly: Array<{
    hour: number;
    verdict: string;
    psi: number | null;
    js: number | null;
    accuracyPct: number | null;
    /** Which signals breached (the words of assessDrift's reasons, without the figures). */
    signals: string[];
  }> = [];
  const seen = nodes.map(() => 0);
  let truthBefore = { inferences: 0, correct: 0 };
  const started = performance.now();
  for (let t = T0 + HOUR; t <= T0 + WEEK; t += HOUR) {
    for (const n of nodes) n.advance(t);
    // The PUBACKs (resolved publishes) land before the next hour: a node holds its next summary
    // while the previous one awaits its acknowledgement, as on a real link.
    await new Promise((r) => setImmediate(r));
    nodes.forEach((n, k) => {
      const up = n.uplink as RecordingUplink;
      for (; seen[k]! < up.summaries.length; seen[k]!++) {
        const m = decodeInferenceSummaryV1(up.summaries[seen[k]!]!);
        for (const model of m.models) windows.push({ atMs: m.timestampMs, signals: model });
      }
    });
    const current = sumSignals(windows.filter((w) => w.atMs > t - WINDOW && w.atMs <= t).map((w) => w.signals));
    // First-window reference: the cohort's first 24 h, judged from the hour after it (as DriftMonitor).
    if (!reference && t >= T0 + WINDOW) reference = current;
    const a =
      current && reference && t > T0 + (s.reference === 'first-window' ? WINDOW : 0)
        ? assessDrift(reference, current)
        : null;
    const truth = nodes.reduce(
      (acc, n) => {
        for (const v of Object.values(n.truth.accuracy())) {
          acc.inferences += v.inferences;
          acc.correct += v.correct;
        }
        return acc;
      },
      { inferences: 0, correct: 0 },
    );
    const dn = truth.inferences - truthBefore.inferences;
    hourly.push({
      hour: (t - T0) / HOUR,
      verdict: a?.verdict ?? 'insufficient-data',
      psi: a?.classMixPsi ?? null,
      js: a?.scoreJsBits ?? null,
      accuracyPct: dn > 0 ? (100 * (truth.correct - truthBefore.correct)) / dn : null,
      signals: (a?.reasons ?? []).map(signalOf),
    });
    truthBefore = truth;
  }
  const onsetMs = s.truthOnsetMs(nodes);
  const onsetHour = onsetMs === null ? null : (onsetMs - T0) / HOUR;
  const alarms = hourly.filter((h) => h.verdict === 'drift');
  const before = onsetHour === null ? alarms : alarms.filter((h) => h.hour < onsetHour);
  const after = onsetHour === null ? [] : alarms.filter((h) => h.hour >= onsetHour);
  const judged = hourly.filter((h) => h.verdict !== 'insufficient-data');
  const accuracy = (hs: typeof hourly) => {
    const xs = hs.map((h) => h.accuracyPct).filter((x): x is number => x !== null);
    return xs.length ? Number((xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)) : null;
  };
  const summaryBytes = nodes.reduce((a, n) => a + (n.uplink as RecordingUplink).bytes, 0);
  return {
    scenario: s.name,
    nodes: nodes.length,
    reference: s.referenceSource,
    truthOnsetHour: onsetHour,
    judgedHours: judged.length,
    /** Hourly verdicts of drift before the sim-known onset (or all week on a healthy fleet). */
    falseAlarmHours: before.length,
    trueAlarmHours: after.length,
    /** How many false- and true-alarm hours each signal breached in: which signal a false alarm comes from. */
    alarmSignals: { false: countSignals(before), true: countSignals(after) },
    missedHours: onsetHour === null ? 0 : judged.filter((h) => h.hour >= onsetHour && h.verdict !== 'drift').length,
    detectionDelayH: onsetHour === null || after.length === 0 ? null : after[0]!.hour - onsetHour,
    meanHourlyAccuracyPct: {
      beforeOnset: accuracy(onsetHour === null ? hourly : hourly.filter((h) => h.hour < onsetHour)),
      afterOnset: onsetHour === null ? null : accuracy(hourly.filter((h) => h.hour >= onsetHour)),
    },
    summaryBytesPerNodePerDay: Math.round(summaryBytes / nodes.length / 7),
    summaryRadioUjPerNodePerDay: Math.round(
      nodes.reduce((a, n) => a + (n.uplink as RecordingUplink).radioUj, 0) / nodes.length / 7,
    ),
    nodeRadioTxUjPerDay: Math.round(nodes.reduce((a, n) => a + n.ledger.exactTotals().radioTxUj, 0) / nodes.length / 7),
    inferencesPerNodePerDay: Math.round(nodes.reduce((a, n) => a + n.counters.inferences, 0) / nodes.length / 7),
    hostSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    series: hourly
      .filter((h) => h.hour % 6 === 0)
      .map((h) => [h.hour, h.verdict, round(h.psi), round(h.js), round(h.accuracyPct)]),
  };
}

/** "class mix PSI 0.274 > 0.25" → "class mix PSI"; "input channel 3 moved …" → "input shift". */
function signalOf(reason: string): string {
  return reason.startsWith('input channel') ? 'input shift' : reason.replace(/ [\d.]+.*$/, '');
}

function countSignals(hours: Array<{ signals: string[] }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of hours) for (const sig of new Set(h.signals)) out[sig] = (out[sig] ?? 0) + 1;
  return out;
}

function round(x: number | null): number | null {
  return x === null ? null : Number(x.toFixed(3));
}

void main();
