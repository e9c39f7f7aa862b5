/**
 * Integer simulation of a QuantizedModel, following TFLite Micro's reference int8 kernels
 * (FullyConnected/Conv per-channel, MaxPool, AveragePool). Bit-exact with TFLM for those ops.
 * Softmax is computed in float and requantized: TFLM's int8 softmax uses a fixed-point exp
 * approximation, so the softmax output may differ by 1 LSB (the only place we allow a difference).
 */
import type { QOp, QuantizedModel } from '../graph/quantized-model';
import { activationRange, multiplyByQuantizedMultiplier, quantizeMultiplier, type Multiplier } from './quant-math';

function multipliers(op: {
  input: { q: { scale: number } };
  output: { q: { scale: number } };
  weightScales: number[];
}): Multiplier[] {
  // TFLM computes the effective scale in double from the float32 scales stored in the model.
  return op.weightScales.map((ws) => quantizeMultiplier((op.input.q.scale * ws) / op.output.q.scale));
}

const cache = new WeakMap<QOp, Multiplier[]>();
function opMultipliers(op: Extract<QOp, { weightScales: number[] }>): Multiplier[] {
  let m = cache.get(op);
  if (!m) {
    m = multipliers(op);
    cache.set(op, m);
  }
  return m;
}

function runOp(op: QOp, x: Int8Array): Int8Array {
  switch (op.kind) {
    case 'fully_connected': {
      const outUnits = op.bias.length;
      const inUnits = x.length;
      const out = new Int8Array(outUnits);
      const m = opMultipliers(op);
      const [lo, hi] = activationRange(op.activation, op.output.q);
      const zx = op.input.q.zeroPoint;
      for (let o = 0; o < outUnits; o++) {
        let acc = op.bias[o];
        const base = o * inUnits;
        for (let i = 0; i < inUnits; i++) acc += op.weights[base + i] * (x[i] - zx);
        const v = multiplyByQuantizedMultiplier(acc, m[o]) + op.output.q.zeroPoint;
        out[o] = Math.max(lo, Math.min(hi, v));
      }
      return out;
    }
    case 'conv2d': {
      const [, h, w, c] = op.input.shape;
      const [, oh, ow, oc] = op.output.shape;
      const k = op.kernel;
      const pad = op.padding === 'same' ? (k - 1) >> 1 : 0;
      const out = new Int8Array(oh * ow * oc);
      const m = opMultipliers(op);
      const [lo, hi] = activationRange(op.activation, op.output.q);
      const zx = op.input.q.zeroPoint;
      // Shift the input by its zero point once; padded positions contribute 0 (= zero point), as in TFLM.
      const xs = new Int32Array(x.length);
      for (let i = 0; i < x.length; i++) xs[i] = x[i] - zx;
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let f = 0; f < oc; f++) {
            let acc = op.bias[f];
            for (let ky = 0; ky < k; ky++) {
              const iy = oy + ky - pad;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < k; kx++) {
                const ix = ox + kx - pad;
                if (ix < 0 || ix >= w) continue;
                const xb = (iy * w + ix) * c;
                const wb = ((f * k + ky) * k + kx) * c;
                for (let ic = 0; ic < c; ic++) acc += op.weights[wb + ic] * xs[xb + ic];
              }
            }
            const v = multiplyByQuantizedMultiplier(acc, m[f]) + op.output.q.zeroPoint;
            out[(oy * ow + ox) * oc + f] = Math.max(lo, Math.min(hi, v));
          }
      return out;
    }
    case 'maxpool':
    case 'avgpool': {
      const [, , w, c] = op.input.shape;
      const [, oh, ow] = op.output.shape;
      const s = op.size;
      const out = new Int8Array(oh * ow * c);
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          for (let ch = 0; ch < c; ch++) {
            let acc = op.kind === 'maxpool' ? -128 : 0;
            for (let ky = 0; ky < s; ky++)
              for (let kx = 0; kx < s; kx++) {
                const v = x[((oy * s + ky) * w + ox * s + kx) * c + ch];
                acc = op.kind === 'maxpool' ? Math.max(acc, v) : acc + v;
              }
            if (op.kind === 'avgpool') {
              const n = s * s;
              // TFLM: round half away from zero with C++ truncating division.
              acc = acc > 0 ? Math.trunc((acc + (n >> 1)) / n) : Math.trunc((acc - (n >> 1)) / n);
            }
            out[(oy * ow + ox) * c + ch] = Math.max(-128, Math.min(127, acc));
          }
      return out;
    }
    case 'reshape':
      return x;
    case 'softmax': {
      const { scale: si, zeroPoint: zi } = op.input.q;
      let max = -Infinity;
      for (const v of x) max = Math.max(max, v);
      const e = Array.from(x, (v) => Math.exp((v - max) * si));
      const sum = e.reduce((a, b) => a + b, 0);
      void zi;
      return Int8Array.from(e, (v) => Math.max(-128, Math.min(127, Math.round((v / sum) * 256) - 128)));
    }
  }
}

/** Run one int8 example; returns every op's output (the last is the model output). */
export function simulateInt8(model: QuantizedModel, input: Int8Array): Int8Array[] {
  const outs: Int8Array[] = [];
  let x = input;
  for (const op of model.ops) {
    x = runOp(op, x);
    outs.push(x);
  }
  return outs;
}

/** Output of the op before softmax (logits, int8), used for exact accuracy. */
export function simulateLogits(model: QuantizedModel, input: Int8Array): Int8Array {
  const outs = simulateInt8(model, input);
  const last = model.ops[model.ops.length - 1].kind === 'softmax' ? outs.length - 2 : outs.length - 1;
  return outs[last];
}
