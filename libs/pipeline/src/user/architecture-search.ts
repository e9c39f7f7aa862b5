/**
 * Architecture search for a target device: short seeded training runs over the architecture space,
 * each candidate quantized (PTQ) and exported so its flash, device RAM, MACs, latency and energy
 * are the real ones of the .tflite a node would run. Keeps the candidates that fit the device, and
 * picks the most accurate (objective `accuracy`) or the one with the fewest joules per day, compute
 * and radio together, at an accuracy floor (objective `energy`). Choices use the validation split only.
 */
import type { Preprocessing } from '@tinyfleet/artifact';
import { inferenceStrideSamples } from '@tinyfleet/datasets';
import { exportQuantized } from '../export/tflite-export';
import { buildQuantizedModel } from '../quant/ptq';
import { applyPreprocessing, fitPreprocessing, inputQuant } from '../preprocess';
import { renderTable } from '../report-table';
import { simulateLogits } from '../quant/int-simulator';
import { quantizeInput } from '../stages/evaluate';
import { silentProgress, type ProgressSink } from '../train/progress-bar';
import { FloatModel } from '../train/float-model';
import { argmaxRows } from '../train/metrics';
import { SeededRandom } from '../train/seeded-random';
import { calibrateRanges, trainModel } from '../train/train-loop';
import { architectureSpace, architectureSpec, describeArchitecture, type Architecture } from './architecture-space';
import { deviceCost, TargetError, type DeviceCost, type DeviceTarget } from './device-target';
import type { InputChoice, UserDataset } from './user-dataset';

export type SearchObjective = 'accuracy' | 'energy';

export interface SearchOptions {
  base: InputChoice;
  target: DeviceTarget;
  objective: SearchObjective;
  /** Objective `energy`: lowest validation accuracy (0..1) a candidate may have. */
  minAccuracy?: number;
  /** At most this many trials, and/or stop starting new ones after this many minutes. */
  budget: { trials?: number; minutes?: number };
  /** Only the base input (no half window / resolution). */
  keepInput?: boolean;
  epochs: number;
  seed: number;
  /** Images: frames per day the node classifies (time series: from the sample interval and stride). */
  framesPerDay: number;
  progress?: ProgressSink;
}

export interface Trial extends DeviceCost {
  index: number;
  architecture: Architecture;
  valAccuracy: number;
  eventsPerInference: number;
  inferencesPerDay: number;
  pareto: boolean;
}

export interface SearchResult {
  trials: Trial[];
  chosen: Trial;
  /** The most accurate trial with the chosen one's input, when more accurate than it (a distillation teacher). */
  teacher: Trial | null;
  spaceSize: number;
  objective: SearchObjective;
  assumptions: string[];
}

const BATCH = 32;
const LEARNING_RATE = 3e-3;

/** Share of consecutive predictions (in recording order) that change class: the on-change event rate. */
function changeRate(pred: Int32Array): number {
  let changes = 0;
  for (let i = 1; i < pred.length; i++) if (pred[i] !== pred[i - 1]) changes++;
  return pred.length > 1 ? changes / (pred.length - 1) : 1;
}

function inferencesPerDay(data: UserDataset, p: Preprocessing, framesPerDay: number): number {
  if (data.kind === 'images' || !data.sampleIntervalSeconds) return framesPerDay;
  return 86_400 / (data.sampleIntervalSeconds * inferenceStrideSamples(p));
}

function runTrial(data: UserDataset, a: Architecture, o: SearchOptions, index: number): Trial {
  const splits = data.splits(a.input);
  const p = fitPreprocessing(data.template(a.input), splits.train);
  const train = applyPreprocessing(p, splits.train);
  const val = applyPreprocessing(p, splits.val);
  const spec = architectureSpec(data, a);
  const model = FloatModel.init(spec, o.seed + index);
  try {
    trainModel(model, train, {
      epochs: o.epochs,
      batchSize: BATCH,
      learningRate: LEARNING_RATE,
      seed: o.seed + index,
      label: `trial ${index + 1}`,
      progress: silentProgress,
    });
    const n = Math.min(500, train.n);
    const f = train.x.length / train.n;
    const ranges = calibrateRanges(model, train.x.subarray(0, n * f), n);
    const qm = buildQuantizedModel(spec, model.getParams(), inputQuant(p), ranges);
    const pred = new Int32Array(val.n);
    const vf = val.x.length / val.n;
    let correct = 0;
    for (let i = 0; i < val.n; i++) {
      pred[i] = argmaxRows(
        simulateLogits(qm, quantizeInput(qm, val.x.subarray(i * vf, (i + 1) * vf))),
        spec.classes,
      )[0];
      if (pred[i] === val.y[i]) correct++;
    }
    // A motion-triggered camera reports every frame; a time series reports when its class changes.
    const eventsPerInference = data.kind === 'images' ? 1 : changeRate(pred);
    const perDay = inferencesPerDay(data, p, o.framesPerDay);
    const cost = deviceCost(exportQuantized(qm, 'search candidate').bytes, o.target, perDay, eventsPerInference);
    return {
      index,
      architecture: a,
      valAccuracy: correct / Math.max(1, val.n),
      eventsPerInference,
      inferencesPerDay: perDay,
      pareto: false,
      ...cost,
    };
  } finally {
    model.dispose();
  }
}

/**
 * Pareto-optimal among the trials that fit: no other fitting trial is at least as good on accuracy,
 * RAM, flash, latency and J/day and better on one. A trial that does not fit is never on the front.
 */
