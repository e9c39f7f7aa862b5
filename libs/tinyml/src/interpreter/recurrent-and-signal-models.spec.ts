/**
 * Bit-exactness of the recurrent (UNIDIRECTIONAL_SEQUENCE_LSTM, SVDF) and audio front-end (TFLM signal
 * library) kernels inside the models that use them: reference-models/micro_speech_preprocessor and the
 * held-out TFLM models. Each op is run on the tensors TFLM recorded for its inputs and must reproduce the
 * recorded outputs byte for byte; where every op of a model is supported, the whole model is run too, and
 * its device memory at 64-bit pointers must equal TFLM's arena_used_bytes for it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Interpreter, loadModel } from '../index';
import type { Model } from '../model/model.types';
import { RecordedTensors, loadRecorded, recordedBytes, runRecordedOp } from '../testing/recorded-op';
import { referenceModelsDir } from '../testing/reference-models';

interface ModelUnderTest {
  name: string;
  dir: string;
  /** Op names checked op by op on the recorded tensors. */
  ops: RegExp;
  /** Every op is supported: also run the whole model on every expected case and every intermediate. */
  whole: boolean;
  /** Why a second invoke cannot show the carried-over state in any output (the op tests check the state). */
  stateHiddenBecause?: string;
}

const SIGNAL = /^CUSTOM:Signal/;
const RECURRENT = /^(UNIDIRECTIONAL_SEQUENCE_LSTM|SVDF)$/;
/** Ops whose outputs depend on state carried over from the previous invoke. */
const STATEFUL = /^(UNIDIRECTIONAL_SEQUENCE_LSTM|SVDF|CUSTOM:SignalFilterBankSpectralSubtraction)$/;
const MODELS: ModelUnderTest[] = [
  // A reference model: reference-models.spec.ts runs it whole (outputs, intermediates, TFLM's arena figure).
  { name: 'micro_speech_preprocessor', dir: 'micro_speech_preprocessor', ops: SIGNAL, whole: false },
  { name: 'tflm_audio_preprocessor_float', dir: 'heldout/tflm_audio_preprocessor_float', ops: SIGNAL, whole: true },
  { name: 'tflm_trained_lstm_int8', dir: 'heldout/tflm_trained_lstm_int8', ops: RECURRENT, whole: true },
  { name: 'tflm_micro_speech_lstm', dir: 'heldout/tflm_micro_speech_lstm', ops: RECURRENT, whole: true },
  { name: 'tflm_dtln_noise_suppression', dir: 'heldout/tflm_dtln_noise_suppression', ops: RECURRENT, whole: true },
  { name: 'tflm_keyword_scrambled', dir: 'heldout/tflm_keyword_scrambled', ops: RECURRENT, whole: true },
  {
    name: 'tflm_keyword_scrambled_8bit',
    dir: 'heldout/tflm_keyword_scrambled_8bit',
    ops: RECURRENT,
    whole: true,
    stateHiddenBecause: 'its scrambled weights saturate every SVDF output at -128 / 127',
  },
];

function load(m: { dir: string }): { model: Model; dir: string } {
  const dir = path.join(referenceModelsDir(), m.dir);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.tflite')) as string;
  return { model: loadModel(new Uint8Array(fs.readFileSync(path.join(dir, file)))), dir };
}

function recordedCase(dir: string): { name: string; recorded: RecordedTensors } {
  const root = path.join(dir, 'expected', 'intermediates');
  const name = fs.readdirSync(root)[0];
  return { name, recorded: loadRecorded(path.join(root, name)) };
}

/** Held-out cases: `expected/<case>.in<i>.bin` -> `expected/<case>.out<k>.bin` (expected.json). */
function heldOutCases(dir: string): { name: string; inputs: string[]; outputs: string[] }[] {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'expected.json'), 'utf8')) as {
    cases: { name: string; inputs: string[]; outputs: string[] }[];
  };
  const at = (f: string): string => path.join(dir, 'expected', f);
  return expected.cases.map((c) => ({ name: c.name, inputs: c.inputs.map(at), outputs: c.outputs.map(at) }));
}

describe.each(MODELS.map((m) => [m.name, m]))('%s', (_name, m) => {
  const { model, dir } = load(m);
  const { name: caseName, recorded } = recordedCase(dir);
  const ops = model.operators.filter((op) => m.ops.test(op.opName));

  it.each(ops.map((op) => [`${op.index} ${op.opName}`, op.index]))(
    'op %s reproduces the recorded TFLM outputs and final state',
    (_label, opIndex) => {
      const node = model.operators[opIndex];
      const results = runRecordedOp(model, opIndex, recorded);
      const stateIds = node.inputs.filter((i) => i >= 0 && model.tensors[i].isVariable);
      [...node.outputs, ...stateIds].forEach((t, k) => {
        const want = recordedBytes(recorded, t);
        expect({ tensor: t, recorded: want !== null }).toEqual({ tensor: t, recorded: true });
        expect({ tensor: t, equal: Buffer.from(results[k]).equals(want as Buffer) }).toEqual({
          tensor: t,
          equal: true,
        });
      });
    },
  );

  if (!m.whole) return;

  it.each(heldOutCases(dir).map((c) => [c.name, c]))('whole model reproduces TFLM on %s', (_n, c) => {
    const interpreter = new Interpreter(model);
    c.inputs.forEach((f, i) => interpreter.input(i).bytes.set(fs.readFileSync(f)));
    interpreter.invoke();
    c.outputs.forEach((f, k) => expect(Buffer.from(interpreter.output(k).bytes).equals(fs.readFileSync(f))).toBe(true));
  });

  it('whole model reproduces every recorded intermediate, and reset() restores the initial state', () => {
    const c = heldOutCases(dir).find((x) => x.name === caseName);
    expect(c).toBeDefined();
    const interpreter = new Interpreter(model);
    const run = (): number[] => {
      c?.inputs.forEach((f, i) => interpreter.input(i).bytes.set(fs.readFileSync(f)));
      const mismatches: number[] = [];
      interpreter.invoke({
        afterOp: (_op, outputs) => {
          for (const [index, bytes] of outputs) {
            const want = recordedBytes(recorded, index);
            if (want && !Buffer.from(bytes).equals(want)) mismatches.push(index);
          }
        },
      });
      return mismatches;
    };
    expect(run()).toEqual([]);
    // A second invoke starts from the carried-over state, so some stateful op's output changes...
    const statefulOutputs = model.operators.filter((op) => STATEFUL.test(op.opName)).flatMap((op) => op.outputs);
    const changed = run().filter((t) => statefulOutputs.includes(t));
    if (m.stateHiddenBecause === undefined) expect(changed.length).toBeGreaterThan(0);
    else expect(changed).toEqual([]);
    // ...and after reset() the first invoke is reproduced exactly.
    interpreter.reset();
    expect(run()).toEqual([]);
  });

  it('needs, at 64-bit pointers, exactly the arena TFLM reported (arena_used_bytes_tflm_64bit_host)', () => {
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'expected.json'), 'utf8')) as {
      arena_used_bytes_tflm_64bit_host: number;
    };
    expect(new Interpreter(model).memoryAt(8).totalBytes).toBe(expected.arena_used_bytes_tflm_64bit_host);
  });
});

describe('signal-op state', () => {
  const { model, dir } = load(MODELS[0]);
  const { recorded } = recordedCase(dir);
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
