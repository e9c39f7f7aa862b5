/**
 * The fast paths (WebAssembly SIMD rows, and with wasm off the TypeScript paths: packed two-MACs-per-multiply,
 * blocked fallback for deep filters, depthwise padding buffer, FC packed / fallback) against a direct
 * transcription of TFLM's reference loops on random int8 data.
 */
import { lcg32 } from '@tinyfleet/random';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../quant/fixed-point';
import { runModel, TestModel } from '../testing/model-builder';

function lcg(seed: number): (n: number) => number {
  const next = lcg32(seed);
  return (n) => next() % n;
}

interface ConvCase {
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  k: number;
  stride: number;
  same: boolean;
  depthwise?: boolean;
}

/** Reference conv / depthwise in the order of TFLM's reference kernels (skip taps outside the image). */
function referenceConv(
  c: ConvCase,
  input: number[],
  filter: number[],
  bias: number[],
  inZp: number,
  outZp: number,
  mult: number[],
): number[] {
  const outH = c.same ? Math.ceil(c.inH / c.stride) : Math.floor((c.inH - c.k) / c.stride) + 1;
  const outW = c.same ? Math.ceil(c.inW / c.stride) : Math.floor((c.inW - c.k) / c.stride) + 1;
  const padH = c.same ? Math.max(0, Math.trunc(((outH - 1) * c.stride + c.k - c.inH) / 2)) : 0;
  const padW = c.same ? Math.max(0, Math.trunc(((outW - 1) * c.stride + c.k - c.inW) / 2)) : 0;
  const out: number[] = [];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let oc = 0; oc < c.outC; oc++) {
        let acc = 0;
        for (let fy = 0; fy < c.k; fy++) {
          for (let fx = 0; fx < c.k; fx++) {
            const iy = oy * c.stride - padH + fy;
            const ix = ox * c.stride - padW + fx;
            if (iy < 0 || iy >= c.inH || ix < 0 || ix >= c.inW) continue;
            if (c.depthwise) {
              const ic = Math.floor(oc / (c.outC / c.inC));
              acc += filter[(fy * c.k + fx) * c.outC + oc] * (input[(iy * c.inW + ix) * c.inC + ic] - inZp);
            } else {
              for (let ic = 0; ic < c.inC; ic++) {
                acc +=
                  filter[((oc * c.k + fy) * c.k + fx) * c.inC + ic] * (input[(iy * c.inW + ix) * c.inC + ic] - inZp);
              }
            }
          }
        }
        acc += bias[oc];
        const { multiplier, shift } = quantizeMultiplier(mult[oc]);
        out.push(Math.min(127, Math.max(-128, multiplyByQuantizedMultiplier(acc, multiplier, shift) + outZp)));
      }
    }
  }
  return out;
}

function convCase(wasm: boolean, c: ConvCase, seed: number): { got: number[]; want: number[] } {
  const r = lcg(seed);
  const inZp = r(256) - 128;
  const outZp = r(256) - 128;
  const input = Array.from({ length: c.inH * c.inW * c.inC }, () => r(256) - 128);
  const filterLen = c.depthwise ? c.k * c.k * c.outC : c.outC * c.k * c.k * c.inC;
  const filter = Array.from({ length: filterLen }, () => r(256) - 128);
  const bias = Array.from({ length: c.outC }, () => r(20001) - 10000);
  const inScale = 0.05;
  const filterScales = Array.from({ length: c.outC }, () => 0.001 + r(1000) / 100000);
  const outScale = 0.5 + r(100) / 10;
  const outH = c.same ? Math.ceil(c.inH / c.stride) : Math.floor((c.inH - c.k) / c.stride) + 1;
  const outW = c.same ? Math.ceil(c.inW / c.stride) : Math.floor((c.inW - c.k) / c.stride) + 1;
  const m: TestModel = {
    tensors: [
      { shape: [1, c.inH, c.inW, c.inC], dtype: 'int8', scale: inScale, zeroPoint: inZp },
      {
        shape: c.depthwise ? [1, c.k, c.k, c.outC] : [c.outC, c.k, c.k, c.inC],
        dtype: 'int8',
        data: filter,
        scale: filterScales,
        zeroPoint: filterScales.map(() => 0),
        quantizedDimension: c.depthwise ? 3 : 0,
      },
      { shape: [c.outC], dtype: 'int32', data: bias },
      { shape: [1, outH, outW, c.outC], dtype: 'int8', scale: outScale, zeroPoint: outZp },
    ],
    ops: [
      {
        op: c.depthwise ? 'DEPTHWISE_CONV_2D' : 'CONV_2D',
        inputs: [0, 1, 2],
        outputs: [3],
        options: c.depthwise
          ? [
              { id: 0, i8: c.same ? 0 : 1 },
              { id: 1, i32: c.stride },
              { id: 2, i32: c.stride },
              { id: 3, i32: c.outC / c.inC },
            ]
          : [
              { id: 0, i8: c.same ? 0 : 1 },
              { id: 1, i32: c.stride },
              { id: 2, i32: c.stride },
            ],
      },
    ],
    inputs: [0],
    outputs: [3],
  };
  // Effective scales as the kernel computes them: float32 scales widened to double.
  const f32 = (x: number): number => Math.fround(x);
  const mult = filterScales.map((s) => (f32(inScale) * f32(s)) / f32(outScale));
  return { got: runModel(m, [input], { wasm }), want: referenceConv(c, input, filter, bias, inZp, outZp, mult) };
}

