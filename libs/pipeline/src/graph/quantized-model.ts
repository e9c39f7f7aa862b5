/** The int8 graph in TFLite conventions: what the exporter writes and the integer simulator runs. */
import type { Activation } from './model-spec';
import type { QuantParams } from '../quant/quant-math';

export interface QTensor {
  name: string;
  /** Full TFLite shape including batch 1. */
  shape: number[];
  q: QuantParams;
}

export type QOp =
  | {
      kind: 'fully_connected';
      input: QTensor;
      output: QTensor;
      /** [out, in] */
      weights: Int8Array;
      weightScales: number[];
      bias: Int32Array;
      activation: Activation;
    }
  | {
      kind: 'conv2d';
      input: QTensor;
      output: QTensor;
      /** [out, kh, kw, in] */
      weights: Int8Array;
      weightScales: number[];
      bias: Int32Array;
      kernel: number;
      padding: 'same' | 'valid';
      activation: Activation;
    }
  | { kind: 'maxpool' | 'avgpool'; input: QTensor; output: QTensor; size: number }
  | { kind: 'reshape'; input: QTensor; output: QTensor }
  | { kind: 'softmax'; input: QTensor; output: QTensor };

export interface QuantizedModel {
  input: QTensor;
  output: QTensor;
  ops: QOp[];
}

/** TFLite int8 softmax output convention. */
export const SOFTMAX_OUTPUT_Q: QuantParams = { scale: 1 / 256, zeroPoint: -128 };
