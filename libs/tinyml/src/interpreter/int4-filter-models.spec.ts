/**
 * Int4 filters in a whole reference graph: mlperf_tiny_kws (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED) with
 * every filter narrowed to the int4 range (w >> 4), once stored as int8 and once packed as int4. No TFLM output
 * exists for such a model, so the check is the equivalence TFLM's own int4 path rests on: unpacking, then the
 * int8 kernel, gives the int8 model's tensors byte for byte, after every op and on every host path.
 */
import * as fs from 'node:fs';
import { Interpreter, loadModel } from '../index';
import { INT4_FILTER_INPUT, INT4_FILTER_OPS } from '../kernels/int4-filter';
import type { Model } from '../model/model.types';
import { packInt4 } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';

const ref = loadReferenceModel('mlperf_tiny_kws');
const bytes = new Uint8Array(fs.readFileSync(ref.modelFile));

/** The model with each filter's values shifted into [-8, 7], stored as int8 or packed as int4. */
function narrowedFilters(dtype: 'int8' | 'int4'): { model: Model; filters: number[] } {
  const model = loadModel(bytes);
  const filters = [
    ...new Set(model.operators.filter((n) => INT4_FILTER_OPS.has(n.opName)).map((n) => n.inputs[INT4_FILTER_INPUT])),
  ];
  for (const index of filters) {
    const t = model.tensors[index];
    const data = t.data as Uint8Array;
    const narrowed = Array.from(new Int8Array(data.buffer, data.byteOffset, t.elementCount), (w) => w >> 4);
    t.data = dtype === 'int8' ? new Uint8Array(Int8Array.from(narrowed).buffer) : packInt4(narrowed);
    t.dtype = dtype;
    t.byteLength = t.data.length;
  }
  return { model, filters };
}

/** Every op's output bytes for the recorded input. */
function run(model: Model, wasm: boolean): Buffer[] {
  const interpreter = new Interpreter(model, { wasm });
  interpreter.allocate();
  interpreter.input(0).bytes.set(fs.readFileSync(ref.cases[0].inputFiles[0]));
  const outputs: Buffer[] = [];
  interpreter.invoke({ afterOp: (_k, outs) => outs.forEach(([, b]) => outputs.push(Buffer.from(b))) });
  return outputs;
}

describe('mlperf_tiny_kws with int4 filters', () => {
  const int8 = narrowedFilters('int8');
  const int4 = narrowedFilters('int4');

  it('has filters of all three ops, and runs them as int4', () => {
    const ops = new Set(int4.model.operators.filter((n) => int4.filters.includes(n.inputs[1])).map((n) => n.opName));
    expect([...ops].sort()).toEqual(['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED']);
    expect(int4.filters.every((i) => int4.model.tensors[i].dtype === 'int4')).toBe(true);
  });

  it.each([true, false])('equals the int8-stored model after every op (wasm %s)', (wasm) => {
    const expected = run(int8.model, wasm);
    const actual = run(int4.model, wasm);
    expect(actual.length).toBe(int8.model.operators.length);
    actual.forEach((b, k) => expect({ op: k, equal: b.equals(expected[k]) }).toEqual({ op: k, equal: true }));
  });

  it('counts one int8 scratch buffer per int4 filter, the size of the unpacked filter', () => {
    const interpreter = new Interpreter(int4.model);
    interpreter.allocate();
    const scratch = interpreter.memory.ops.map((o) => o.scratchBytes);
    const expected = int4.model.operators.map((n) =>
      INT4_FILTER_OPS.has(n.opName) ? int4.model.tensors[n.inputs[1]].elementCount : 0,
    );
    expect(scratch).toEqual(expected);
    const reference = new Interpreter(int8.model);
    reference.allocate();
    const [a, b] = [reference.memory, interpreter.memory];
    // Every conv of DS-CNN runs at the activation peak (input + output, 8,000 B each), so the largest unpacked
    // filter (64 x 64 pointwise: 4,096 B) is what the scratch buffers add; the others fit beside it.
    expect(b.activationsBytes).toBe(a.activationsBytes);
    expect(b.scratchBytes).toBe(Math.max(...scratch));
    expect(b.scratchBytes).toBe(4096);
    // Nine ScratchBufferHandles (36 B) before the 16-aligned input pointer array: two more 16-byte steps.
    expect(b.persistentBytes - a.persistentBytes).toBe(32);
    expect(b.totalBytes).toBe(a.totalBytes + 4096 + 32);
  });
});
