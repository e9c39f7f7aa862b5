/**
 * The model's monitoring reference: the `up/summary` signals of the exported int8 .tflite, run by
 * the device's interpreter on the validation split through the same SummaryAccumulator a node uses,
 * so the fleet's windows and the reference are computed alike.
 */
import type { ArtifactManifest, Preprocessing } from '@tinyfleet/artifact';
import { DEFAULT_MARGIN_Q, SummaryAccumulator } from '@tinyfleet/drift';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import { quantizeValue } from '../quant/quant-math';
import type { TensorData } from '../train/train-loop';

export function monitoringReference(
  model: Uint8Array,
  validation: TensorData,
  preprocessing: Preprocessing,
): NonNullable<ArtifactManifest['monitoring']> {
  const interpreter = new Interpreter(loadModel(model));
  interpreter.allocate();
  const input = interpreter.input(0);
  const output = interpreter.output(0);
  const channels = preprocessing.kind === 'image' ? 1 : preprocessing.channels.length;
  const acc = new SummaryAccumulator(output.data.length, channels, DEFAULT_MARGIN_Q);
  const f = validation.x.length / Math.max(1, validation.n);
  const q = { scale: input.scale, zeroPoint: input.zeroPoint };
  // The arena may reuse the input's memory during invoke: keep the example in its own buffer.
  const example = new Int8Array(f);
  for (let i = 0; i < validation.n; i++) {
    const x = validation.x.subarray(i * f, (i + 1) * f);
    for (let k = 0; k < f; k++) example[k] = quantizeValue(x[k]!, q);
    input.data.set(example);
    interpreter.invoke();
    acc.add(example, output.data);
  }
  return {
    marginQ: DEFAULT_MARGIN_Q,
    reference: acc.snapshot(),
    source: `validation split, ${validation.n} examples, the int8 .tflite on libs/tinyml`,
  };
}
