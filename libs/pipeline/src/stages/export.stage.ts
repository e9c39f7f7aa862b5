/**
 * Stage 6, export: the int8 .tflite (and the float32 one for the size comparison), inspected and run
 * by libs/tinyml, and checked op by op against the pipeline's own integer simulation: every
 * intermediate tensor must be identical; the int8 softmax output may differ by 1 LSB because TFLM
 * evaluates exp with a fixed-point approximation where the simulation uses float.
 */
import { Interpreter, inspectModel, loadModel, type ModelInspection } from '@tinyfleet/tinyml';
import type { FloatParams } from '../graph/float-params';
import type { ModelSpec } from '../graph/model-spec';
import type { QuantizedModel } from '../graph/quantized-model';
import { simulateInt8 } from '../quant/int-simulator';
import { PipelineError } from '../pipeline.types';
import type { TensorData } from '../train/train-loop';
import { exportFloat, exportQuantized, type ExportedModel } from '../export/tflite-export';
import type { WrittenModel } from '../export/tflite-writer';
import { quantizeInput } from './evaluate';

export interface ParityCheck {
  examples: number;
  /** Largest |tinyml - simulation| over all intermediate (non-softmax) tensors, in LSB. */
  maxIntermediateDiff: number;
  maxOutputDiff: number;
}

export interface ExportResult {
  int8: ExportedModel;
  float32: WrittenModel;
  inspection: Omit<ModelInspection, 'layers'>;
  parity: ParityCheck;
}

export function checkParity(bytes: Uint8Array, qm: QuantizedModel, inputs: Int8Array[]): ParityCheck {
  const interpreter = new Interpreter(loadModel(bytes), {});
  let maxIntermediateDiff = 0;
  let maxOutputDiff = 0;
  for (const x of inputs) {
    interpreter.input(0).data.set(x);
    const seen: Int8Array[] = [];
    interpreter.invoke({
      afterOp: (_k, outs) =>
        seen.push(new Int8Array(outs[0][1].buffer, outs[0][1].byteOffset, outs[0][1].length).slice()),
    });
    const sim = simulateInt8(qm, x);
    if (seen.length !== sim.length)
      throw new PipelineError(`tinyml ran ${seen.length} ops, the simulation ${sim.length}`);
    sim.forEach((s, k) => {
      let d = 0;
      for (let i = 0; i < s.length; i++) d = Math.max(d, Math.abs(s[i] - seen[k][i]));
      if (k === sim.length - 1) maxOutputDiff = Math.max(maxOutputDiff, d);
      else maxIntermediateDiff = Math.max(maxIntermediateDiff, d);
    });
  }
  return { examples: inputs.length, maxIntermediateDiff, maxOutputDiff };
}

export function runExportStage(
  spec: ModelSpec,
  qm: QuantizedModel,
  floatParams: FloatParams,
  test: TensorData,
  description: string,
  parityExamples = 16,
): ExportResult {
  const int8 = exportQuantized(qm, description);
  const float32 = exportFloat(spec, floatParams, description);
  const { layers, ...inspection } = inspectModel(int8.bytes);
  void layers;
  const f = test.x.length / Math.max(1, test.n);
  const inputs = Array.from({ length: Math.min(parityExamples, test.n) }, (_, i) =>
    quantizeInput(qm, test.x.subarray(i * f, (i + 1) * f)),
  );
  const parity = checkParity(int8.bytes, qm, inputs);
  if (parity.maxIntermediateDiff > 0 || parity.maxOutputDiff > 1) {
    throw new PipelineError(
      `exported model disagrees with the integer simulation (intermediate ${parity.maxIntermediateDiff} LSB, output ${parity.maxOutputDiff} LSB)`,
    );
  }
  return { int8, float32, inspection, parity };
}
