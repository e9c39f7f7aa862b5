/**
 * Bit-exactness of the recurrent (UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF) and audio front-end (TFLM signal
 * library) kernels inside the models that use them: reference-models/micro_speech_preprocessor and the
 * held-out TFLM models. Each op is run on the tensors TFLM recorded for its inputs and must reproduce the
 * recorded outputs byte for byte; where every op of a model is supported, the whole model is run too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../index';
import type { Model } from '../model/model.types';
import { loadRecorded, recordedBytes, runRecordedOp } from '../testing/recorded-op';
import { referenceModelsDir } from '../testing/reference-models';

interface ModelUnderTest {
  name: string;
  dir: string;
  /** Op names checked op by op on the recorded tensors. */
  ops: RegExp;
}

const MODELS: ModelUnderTest[] = [
  { name: 'micro_speech_preprocessor', dir: 'micro_speech_preprocessor', ops: /^CUSTOM:Signal/ },
  { name: 'tflm_audio_preprocessor_float', dir: 'heldout/tflm_audio_preprocessor_float', ops: /^CUSTOM:Signal/ },
];

function load(m: ModelUnderTest): { model: Model; dir: string } {
  const dir = path.join(referenceModelsDir(), m.dir);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.tflite')) as string;
  return { model: loadModel(new Uint8Array(fs.readFileSync(path.join(dir, file)))), dir };
}

describe.each(MODELS.map((m) => [m.name, m]))('%s', (_name, m) => {
  const { model, dir } = load(m);
  const root = path.join(dir, 'expected', 'intermediates');
  const recorded = loadRecorded(path.join(root, fs.readdirSync(root)[0]));
  const ops = model.operators.filter((op) => m.ops.test(op.opName));

  it.each(ops.map((op) => [`${op.index} ${op.opName}`, op.index]))(
    'op %s reproduces the recorded TFLM outputs',
    (_label, opIndex) => {
      const outputs = runRecordedOp(model, opIndex, recorded);
      model.operators[opIndex].outputs.forEach((t, k) => {
        const want = recordedBytes(recorded, t);
        expect(want).not.toBeNull();
        expect(Buffer.from(outputs[k]).equals(want as Buffer)).toBe(true);
      });
    },
  );
});

describe('signal-op state', () => {
  const { model, dir } = load(MODELS[0]);
  const root = path.join(dir, 'expected', 'intermediates');
  const recorded = loadRecorded(path.join(root, fs.readdirSync(root)[0]));
  const subtraction = model.operators.findIndex((op) => op.opName === 'CUSTOM:SignalFilterBankSpectralSubtraction');

  it('SignalFilterBankSpectralSubtraction carries its noise estimate into the next invoke', () => {
    const once = runRecordedOp(model, subtraction, recorded, 1);
    const twice = runRecordedOp(model, subtraction, recorded, 2);
    // Same input again: the estimate grows, so less signal remains.
    expect(Buffer.from(twice[1]).equals(Buffer.from(once[1]))).toBe(false);
    const noise1 = new Uint32Array(once[1].buffer, once[1].byteOffset, 40);
    const noise2 = new Uint32Array(twice[1].buffer, twice[1].byteOffset, 40);
    for (let i = 0; i < 40; i++) expect(noise2[i]).toBeGreaterThanOrEqual(noise1[i]);
  });
});
