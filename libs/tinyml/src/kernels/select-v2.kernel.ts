/**
 * SELECT_V2 (select.cc, reference_ops::Select / BroadcastSelect5DSlow): output = condition ? x : y element by
 * element, the three inputs broadcast NumPy-style onto the output (up to 5 dimensions). The condition is bool; x, y
 * and the output share one type: float32, int8, int16, int32, uint8, bool or int64 (the union of TFLM's select.cc
 * versions: the first, 0ed11bec, registers all seven, later ones float32 / int8 / int16; a pure copy, so every
 * version that accepts a type gives the same bytes; README "Types where TFLM versions differ").
 * Init allocates the 2-byte OpData (requires_broadcast, has_low_rank_input_condition). No builtin options.
 */
import { OP_DATA } from '../memory/device-layout';
import type { TensorInfo } from '../model/model.types';
import { sameShape, viewUnits } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const CONDITION = 0;
const X = 1;
const Y = 2;
const OUTPUT = 0;
const MAX_DIMS = 5;

interface SelectData {
  count: number;
  /** View elements per tensor element (int64: 8 bytes). */
  unit: number;
  /** Input element index of each output element for condition, x and y; null when all shapes are equal. */
  indices: [Int32Array, Int32Array, Int32Array] | null;
}

/** Input index of every output element for each of `inputs` broadcast onto `outShape` (host-only tables). */
function broadcastIndices(ctx: PrepareContext, inputs: TensorInfo[], outShape: number[]): Int32Array[] {
  const rank = outShape.length;
  const count = outShape.reduce((p, d) => p * d, 1);
  return inputs.map((t, k) => {
    const shape = [...Array<number>(rank - t.shape.length).fill(1), ...t.shape];
    const strides = new Array<number>(rank).fill(0);
    for (let i = rank - 1, acc = 1; i >= 0; acc *= shape[i], i--) strides[i] = shape[i] === 1 ? 0 : acc;
    const index = ctx.hostOnly(new Int32Array(count), `broadcast index of input ${k}`);
    const counter = new Array<number>(rank).fill(0);
    let src = 0;
    for (let o = 0; o < count; o++) {
      index[o] = src;
      for (let d = rank - 1; d >= 0; d--) {
        counter[d]++;
        src += strides[d];
        if (counter[d] < outShape[d]) break;
        src -= strides[d] * counter[d];
        counter[d] = 0;
      }
    }
    return index;
  });
}

export const selectV2Kernel: Kernel<SelectData> = {
  op: 'SELECT_V2',
  types: ['float32', 'int8', 'int16', 'int32', 'uint8', 'bool', 'int64'],
  prepare(ctx: PrepareContext): Prepared<SelectData> {
    ctx.opData(OP_DATA.select);
    const condition = ctx.input(CONDITION);
    const x = ctx.input(X);
    const y = ctx.input(Y);
    const output = ctx.output(OUTPUT);
    ctx.expectType(condition, ['bool'], 'condition');
    if (y.dtype !== x.dtype || output.dtype !== x.dtype) ctx.fail(`x ${x.dtype}, y ${y.dtype}, output ${output.dtype}`);
    const inputs = [condition, x, y];
    if (inputs.every((t) => sameShape(t.shape, output.shape)))
      return { data: { count: output.elementCount, unit: viewUnits(x.dtype), indices: null } };
    // CalculateShapeForBroadcast over the three inputs.
    const rank = Math.max(...inputs.map((t) => t.shape.length));
    if (rank > MAX_DIMS) ctx.unsupported(`${rank} dimensions (at most ${MAX_DIMS})`);
    const padded = inputs.map((t) => [...Array<number>(rank - t.shape.length).fill(1), ...t.shape]);
    const outShape: number[] = [];
    for (let i = 0; i < rank; i++) {
      const dims = padded.map((s) => s[i]);
      const d = Math.max(...dims);
      if (dims.some((v) => v !== 1 && v !== d))
        ctx.fail(`shapes ${inputs.map((t) => `[${t.shape}]`).join(', ')} do not broadcast`);
      outShape.push(d);
    }
    // A single-element select may keep its own (e.g. rank-0) output shape, as TFLM's Prepare allows.
    const scalar = inputs.every((t) => t.elementCount === 1) && output.elementCount === 1;
    if (!scalar && !sameShape(output.shape, outShape))
      ctx.fail(`output shape [${output.shape}], broadcast gives [${outShape}]`);
    const [c, xi, yi] = broadcastIndices(ctx, inputs, scalar ? [1] : outShape);
    return { data: { count: output.elementCount, unit: viewUnits(x.dtype), indices: [c, xi, yi] } };
  },
  eval(d: SelectData, io: KernelIo): void {
    const condition = io.inputs[CONDITION] as Uint8Array;
    const x = io.inputs[X] as TensorData;
    const y = io.inputs[Y] as TensorData;
    const output = io.outputs[OUTPUT];
    const { unit, indices } = d;
    for (let i = 0; i < d.count; i++) {
      const from = (indices === null ? condition[i] : condition[indices[0][i]]) ? x : y;
      const src = (indices === null ? i : from === x ? indices[1][i] : indices[2][i]) * unit;
      for (let u = 0; u < unit; u++) output[i * unit + u] = from[src + u];
    }
  },
};
