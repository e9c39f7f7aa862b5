/**
 * Float params + calibrated activation ranges -> QuantizedModel, the way the TFLite converter does
 * full-integer quantization: per-channel symmetric int8 weights, per-tensor asymmetric int8
 * activations, int32 biases with scale input_scale * weight_scale[c], activations fused into the
 * output range, pooling/reshape sharing their input's parameters, softmax output 1/256, -128.
 */
import { toTfliteLayout, type FloatParams } from '../graph/float-params';
import { layerShapes, type ModelSpec } from '../graph/model-spec';
import { SOFTMAX_OUTPUT_Q, type QOp, type QTensor, type QuantizedModel } from '../graph/quantized-model';
import { asymmetricParams, quantizePerChannel, type QuantParams } from './quant-math';

export interface ActivationRange {
  min: number;
  max: number;
}

export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: number[]): Int32Array {
  return Int32Array.from(bias, (b, c) => {
    const s = Math.fround(inputScale * weightScales[c]);
    return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(b / s)));
  });
}

/**
 * @param layerRanges per layer, the float range of its output after the activation (from calibration).
 * @param weightOverride optional already-quantized weights per layer (e.g. after k-means sharing).
 */
export function buildQuantizedModel(
  spec: ModelSpec,
  params: FloatParams,
  inputQ: QuantParams,
  layerRanges: ActivationRange[],
  weightOverride?: ({ q: Int8Array; scales: number[] } | null)[],
): QuantizedModel {
  const input: QTensor = {
    name: 'input',
    shape: [1, ...spec.inputShape],
    q: { scale: Math.fround(inputQ.scale), zeroPoint: inputQ.zeroPoint },
  };
  const ops: QOp[] = [];
  let current = input;
  layerShapes(spec).forEach((shape, i) => {
    const l = spec.layers[i];
    const name = `layer${i}_${l.kind}`;
    if (l.kind === 'dense' || l.kind === 'conv2d') {
      const outCh = shape.kernel![shape.kernel!.length - 1];
      const wq = weightOverride?.[i] ?? quantizePerChannel(toTfliteLayout(params.kernels[i]!, shape.kernel!), outCh);
      const output: QTensor = {
        name,
        shape: [1, ...shape.out],
        q: asymmetricParams(layerRanges[i].min, layerRanges[i].max),
      };
      const bias = quantizeBias(params.biases[i]!, current.q.scale, wq.scales);
      ops.push(
        l.kind === 'dense'
          ? {
              kind: 'fully_connected',
              input: current,
              output,
              weights: wq.q,
              weightScales: wq.scales,
              bias,
              activation: l.activation,
            }
          : {
              kind: 'conv2d',
              input: current,
              output,
              weights: wq.q,
              weightScales: wq.scales,
              bias,
              kernel: l.kernel,
              padding: l.padding,
              activation: l.activation,
            },
      );
      current = output;
    } else if (l.kind === 'maxpool' || l.kind === 'avgpool') {
      const output: QTensor = { name, shape: [1, ...shape.out], q: current.q };
      ops.push({ kind: l.kind, input: current, output, size: l.size });
      current = output;
    } else {
      const output: QTensor = { name, shape: [1, ...shape.out], q: current.q };
      ops.push({ kind: 'reshape', input: current, output });
      current = output;
    }
  });
  const output: QTensor = { name: 'probabilities', shape: [1, spec.classes], q: SOFTMAX_OUTPUT_Q };
  ops.push({ kind: 'softmax', input: current, output });
  return { input, output, ops };
}
