/**
 * BATCH_MATMUL (batch_matmul.cc, reference_ops::BatchMatMul): out[..., m, n] = sum_k A'[..., m, k] * B'[..., k, n]
 * with A' = adj_x ? A^T : A and B' = adj_y ? B^T : B over the last two dimensions, ranks 2 to 5, the leading
 * dimensions broadcast. float32 sums in float32 (k ascending, as the reference); int8 sums (b - zp_b) * (a - zp_a) in
 * int32 and int16 in int64 (zero points 0, as TFLM requires), then MultiplyByQuantizedMultiplier (the int64 variant
 * for int16) by s_a * s_b / s_out (the float32 product of the scales, GetQuantizedConvolutionMultipler) and clamps.
 * TFLM transposes its operands into persistent copies before multiplying; the host reads them in place (same
 * products in the same order), while the device figure counts what TFLM holds: OpDataBatchMatmul, the int8/int16
 * quantization struct, a TfLiteEvalTensor + dims + data copy of A when adj_x and of B unless adj_y, and the
 * relocated output dims.
 */
import { BUILTIN_DATA, OP_DATA, TFLITE_EVAL_TENSOR, intArrayBytes } from '../memory/device-layout';
import type { TensorInfo } from '../model/model.types';
import {
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierInt64,
  quantizeMultiplier,
} from '../quant/fixed-point';
import { scaleOf, typeRange, zeroPointOf } from '../quant/quant-params';
import { DTYPE_BYTES } from '../schema/tflite-schema';
import { sameShape } from './copy-common';
import type { Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const { fround: f32, max, min } = Math;
const LHS = 0;
const RHS = 1;
const OUTPUT = 0;
const OPT = { adjX: 0, adjY: 1 };
const MAX_RANK = 5;

interface BatchMatMulData {
  kind: 'float32' | 'int8' | 'int16';
  /** Output batch dimensions (three, leading 1s) and the element strides of A and B per batch dim (0: broadcast). */
  batch: [number, number, number];
  lhsStride: [number, number, number];
  rhsStride: [number, number, number];
  m: number;
  n: number;
  k: number;
  /** Element steps of A' along m and k, B' along k and n (encode adj_x / adj_y). */
  aStepM: number;
  aStepK: number;
  bStepK: number;
  bStepN: number;
  lhsOffset: number;
  rhsOffset: number;
  outputOffset: number;
  multiplier: number;
  shift: number;
  actMin: number;
  actMax: number;
}

/** The shape padded with leading 1s to `rank`. */
function extend(shape: readonly number[], rank: number): number[] {
  return [...Array<number>(rank - shape.length).fill(1), ...shape];
}

/** Element strides of the three leading batch dimensions of a 5-D shape; 0 where the dimension is 1. */
function batchStrides(shape5: number[]): [number, number, number] {
  const matrix = shape5[3] * shape5[4];
  return [
    shape5[0] === 1 ? 0 : shape5[1] * shape5[2] * matrix,
    shape5[1] === 1 ? 0 : shape5[2] * matrix,
    shape5[2] === 1 ? 0 : matrix,
  ];
}

/** TFLM's transposed operand copy: a TfLiteEvalTensor, its dims and a full data copy, each 16-aligned. */
function declareTransposedCopy(ctx: PrepareContext, t: TensorInfo, what: string): void {
  ctx.memory.addStruct(TFLITE_EVAL_TENSOR, 'init');
  ctx.memory.addArray(`${what} dims`, intArrayBytes(t.shape.length));
  ctx.memory.addArray(`${what} data`, t.elementCount * DTYPE_BYTES[t.dtype]);
}

export const batchMatMulKernel: Kernel<BatchMatMulData> = {
  op: 'BATCH_MATMUL',
  types: ['float32', 'int8', 'int16'],
  prepare(ctx: PrepareContext): Prepared<BatchMatMulData> {
    ctx.builtinData(BUILTIN_DATA.batchMatMul);
    ctx.opData(OP_DATA.batchMatMul);
    const lhs = ctx.input(LHS);
    const rhs = ctx.input(RHS);
    const output = ctx.output(OUTPUT);
    if (rhs.dtype !== lhs.dtype || output.dtype !== lhs.dtype)
      ctx.unsupported(`${lhs.dtype} x ${rhs.dtype} -> ${output.dtype} (all three must match)`, rhs.dtype);
    const kind = lhs.dtype as BatchMatMulData['kind'];
    for (const t of [lhs, rhs])
      if (t.shape.length < 2 || t.shape.length > MAX_RANK) ctx.unsupported(`rank ${t.shape.length} (2 to ${MAX_RANK})`);
    const adjX = ctx.options?.bool(OPT.adjX) ?? false;
    const adjY = ctx.options?.bool(OPT.adjY) ?? false;
    let multiplier = 0;
    let shift = 0;
    let actMin = 0;
    let actMax = 0;
    if (kind !== 'float32') {
      ctx.persistentArray('int32', 7, 'QuantizationOpDataBatchMatmul');
      if (kind === 'int16' && (zeroPointOf(lhs) !== 0 || zeroPointOf(rhs) !== 0 || zeroPointOf(output) !== 0))
        ctx.fail('int16 BATCH_MATMUL needs zero points 0');
      const q = quantizeMultiplier(f32(scaleOf(lhs) * scaleOf(rhs)) / scaleOf(output));
      multiplier = q.multiplier;
      shift = q.shift;
      [actMin, actMax] = typeRange(kind);
    }
    if (adjX) declareTransposedCopy(ctx, lhs, 'transposed LHS');
    if (!adjY) declareTransposedCopy(ctx, rhs, 'transposed RHS');
    const outRank = max(lhs.shape.length, rhs.shape.length);
    const a = extend(lhs.shape, outRank);
    const b = extend(rhs.shape, outRank);
    const expected: number[] = [];
    for (let i = 0; i < outRank - 2; i++) {
      if (a[i] !== b[i] && a[i] !== 1 && b[i] !== 1)
        ctx.fail(`batch dimensions [${lhs.shape}] and [${rhs.shape}] do not broadcast`);
      expected.push(a[i] === 1 ? b[i] : a[i]);
    }
    const [aRows, aCols] = [a[outRank - 2], a[outRank - 1]];
    const [bRows, bCols] = [b[outRank - 2], b[outRank - 1]];
    const m = adjX ? aCols : aRows;
    const k = adjX ? aRows : aCols;
    const kB = adjY ? bCols : bRows;
    const n = adjY ? bRows : bCols;
    if (k !== kB) ctx.fail(`inner dimensions ${k} and ${kB} differ`);
    expected.push(m, n);
    if (!sameShape(output.shape, expected)) ctx.fail(`output shape [${output.shape}], expected [${expected}]`);
    ctx.persistentArray('int32', intArrayBytes(outRank) / 4, 'output dims');
    const a5 = extend(lhs.shape, MAX_RANK);
    const b5 = extend(rhs.shape, MAX_RANK);
    const out5 = extend(output.shape, MAX_RANK);
    return {
      data: {
        kind,
        batch: [out5[0], out5[1], out5[2]],
        lhsStride: batchStrides(a5),
        rhsStride: batchStrides(b5),
        m,
        n,
        k,
        aStepM: adjX ? 1 : aCols,
        aStepK: adjX ? aCols : 1,
        bStepK: adjY ? 1 : bCols,
        bStepN: adjY ? bCols : 1,
        lhsOffset: kind === 'float32' ? 0 : -zeroPointOf(lhs),
        rhsOffset: kind === 'float32' ? 0 : -zeroPointOf(rhs),
        outputOffset: kind === 'float32' ? 0 : zeroPointOf(output),
        multiplier,
        shift,
        actMin,
        actMax,
      },
      macs: output.elementCount * k,
    };
  },
  eval(d: BatchMatMulData, io: KernelIo): void {
    const a = io.inputs[LHS] as TensorData;
    const b = io.inputs[RHS] as TensorData;
    const output = io.outputs[OUTPUT];
    const { m, n, k, aStepM, aStepK, bStepK, bStepN, lhsOffset, rhsOffset } = d;
    let o = 0;
    for (let b0 = 0; b0 < d.batch[0]; b0++)
      for (let b1 = 0; b1 < d.batch[1]; b1++)
        for (let b2 = 0; b2 < d.batch[2]; b2++) {
          const aBase = b0 * d.lhsStride[0] + b1 * d.lhsStride[1] + b2 * d.lhsStride[2];
          const bBase = b0 * d.rhsStride[0] + b1 * d.rhsStride[1] + b2 * d.rhsStride[2];
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let ai = aBase + i * aStepM;
              let bi = bBase + j * bStepN;
              let total = 0;
              if (d.kind === 'float32') {
                for (let q = 0; q < k; q++, ai += aStepK, bi += bStepK) total = f32(total + f32(b[bi] * a[ai]));
                output[o++] = total;
                continue;
              }
              // int8: int32 sum (wraps as the C++ int32); int16: int64 sum (exact below 2^53).
              for (let q = 0; q < k; q++, ai += aStepK, bi += bStepK)
                total += (b[bi] + rhsOffset) * (a[ai] + lhsOffset);
              const scaled =
                d.kind === 'int8'
                  ? multiplyByQuantizedMultiplier(total | 0, d.multiplier, d.shift)
                  : multiplyByQuantizedMultiplierInt64(total, d.multiplier, d.shift);
              output[o++] = min(d.actMax, max(d.actMin, scaled + d.outputOffset));
            }
        }
  },
};
