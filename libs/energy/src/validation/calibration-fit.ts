import { KERNEL_KINDS, KernelCycles, KernelKind } from '../mcu/kernel-kinds';

export interface CalibrationPoint {
  /** MACs per kernel kind for the model measured. */
  readonly macs: Readonly<Record<KernelKind, number>>;
  /** Measured cycles for one inference (latency × clock). */
  readonly cycles: number;
}

export interface KernelFit {
  readonly table: KernelCycles;
  /** (predicted / measured − 1) per calibration point: the in-sample error. */
  readonly residuals: readonly number[];
}

type FittedKind = Exclude<KernelKind, 'elementwise'>;
const FITTED: readonly FittedKind[] = ['conv', 'depthwise', 'fully-connected'];

/**
 * Least-squares fit of cycles/MAC for conv, depthwise and fully-connected, minimising the squared
 * *relative* error per model (so the 0.26 M-MAC AD model weighs as much as the 12.5 M-MAC IC model).
 * `elementwise` is held at a given value: it is < 1 % of the cycles of every MLPerf model, so it cannot
 * be identified from them. A kind with no MACs in any point, or one that fits negative, is pinned to the
 * mean of the others and the rest refitted.
 */
export function fitKernelCycles(points: readonly CalibrationPoint[], elementwiseCycles: number): KernelFit {
  const pinned = new Map<FittedKind, number>();
  for (const kind of FITTED) if (points.every((p) => p.macs[kind] === 0)) pinned.set(kind, Number.NaN);
  let free = FITTED.filter((k) => !pinned.has(k));
  let solution = new Map<FittedKind, number>();
  for (let guard = 0; guard < FITTED.length; guard++) {
    solution = solveRelative(points, free, pinned, elementwiseCycles);
    const negative = free.filter((k) => (solution.get(k) ?? 0) <= 0);
    if (negative.length === 0) break;
    const positives = free.filter((k) => (solution.get(k) ?? 0) > 0).map((k) => solution.get(k)!);
    const fallback = positives.length ? positives.reduce((a, b) => a + b, 0) / positives.length : 1;
    for (const k of negative) pinned.set(k, fallback);
    free = free.filter((k) => !negative.includes(k));
  }
  const fittedValues = [...solution.values()].filter((v) => Number.isFinite(v));
  const meanFitted = fittedValues.length ? fittedValues.reduce((a, b) => a + b, 0) / fittedValues.length : 1;
  const value = (k: FittedKind) => {
    const v = solution.get(k) ?? pinned.get(k);
    return v === undefined || Number.isNaN(v) ? meanFitted : v;
  };
  const table: KernelCycles = {
    conv: value('conv'),
    depthwise: value('depthwise'),
    'fully-connected': value('fully-connected'),
    elementwise: elementwiseCycles,
  };
  const residuals = points.map((p) => predictCycles(p.macs, table) / p.cycles - 1);
  return { table, residuals };
}

export function predictCycles(macs: Readonly<Record<KernelKind, number>>, table: KernelCycles): number {
  return KERNEL_KINDS.reduce((sum, kind) => sum + macs[kind] * table[kind], 0);
}

/** Geometric-mean ratio measured / predicted: the one-number speed factor between two boards. */
export function fitScaleFactor(pairs: ReadonlyArray<{ predicted: number; measured: number }>): number {
  if (pairs.length === 0) throw new RangeError('fitScaleFactor needs at least one pair');
  const meanLog = pairs.reduce((s, p) => s + Math.log(p.measured / p.predicted), 0) / pairs.length;
  return Math.exp(meanLog);
}

// Minimise Σ (Σ_k a_ik c_k − b_i)² with a_ik = macs_k / cycles_i and b_i = 1 − (pinned work)/cycles_i.
function solveRelative(
  points: readonly CalibrationPoint[],
  free: readonly FittedKind[],
  pinned: ReadonlyMap<FittedKind, number>,
  elementwiseCycles: number,
): Map<FittedKind, number> {
  const n = free.length;
  const normal = Array.from({ length: n }, () => new Array<number>(n + 1).fill(0));
  for (const p of points) {
    let fixedCycles = p.macs.elementwise * elementwiseCycles;
    for (const [k, v] of pinned) if (Number.isFinite(v)) fixedCycles += p.macs[k] * v;
    const row = free.map((k) => p.macs[k] / p.cycles);
    const rhs = 1 - fixedCycles / p.cycles;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) normal[a][b] += row[a] * row[b];
      normal[a][n] += row[a] * rhs;
    }
  }
  const x = gaussianSolve(normal);
  return new Map(free.map((k, i) => [k, x[i]]));
}

function gaussianSolve(augmented: number[][]): number[] {
  const n = augmented.length;
  const m = augmented.map((r) => [...r]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    if (Math.abs(m[col][col]) < 1e-300) throw new RangeError('calibration is singular: kinds not identifiable');
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / m[i][i]);
}
