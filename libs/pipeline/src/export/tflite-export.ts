/** QuantizedModel (int8) or float params -> WriterGraph -> .tflite bytes, in TFLite's layouts. */
import type { FloatParams } from '../graph/float-params';
import { toTfliteLayout } from '../graph/float-params';
import { layerShapes, type Activation, type ModelSpec } from '../graph/model-spec';
import type { QTensor, QuantizedModel } from '../graph/quantized-model';
import {
  OPTIONS_TYPE,
  writeTflite,
  type OptionField,
  type WriterGraph,
  type WriterOp,
  type WriterTensor,
  type WrittenModel,
} from './tflite-writer';

const FUSED: Record<Activation, number> = { none: 0, relu: 1, relu6: 3 };
const PADDING = { same: 0, valid: 1 } as const;

function bytesOf(a: Int8Array | Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

function convOptions(padding: 'same' | 'valid', activation: Activation): OptionField[] {
  return [
    { id: 0, type: 'i8', value: PADDING[padding] },
    { id: 1, type: 'i32', value: 1 },
    { id: 2, type: 'i32', value: 1 },
    { id: 3, type: 'i8', value: FUSED[activation] },
    { id: 4, type: 'i32', value: 1 },
    { id: 5, type: 'i32', value: 1 },
  ];
}

function poolOptions(size: number): OptionField[] {
  return [
    { id: 0, type: 'i8', value: PADDING.valid },
    { id: 1, type: 'i32', value: size },
    { id: 2, type: 'i32', value: size },
    { id: 3, type: 'i32', value: size },
    { id: 4, type: 'i32', value: size },
  ];
}

export interface ExportedModel extends WrittenModel {
  /** Tensor indices of int8 weight tensors (what the Huffman stage codes), with names. */
  weightTensors: { index: number; name: string }[];
}

export function exportQuantized(qm: QuantizedModel, description: string): ExportedModel {
  const tensors: WriterTensor[] = [];
  const act = (t: QTensor): number => {
    tensors.push({
      name: t.name,
      dtype: 'int8',
      shape: t.shape,
      quant: { scales: [t.q.scale], zeroPoints: [t.q.zeroPoint], dimension: 0 },
    });
    return tensors.length - 1;
  };
  const ops: WriterOp[] = [];
  const weightTensors: { index: number; name: string }[] = [];
  let current = act(qm.input);
  const inputIndex = current;
  qm.ops.forEach((op, i) => {
    const prefix = `layer${i}_${op.kind}`;
    if (op.kind === 'fully_connected' || op.kind === 'conv2d') {
      const outCh = op.bias.length;
      const wShape =
        op.kind === 'fully_connected'
          ? [outCh, op.weights.length / outCh]
          : [outCh, op.kernel, op.kernel, op.input.shape[3]];
      tensors.push({
        name: `${prefix}/weights`,
        dtype: 'int8',
        shape: wShape,
        data: bytesOf(op.weights),
        quant: { scales: op.weightScales, zeroPoints: op.weightScales.map(() => 0), dimension: 0 },
      });
      const w = tensors.length - 1;
      weightTensors.push({ index: w, name: `${prefix}/weights` });
      const biasScales = op.weightScales.map((ws) => Math.fround(op.input.q.scale * ws));
      tensors.push({
        name: `${prefix}/bias`,
        dtype: 'int32',
        shape: [outCh],
        data: bytesOf(op.bias),
        quant: { scales: biasScales, zeroPoints: biasScales.map(() => 0), dimension: 0 },
      });
      const bIdx = tensors.length - 1;
      const out = act(op.output);
      if (op.kind === 'fully_connected') {
        ops.push({
          op: 'FULLY_CONNECTED',
          inputs: [current, w, bIdx],
          outputs: [out],
          optionsType: OPTIONS_TYPE.FullyConnectedOptions,
          options: [{ id: 0, type: 'i8', value: FUSED[op.activation] }],
        });
      } else {
        ops.push({
          op: 'CONV_2D',
          inputs: [current, w, bIdx],
          outputs: [out],
          optionsType: OPTIONS_TYPE.Conv2DOptions,
          options: convOptions(op.padding, op.activation),
        });
      }
      current = out;
    } else if (op.kind === 'maxpool' || op.kind === 'avgpool') {
      const out = act(op.output);
      ops.push({
        op: op.kind === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
        inputs: [current],
        outputs: [out],
        optionsType: OPTIONS_TYPE.Pool2DOptions,
        options: poolOptions(op.size),
      });
      current = out;
    } else if (op.kind === 'reshape') {
      tensors.push({
        name: `${prefix}/shape`,
        dtype: 'int32',
        shape: [op.output.shape.length],
        data: bytesOf(Int32Array.from(op.output.shape)),
      });
      const shapeIdx = tensors.length - 1;
      const out = act(op.output);
      ops.push({ op: 'RESHAPE', inputs: [current, shapeIdx], outputs: [out] });
      current = out;
    } else {
      const out = act(op.output);
      ops.push({
        op: 'SOFTMAX',
        inputs: [current],
        outputs: [out],
        optionsType: OPTIONS_TYPE.SoftmaxOptions,
        options: [{ id: 0, type: 'f32', value: 1 }],
      });
      current = out;
    }
  });
  const graph: WriterGraph = { tensors, ops, inputs: [inputIndex], outputs: [current], description };
  return { ...writeTflite(graph), weightTensors };
}

/** The float32 model in the same graph structure (for the float32 size column and float checks). */
export function exportFloat(spec: ModelSpec, params: FloatParams, description: string): WrittenModel {
  const tensors: WriterTensor[] = [];
  const act = (name: string, shape: number[]): number => {
    tensors.push({ name, dtype: 'float32', shape: [1, ...shape] });
    return tensors.length - 1;
  };
  const ops: WriterOp[] = [];
  let current = act('input', spec.inputShape);
  const inputIndex = current;
  layerShapes(spec).forEach((shape, i) => {
    const l = spec.layers[i];
    const prefix = `layer${i}_${l.kind}`;
    if (l.kind === 'dense' || l.kind === 'conv2d') {
      const k = toTfliteLayout(params.kernels[i]!, shape.kernel!);
      const outCh = shape.kernel![shape.kernel!.length - 1];
      const wShape = l.kind === 'dense' ? [outCh, shape.kernel![0]] : [outCh, l.kernel, l.kernel, shape.kernel![2]];
      tensors.push({ name: `${prefix}/weights`, dtype: 'float32', shape: wShape, data: bytesOf(k) });
      const w = tensors.length - 1;
      tensors.push({ name: `${prefix}/bias`, dtype: 'float32', shape: [outCh], data: bytesOf(params.biases[i]!) });
      const bIdx = tensors.length - 1;
      const out = act(prefix, shape.out);
      ops.push(
        l.kind === 'dense'
          ? {
              op: 'FULLY_CONNECTED',
              inputs: [current, w, bIdx],
              outputs: [out],
              optionsType: OPTIONS_TYPE.FullyConnectedOptions,
              options: [{ id: 0, type: 'i8', value: FUSED[l.activation] }],
            }
          : {
              op: 'CONV_2D',
              inputs: [current, w, bIdx],
              outputs: [out],
              optionsType: OPTIONS_TYPE.Conv2DOptions,
              options: convOptions(l.padding, l.activation),
            },
      );
      current = out;
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool') {
      const out = act(prefix, shape.out);
      ops.push({
        op: l.kind === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D',
        inputs: [current],
        outputs: [out],
        optionsType: OPTIONS_TYPE.Pool2DOptions,
        options: poolOptions(l.size),
      });
      current = out;
    } else {
      tensors.push({
        name: `${prefix}/shape`,
        dtype: 'int32',
        shape: [2],
        data: bytesOf(Int32Array.from([1, shape.out[0]])),
      });
      const s = tensors.length - 1;
      const out = act(prefix, shape.out);
      ops.push({ op: 'RESHAPE', inputs: [current, s], outputs: [out] });
      current = out;
    }
  });
  const out = act('probabilities', [spec.classes]);
  ops.push({
    op: 'SOFTMAX',
    inputs: [current],
    outputs: [out],
    optionsType: OPTIONS_TYPE.SoftmaxOptions,
    options: [{ id: 0, type: 'f32', value: 1 }],
  });
  return writeTflite({ tensors, ops, inputs: [inputIndex], outputs: [out], description });
}