export function markPareto(trials: Trial[]): void {
  const key = (t: Trial) => [-t.valAccuracy, t.ramBytes, t.flashBytes, t.latencyMs, t.joulesPerDay];
  const fitting = trials.filter((t) => t.fits);
  for (const t of trials) {
    const k = key(t);
    t.pareto =
      t.fits &&
      !fitting.some((o) => {
        if (o === t) return false;
        const ko = key(o);
        return ko.every((v, i) => v <= k[i]) && ko.some((v, i) => v < k[i]);
      });
  }
}

export function runSearch(data: UserDataset, o: SearchOptions): SearchResult {
  const space = architectureSpace(o.base).filter(
    (a) => !o.keepInput || JSON.stringify(a.input) === JSON.stringify(o.base),
  );
  const order = new SeededRandom(o.seed).permutation(space.length);
  const maxTrials = Math.min(space.length, o.budget.trials ?? space.length);
  const deadline = o.budget.minutes !== undefined ? Date.now() + o.budget.minutes * 60_000 : Infinity;
  const progress = o.progress ?? silentProgress;
  const trials: Trial[] = [];
  for (let k = 0; k < maxTrials && (k === 0 || Date.now() < deadline); k++) {
    const t = runTrial(data, space[order[k]], o, k);
    trials.push(t);
    const best = Math.max(...trials.filter((x) => x.fits).map((x) => x.valAccuracy), 0);
    progress.update('search', k + 1, maxTrials, { 'best fitting val acc': best });
    progress.epochEnd('search trial', k + 1, maxTrials, {
      'val acc': t.valAccuracy,
      'RAM kB': t.ramBytes / 1024,
      'J/day': t.joulesPerDay,
    });
  }
  markPareto(trials);
  const fitting = trials.filter((t) => t.fits);
  if (fitting.length === 0)
    throw new TargetError(
      `no candidate fits ${o.target.mcu.id}: ${trials
        .slice(0, 3)
        .map((t) => `${describeArchitecture(t.architecture)}: ${t.misses.join(', ')}`)
        .join('; ')} (${o.target.notes})`,
    );
  let chosen: Trial;
  if (o.objective === 'energy') {
    const floor = o.minAccuracy ?? 0;
    const ok = fitting.filter((t) => t.valAccuracy >= floor);
    if (ok.length === 0)
      throw new TargetError(
        `no fitting candidate reaches the accuracy floor ${(floor * 100).toFixed(1)} % (best ${(Math.max(...fitting.map((t) => t.valAccuracy)) * 100).toFixed(1)} %); lower --min-accuracy or raise --budget`,
      );
    chosen = ok.reduce((a, b) => (b.joulesPerDay < a.joulesPerDay ? b : a));
  } else {
    chosen = fitting.reduce((a, b) =>
      b.valAccuracy > a.valAccuracy || (b.valAccuracy === a.valAccuracy && b.joulesPerDay < a.joulesPerDay) ? b : a,
    );
  }
  const sameInput = trials.filter(
    (t) => JSON.stringify(t.architecture.input) === JSON.stringify(chosen.architecture.input) && t !== chosen,
  );
  const best = sameInput.reduce<Trial | null>((a, b) => (!a || b.valAccuracy > a.valAccuracy ? b : a), null);
  return {
    trials,
    chosen,
    teacher: best && best.valAccuracy > chosen.valAccuracy ? best : null,
    spaceSize: space.length,
    objective: o.objective,
    assumptions: [
      `each trial: ${o.epochs} epoch(s) from seed ${o.seed}+trial, int8 PTQ, accuracy on the validation split (never the test split); trial order seeded (${o.seed}), so the same budget in trials gives the same table${o.budget.minutes !== undefined ? ` — a budget in minutes (${o.budget.minutes}) runs as many trials as the machine finishes` : ''}`,
      `RAM = interpreter device memory (tensor arena) and flash of the exported int8 .tflite (libs/tinyml); latency and µJ/inference: libs/energy inferenceCost(${o.target.mcu.id}, CMSIS-NN class kernels)`,
      `J/day = inferences/day × µJ/inference + events/day × one ${o.target.radio.id} event message (34 B CBOR, QoS 1, libs/energy messageCost); events/day: ${data.kind === 'images' ? 'every frame reported' : 'predicted-class changes along the validation split in recording order (on-change reporting)'}; sensing, sleep and keep-alives are the same for every candidate and left out`,
      data.kind === 'images'
        ? `${o.framesPerDay} frames per day`
        : `one sample every ${data.sampleIntervalSeconds} s; inference stride as the node runs it`,
      `fits: ${o.target.notes}${Number.isFinite(o.target.maxLatencyMs) ? `; latency ≤ ${o.target.maxLatencyMs} ms` : ''}`,
    ],
  };
}

export function paretoTable(r: SearchResult): string {
  const rows = r.trials.map((t) => [
    `${t === r.chosen ? '*' : ' '}${t.index + 1}`,
    describeArchitecture(t.architecture),
    (t.valAccuracy * 100).toFixed(1),
    t.ramBytes.toLocaleString('en-US'),
    t.flashBytes.toLocaleString('en-US'),
    t.macs.toLocaleString('en-US'),
    t.latencyMs.toFixed(3),
    t.inferenceUj.toFixed(1),
    t.joulesPerDay.toFixed(3),
    t.fits ? 'yes' : t.misses.join('; '),
    t.pareto ? 'yes' : '',
  ]);
  return renderTable(
    [
      'trial',
      'architecture',
      'val acc %',
      'RAM B',
      'flash B',
      'MACs',
      'latency ms',
      'µJ/inf',
      'J/day',
      'fits',
      'pareto',
    ],
    rows,
  );
}