describe.each([[true], [false]])('conv fast paths equal the reference loops (wasm %s)', (wasm) => {
  it.each([
    ['packed 1x1', { inH: 5, inW: 7, inC: 16, outC: 11, k: 1, stride: 1, same: false }],
    ['packed 3x3 SAME stride 2, odd sizes', { inH: 9, inW: 6, inC: 3, outC: 9, k: 3, stride: 2, same: true }],
    ['fallback (depth 1152 > packing bound)', { inH: 4, inW: 5, inC: 128, outC: 7, k: 3, stride: 1, same: true }],
  ] as [string, ConvCase][])('CONV_2D %s', (_n, c) => {
    const { got, want } = convCase(wasm, c, 11);
    expect(got).toEqual(want);
  });

  it.each([
    ['3x3 SAME stride 1', { inH: 7, inW: 6, inC: 5, outC: 5, k: 3, stride: 1, same: true, depthwise: true }],
    ['3x3 SAME stride 2', { inH: 8, inW: 9, inC: 4, outC: 4, k: 3, stride: 2, same: true, depthwise: true }],
    ['5x5 VALID multiplier 2', { inH: 8, inW: 8, inC: 3, outC: 6, k: 5, stride: 1, same: false, depthwise: true }],
    [
      'one input channel (runs as CONV_2D)',
      { inH: 10, inW: 8, inC: 1, outC: 8, k: 3, stride: 2, same: true, depthwise: true },
    ],
  ] as [string, ConvCase][])('DEPTHWISE_CONV_2D %s', (_n, c) => {
    const { got, want } = convCase(wasm, c, 23);
    expect(got).toEqual(want);
  });
});

describe.each([[true], [false]])('FULLY_CONNECTED fast paths equal the reference loop (wasm %s)', (wasm) => {
  it.each([
    ['packed, 17 outputs (odd, tail pairs)', 40, 17, 0],
    ['fallback: weights zero point != 0', 33, 6, 3],
    ['fallback: 2100 inputs > packing bound', 2100, 5, 0],
  ] as [string, number, number, number][])('%s', (_n, inUnits, outUnits, wZp) => {
    const r = lcg(inUnits * 31 + outUnits);
    const inZp = r(256) - 128;
    const input = Array.from({ length: inUnits }, () => r(256) - 128);
    const weights = Array.from({ length: inUnits * outUnits }, () => r(256) - 128);
    const bias = Array.from({ length: outUnits }, () => r(2001) - 1000);
    const m: TestModel = {
      tensors: [
        { shape: [1, inUnits], dtype: 'int8', scale: 0.02, zeroPoint: inZp },
        { shape: [outUnits, inUnits], dtype: 'int8', data: weights, scale: 0.003, zeroPoint: wZp },
        { shape: [outUnits], dtype: 'int32', data: bias },
        { shape: [1, outUnits], dtype: 'int8', scale: 0.7, zeroPoint: 5 },
      ],
      ops: [{ op: 'FULLY_CONNECTED', inputs: [0, 1, 2], outputs: [3] }],
      inputs: [0],
      outputs: [3],
    };
    const { multiplier, shift } = quantizeMultiplier((Math.fround(0.02) * Math.fround(0.003)) / Math.fround(0.7));
    const want = Array.from({ length: outUnits }, (_, o) => {
      let acc = 0;
      for (let i = 0; i < inUnits; i++) acc += (weights[o * inUnits + i] - wZp) * (input[i] - inZp);
      acc += bias[o];
      return Math.min(127, Math.max(-128, multiplyByQuantizedMultiplier(acc, multiplier, shift) + 5));
    });
    expect(runModel(m, [input], { wasm })).toEqual(want);
  });
});
