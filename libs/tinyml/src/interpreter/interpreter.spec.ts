import * as fs from 'node:fs';
import { Interpreter, SUPPORTED_OPS, INTERPRETER_VERSION, loadModel } from '../index';
import { loadReferenceModel } from '../testing/reference-models';

describe('Interpreter', () => {
  const model = loadModel(new Uint8Array(fs.readFileSync(loadReferenceModel('mlperf_tiny_kws').modelFile)));

  it('exposes typed input/output views with quantization metadata', () => {
    const interpreter = new Interpreter(model);
    interpreter.allocate();
    const input = interpreter.input(0);
    expect(input.data).toBeInstanceOf(Int8Array);
    expect(input.shape).toEqual([1, 49, 10, 1]);
    expect(input.zeroPoint).toBe(83);
    expect(input.scale).toBeCloseTo(0.584702909, 8);
    expect(input.name).toBe('input_1');
    const output = interpreter.output(0);
    expect(output.dtype).toBe('int8');
    expect(output.shape).toEqual([1, 12]);
    expect(output.bytes.length).toBe(12);
  });

  it('profiles every op: MACs by the documented formulas, bytes, host time, totals', () => {
    const interpreter = new Interpreter(model);
    interpreter.invoke({ timeOps: true });
    const profile = interpreter.profile();
    expect(profile.ops.length).toBe(model.operators.length);
    const first = profile.ops[0];
    // KWS layer 0: CONV_2D 10x4 filter, stride 2x2, 49x10x1 -> 25x5x64.
    expect(first).toEqual(expect.objectContaining({ index: 0, op: 'CONV_2D', macs: 25 * 5 * 64 * 10 * 4 * 1 }));
    expect(first.bytesRead).toBe(490 + 64 * 10 * 4 + 64 * 4);
    expect(first.bytesWritten).toBe(25 * 5 * 64);
    const dw = profile.ops[1];
    expect(dw.op).toBe('DEPTHWISE_CONV_2D');
    expect(dw.macs).toBe(25 * 5 * 64 * 3 * 3);
    expect(profile.totals.macs).toBe(profile.ops.reduce((s, o) => s + o.macs, 0));
    expect(profile.totals.hostMs).toBeGreaterThan(0);
    expect(profile.ops.every((o) => o.hostMs >= 0)).toBe(true);
  });

  it('gives repeatable results across invokes on one interpreter (inputs rewritten each time, as in TFLM)', () => {
    const interpreter = new Interpreter(model);
    interpreter.input(0).data.fill(17);
    interpreter.invoke();
    const first = Array.from(interpreter.output(0).data);
    // Like TFLM, the arena reuses an input's memory once its last reader ran: write inputs before every invoke.
    interpreter.input(0).data.fill(17);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual(first);
  });

  it('publishes its version and supported ops', () => {
    expect(INTERPRETER_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    for (const op of ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX', 'ADD', 'MEAN', 'STRIDED_SLICE']) {
      expect(SUPPORTED_OPS).toContain(op);
    }
  });
});
