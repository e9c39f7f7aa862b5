import { inspectModel, Interpreter, loadModel } from '@tinyfleet/tinyml';
import { checkParity } from '../stages/export.stage';
import { layerShapes, type ModelSpec } from '../graph/model-spec';
import { buildQuantizedModel } from '../quant/ptq';
import { simulateInt8 } from '../quant/int-simulator';
import { exportFloat, exportQuantized } from './tflite-export';

const spec: ModelSpec = {
  inputShape: [10, 10, 3],
  classes: 4,
  layers: [
    { kind: 'conv2d', filters: 5, kernel: 3, padding: 'same', activation: 'relu' },
    { kind: 'maxpool', size: 2 },
    { kind: 'conv2d', filters: 6, kernel: 3, padding: 'valid', activation: 'relu6' },
    { kind: 'avgpool', size: 3 },
    { kind: 'flatten' },
    { kind: 'dense', units: 7, activation: 'relu' },
    { kind: 'dense', units: 4, activation: 'none' },
  ],
};

function randomModel(seed: number) {
  let s = seed;
  const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647) * 2 - 1;
  const shapes = layerShapes(spec);
  const params = {
    kernels: shapes.map((l) =>
      l.kernel ? Float32Array.from({ length: l.kernel.reduce((a, b) => a * b, 1) }, () => rnd() * 0.5) : null,
    ),
    biases: shapes.map((l) =>
      l.kernel ? Float32Array.from({ length: l.kernel[l.kernel.length - 1] }, () => rnd() * 0.2) : null,
    ),
  };
  const ranges = [
    { min: 0, max: 2.5 },
    { min: 0, max: 2.5 },
    { min: 0, max: 4 },
    { min: 0, max: 4 },
    { min: 0, max: 4 },
    { min: 0, max: 3 },
    { min: -4, max: 5 },
  ];
  const qm = buildQuantizedModel(spec, params, { scale: 0.02, zeroPoint: -3 }, ranges);
  const inputs = Array.from({ length: 12 }, () => Int8Array.from({ length: 300 }, () => Math.round(rnd() * 127)));
  return { params, qm, inputs };
}

describe('.tflite export', () => {
  it('writes a TFL3 flatbuffer with TFLite conventions that tinyml loads', () => {
    const { qm } = randomModel(5);
    const { bytes, weightTensors } = exportQuantized(qm, 'spec');
    expect(String.fromCharCode(...bytes.subarray(4, 8))).toBe('TFL3');
    const model = loadModel(bytes);
    const conv = model.tensors[weightTensors[0].index];
    expect(conv.shape).toEqual([5, 3, 3, 3]); // CONV_2D filters [out, kh, kw, in]
    const fc = model.tensors[weightTensors[2].index];
    expect(fc.shape).toEqual([7, 6]); // FULLY_CONNECTED weights [out, in]
    const { ops, inputs, outputs } = inspectModel(bytes);
    expect(ops).toEqual({ CONV_2D: 2, MAX_POOL_2D: 1, AVERAGE_POOL_2D: 1, RESHAPE: 1, FULLY_CONNECTED: 2, SOFTMAX: 1 });
    expect(inputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 10, 10, 3], zeroPoint: -3 });
    expect(outputs[0]).toMatchObject({ dtype: 'int8', shape: [1, 4], scale: 1 / 256, zeroPoint: -128 });
  });

  it('tinyml equals the integer simulation on every intermediate tensor; softmax within 1 LSB', () => {
    for (const seed of [1, 2, 3]) {
      const { qm, inputs } = randomModel(seed);
      const parity = checkParity(exportQuantized(qm, 'spec').bytes, qm, inputs);
      expect(parity.maxIntermediateDiff).toBe(0);
      expect(parity.maxOutputDiff).toBeLessThanOrEqual(1);
      // The check is not vacuous: the activations vary across inputs.
      const outs = inputs.map((x) => simulateInt8(qm, x)[5].join(','));
      expect(new Set(outs).size).toBeGreaterThan(1);
    }
  });

  it('the float32 export runs in tinyml and its probabilities sum to 1', () => {
    const { params } = randomModel(9);
    const bytes = exportFloat(spec, params, 'f').bytes;
    const it = new Interpreter(loadModel(bytes), {});
    it.input(0).data.set(Float32Array.from({ length: 300 }, (_, i) => Math.sin(i)));
    it.invoke();
    const p = Array.from(it.output(0).data as Float32Array);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});
