import type { InferenceResult, SharedModel } from '../inference/shared-model';
import type { SensorStream } from '../streams/sensor-stream';
import type { KeptWindow } from './evidence-agent';

/**
 * A copy of the raw samples the model just read at `sampleIndex` (its channels, oldest first), in
 * the node's own memory: what the evidence agent keeps in its ring.
 */
export function captureWindow(
  stream: SensorStream,
  model: SharedModel,
  sampleIndex: number,
  t: number,
  result: InferenceResult,
): KeptWindow {
  const p = model.artifact.preprocessing;
  const samples = model.windowFor(stream);
  const first = sampleIndex - (samples - 1);
  const base = {
    modelTag: model.artifact.modelTag,
    timestampMs: t,
    label: result.label,
    scoreQ: result.scoreQ,
    marginQ: result.marginQ,
    samples,
  };
  if (p.kind === 'image') {
    const frame = stream.values(first);
    return {
      ...base,
      format: 'u8',
      valuesPerSample: frame.length,
      imageWidth: stream.imageWidth ?? 0,
      data: Uint8Array.from(frame),
    };
  }
  const columns = p.channels.map((c) => stream.channels.indexOf(c));
  const values = new Float32Array(samples * columns.length);
  for (let s = 0; s < samples; s++) {
    const row = stream.values(first + s);
    columns.forEach((c, j) => (values[s * columns.length + j] = row[c]!));
  }
  return {
    ...base,
    format: 'f32le',
    valuesPerSample: columns.length,
    imageWidth: 0,
    data: new Uint8Array(values.buffer),
  };
}
