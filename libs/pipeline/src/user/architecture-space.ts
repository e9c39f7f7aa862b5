/**
 * The small architecture space the search explores for the user's data, and the ModelSpec of each
 * point. Time series: a dense network on the window (or its spectral bins) — width multiplier, depth,
 * window length. Images: a CNN of conv blocks (conv + ReLU + 2x2 max pool; stride-1 convolutions, see
 * model-spec.ts) — width multiplier, depth, kernel size, input resolution.
 */
import type { LayerSpec, ModelSpec } from '../graph/model-spec';
import type { InputChoice, UserDataset } from './user-dataset';

export interface Architecture {
  input: InputChoice;
  width: number;
  depth: number;
  /** Convolution kernel (images only). */
  kernel?: number;
}

export const WIDTHS = [0.5, 1, 2];
export const DEPTHS = [1, 2, 3];
export const KERNELS = [3, 5];
/** Dense units of the first hidden layer at width 1; each deeper layer halves. */
const BASE_UNITS = 32;
/** Filters of the first conv block at width 1; each deeper block doubles. */
const BASE_FILTERS = 8;

export function describeArchitecture(a: Architecture): string {
  const input =
    a.input.kind === 'window'
      ? `window ${a.input.window}${a.input.spectralBins ? ` (${a.input.spectralBins} bins)` : ''}`
      : `${a.input.size}px ${a.input.color}`;
  return `${input}, width ${a.width}, depth ${a.depth}${a.kernel ? `, kernel ${a.kernel}` : ''}`;
}

export function architectureSpec(data: UserDataset, a: Architecture): ModelSpec {
  const classes = data.labels.length;
  const inputShape = data.inputShape(a.input);
  const layers: LayerSpec[] = [];
  if (a.input.kind === 'window') {
    for (let d = 0; d < a.depth; d++)
      layers.push({
        kind: 'dense',
        units: Math.max(4, Math.round((BASE_UNITS * a.width) / 2 ** d)),
        activation: 'relu',
      });
  } else {
    let side = inputShape[0];
    for (let d = 0; d < a.depth && side >= 2; d++) {
      layers.push({
        kind: 'conv2d',
        filters: Math.max(2, Math.round(BASE_FILTERS * a.width * 2 ** d)),
        kernel: a.kernel ?? 3,
        padding: 'same',
        activation: 'relu',
      });
      layers.push({ kind: 'maxpool', size: 2 });
      side = Math.floor(side / 2);
    }
    layers.push({ kind: 'flatten' });
  }
  layers.push({ kind: 'dense', units: classes, activation: 'none' });
  return { inputShape, classes, layers };
}

/**
 * Every point of the space for the user's base input (the --window or --image-size given): window or
 * resolution at the base and at half of it.
 */
export function architectureSpace(base: InputChoice): Architecture[] {
  const out: Architecture[] = [];
  if (base.kind === 'window') {
    const windows = [...new Set([base.window, Math.max(4, Math.round(base.window / 2))])];
    for (const window of windows) {
      const bins = base.spectralBins ? Math.min(base.spectralBins, Math.floor(window / 2) + 1) : undefined;
      for (const width of WIDTHS)
        for (const depth of DEPTHS)
          out.push({ input: { ...base, window, ...(bins ? { spectralBins: bins } : {}) }, width, depth });
    }
  } else {
    const sizes = [...new Set([base.size, Math.max(8, Math.round(base.size / 2))])];
    for (const size of sizes)
      for (const width of WIDTHS)
        for (const depth of DEPTHS)
          for (const kernel of KERNELS) out.push({ input: { ...base, size }, width, depth, kernel });
  }
  return out;
}
