/**
 * EMBEDDING_LOOKUP (embedding_lookup.cc): output row i = row ids[i] of the value table (input 1, rank >= 2, rows
 * along dimension 0). float32 -> float32 and int8 -> int8 copy the rows; int8 -> float32 ("hybrid") dequantizes
 * them as (q - 0) * scale in float32 (the table must have zero point 0, as TFLM requires). The ids are runtime
 * data: one outside the table raises InvokeError (TFLM's Eval returns kTfLiteError). Prepare relocates the output
 * dims and allocates OpData {float scale, size_t num_columns}.
 */
import { intArrayBytes, OP_DATA } from '../memory/device-layout';
import type { OperatorInfo } from '../model/model.types';
import { scaleOf, zeroPointOf } from '../quant/quant-params';
import { sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';
import { invokeFailure } from './kernel.types';

const { fround: f32 } = Math;
const IDS = 0;
const VALUE = 1;
const OUTPUT = 0;

interface EmbeddingLookupData {
  node: OperatorInfo;
  rows: number;
  columns: number;
  /** int8 table into float32 output: the table scale; null for a plain row copy. */
  dequantizeScale: number | null;
}

export const embeddingLookupKernel: Kernel<EmbeddingLookupData> = {
  op: 'EMBEDDING_LOOKUP',
  types: ['float32', 'int8'],
  prepare(ctx: PrepareContext): Prepared<EmbeddingLookupData> {
    const ids = ctx.input(IDS);
    const value = ctx.input(VALUE);
    const output = ctx.output(OUTPUT);
    ctx.expectType(ids, ['int32'], 'ids');
    if (ids.shape.length !== 1) ctx.fail(`ids must be a vector, has shape [${ids.shape}]`);
    if (value.shape.length < 2) ctx.fail(`value table must have at least 2 dimensions, has [${value.shape}]`);
    const hybrid = value.dtype === 'int8' && output.dtype === 'float32';
    if (output.dtype !== value.dtype && !hybrid) ctx.unsupported(`${value.dtype} -> ${output.dtype}`, value.dtype);
    if (hybrid && zeroPointOf(value) !== 0) ctx.fail('an int8 table dequantized to float32 needs zero point 0');
    const expected = [ids.shape[0], ...value.shape.slice(1)];
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    ctx.persistentArray('int32', intArrayBytes(output.shape.length) / 4, 'output dims');
    // TFLM allocates it in Prepare, after the dims; every AllocatePersistentBuffer is 16-aligned either way.
    ctx.opData(OP_DATA.embeddingLookup);
    const rows = value.shape[0];
    return {
      data: {
        node: ctx.node,
        rows,
        columns: rows === 0 ? 0 : value.elementCount / rows,
        dequantizeScale: hybrid ? scaleOf(value) : null,
      },
    };
  },
  eval(d: EmbeddingLookupData, io: KernelIo): void {
    const ids = io.inputs[IDS] as Int32Array;
    const value = io.inputs[VALUE] as TensorData;
    const output = io.outputs[OUTPUT];
    if (d.rows === 0) return;
    const { columns, dequantizeScale: scale } = d;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < 0 || id >= d.rows) invokeFailure(d.node, `id ${id} outside the table's rows [0, ${d.rows})`);
      let o = i * columns;
      for (let k = id * columns, end = k + columns; k < end; k++)
        output[o++] = scale === null ? value[k] : f32(value[k] * scale);
    }
  },
};
