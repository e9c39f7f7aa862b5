/**
 * The trainable float model: the ModelSpec's layers as tf variables, a forward pass written with tf
 * ops (so pruning masks, fake quantization and distillation fit in one place), and helpers to move
 * weights in and out as plain arrays.
 */
import type { FloatParams } from '../graph/float-params';
import { layerShapes, validateSpec, type Activation, type ModelSpec } from '../graph/model-spec';
import { asymmetricParams, type QuantParams } from '../quant/quant-math';
import type { ActivationRange } from '../quant/ptq';
import { SeededRandom } from './seeded-random';
import { tf } from './tf-backend';

/** Quantization-aware forward pass settings (fake quantization with straight-through gradients). */
export interface FakeQuantConfig {
  inputQ: QuantParams;
  /** Per layer output range (after activation), fixed from calibration. */
  ranges: ActivationRange[];
}

type GradFn = Parameters<typeof tf.customGrad>[0];

const fakeQuantWeights = tf.customGrad(((w: tf.Tensor) => {
  // Per output channel (last axis in tfjs layout), symmetric [-127, 127]: what the exporter will do.
  const axes = w.shape.slice(0, -1).map((_, i) => i);
  const scale = tf.maximum(tf.max(tf.abs(w), axes, true).div(127), 1e-12);
  const value = tf.clipByValue(tf.round(w.div(scale)), -127, 127).mul(scale);
  return { value, gradFunc: (dy: tf.Tensor) => dy };
}) as unknown as GradFn) as unknown as (w: tf.Tensor) => tf.Tensor;

function fakeQuantAct(x: tf.Tensor, q: QuantParams): tf.Tensor {
  const f = tf.customGrad(((t: tf.Tensor) => {
    const value = tf
      .clipByValue(tf.round(t.div(q.scale)).add(q.zeroPoint), -128, 127)
      .sub(q.zeroPoint)
      .mul(q.scale);
    return { value, gradFunc: (dy: tf.Tensor) => dy };
  }) as unknown as GradFn) as unknown as (t: tf.Tensor) => tf.Tensor;
  return f(x);
}

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  if (a === 'relu') return tf.relu(x);
  if (a === 'relu6') return tf.relu6(x);
  return x;
}

export class FloatModel {
  readonly kernels: (tf.Variable | null)[];
  readonly biases: (tf.Variable | null)[];
  /** Pruning masks (1 keep, 0 pruned) per layer, applied after every optimizer step. */
  masks: (tf.Tensor | null)[];

  private constructor(
    readonly spec: ModelSpec,
    params: FloatParams,
  ) {
    validateSpec(spec);
    const shapes = layerShapes(spec);
    this.kernels = shapes.map((s, i) => (s.kernel ? tf.variable(tf.tensor(params.kernels[i]!, s.kernel)) : null));
    this.biases = shapes.map((s, i) => (s.kernel ? tf.variable(tf.tensor1d(params.biases[i]!)) : null));
    this.masks = shapes.map(() => null);
  }

  /** He-normal init from a seeded PRNG (tf's own initializers are not seedable across backends). */
  static init(spec: ModelSpec, seed: number): FloatModel {
    const rng = new SeededRandom(seed);
    const shapes = layerShapes(spec);
    const kernels = shapes.map((s) => {
      if (!s.kernel) return null;
      const fanIn = s.kernel.slice(0, -1).reduce((a, b) => a * b, 1);
      const std = Math.sqrt(2 / fanIn);
      return Float32Array.from({ length: s.kernel.reduce((a, b) => a * b, 1) }, () => rng.normal() * std);
    });
    const biases = shapes.map((s) => (s.kernel ? new Float32Array(s.kernel[s.kernel.length - 1]) : null));
    return new FloatModel(spec, { kernels, biases });
  }

  trainableVariables(): tf.Variable[] {
    return [...this.kernels, ...this.biases].filter((v): v is tf.Variable => v !== null);
  }

  /** Logits; with `all`, every layer's output (for calibration). */
  forwardAll(x: tf.Tensor, fq?: FakeQuantConfig): tf.Tensor[] {
    const outs: tf.Tensor[] = [];
    let h = fq ? fakeQuantAct(x, fq.inputQ) : x;
    const shapes = layerShapes(this.spec);
    this.spec.layers.forEach((l, i) => {
      if (l.kind === 'dense' || l.kind === 'conv2d') {
        const k = fq ? fakeQuantWeights(this.kernels[i]!) : this.kernels[i]!;
        const z =
          l.kind === 'dense'
            ? tf.matMul(h as tf.Tensor2D, k as tf.Tensor2D)
            : tf.conv2d(h as tf.Tensor4D, k as tf.Tensor4D, 1, l.padding);
        h = activate(tf.add(z, this.biases[i]!), l.activation);
      } else if (l.kind === 'maxpool') h = tf.maxPool(h as tf.Tensor4D, l.size, l.size, 'valid');
      else if (l.kind === 'avgpool') h = tf.avgPool(h as tf.Tensor4D, l.size, l.size, 'valid');
      else h = tf.reshape(h, [-1, shapes[i].out[0]]);
      if (fq) h = fakeQuantAct(h, fqParams(fq, i, this.spec));
      outs.push(h);
    });
    return outs;
  }

  forward(x: tf.Tensor, fq?: FakeQuantConfig): tf.Tensor {
    const outs = this.forwardAll(x, fq);
    return outs[outs.length - 1];
  }

  applyMasks(): void {
    tf.tidy(() => {
      this.masks.forEach((m, i) => {
        if (m) this.kernels[i]!.assign(this.kernels[i]!.mul(m));
      });
    });
  }

  getParams(): FloatParams {
    return {
      kernels: this.kernels.map((k) => (k ? (k.dataSync() as Float32Array).slice() : null)),
      biases: this.biases.map((b) => (b ? (b.dataSync() as Float32Array).slice() : null)),
    };
  }

  setParams(p: FloatParams): void {
    this.kernels.forEach((k, i) => k?.assign(tf.tensor(p.kernels[i]!, k.shape)));
    this.biases.forEach((b, i) => b?.assign(tf.tensor(p.biases[i]!, b.shape)));
  }

  dispose(): void {
    for (const v of this.trainableVariables()) v.dispose();
    for (const m of this.masks) m?.dispose();
  }
}

/** The quantization parameters each layer's output gets in the exported model. */
export function fqParams(fq: FakeQuantConfig, layer: number, spec: ModelSpec): QuantParams {
  // Pooling and reshape keep their input's parameters (TFLite requires it), so walk back to the producer.
  let i = layer;
  while (i >= 0 && spec.layers[i].kind !== 'dense' && spec.layers[i].kind !== 'conv2d') i--;
  if (i < 0) return fq.inputQ;
  return asymmetricParams(fq.ranges[i].min, fq.ranges[i].max);
}
