/**
 * Runs one operator of a real model on recorded tensors (TFLM's `expected/intermediates`), so a kernel is
 * checked bit for bit inside the model it came from even when other ops of that model are not supported.
 * Test helper only (node); not exported from index.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrepareContext, type TensorData } from '../kernels/kernel.types';
import { OpMemory } from '../memory/op-memory';
import type { Model } from '../model/model.types';
import { typedView } from '../interpreter/tensor-view';
import { OpResolver } from '../resolver/op-resolver';

export interface RecordedTensors {
  dir: string;
  files: Map<number, string>;
}

/** Recorded tensors of one case: listed in tensors.json, or (held-out models) files named t<index>.bin. */
export function loadRecorded(dir: string): RecordedTensors {
  const listingPath = path.join(dir, 'tensors.json');
  if (fs.existsSync(listingPath)) {
    const listing = JSON.parse(fs.readFileSync(listingPath, 'utf8')) as { tensors: { index: number; file: string }[] };
    return { dir, files: new Map(listing.tensors.map((t) => [t.index, t.file])) };
  }
  const files = fs.readdirSync(dir).filter((f) => /^t\d+\.bin$/.test(f));
  return { dir, files: new Map(files.map((f) => [Number(f.slice(1, -4)), f])) };
}

/** Bytes of a recorded tensor, or null when it was not recorded. */
export function recordedBytes(rec: RecordedTensors, index: number): Buffer | null {
  const file = rec.files.get(index);
  return file ? fs.readFileSync(path.join(rec.dir, file)) : null;
}

function viewOf(model: Model, index: number, bytes: Uint8Array | null): TensorData {
  const t = model.tensors[index];
  const buffer = new ArrayBuffer(Math.max(t.byteLength, 8));
  if (bytes) new Uint8Array(buffer).set(bytes.subarray(0, t.byteLength));
  return typedView(t.dtype, buffer, 0, t.elementCount, t.byteLength);
}

/**
 * Prepares operator `opIndex`, feeds it the recorded (or constant) inputs and runs it `invokes` times;
 * returns each output's bytes after the last run, then the bytes of each variable input (its state).
 */
export function runRecordedOp(model: Model, opIndex: number, rec: RecordedTensors, invokes = 1): Uint8Array[] {
  const node = model.operators[opIndex];
  const kernel = OpResolver.all().find(model, node);
  const memory = new OpMemory();
  const { data } = kernel.prepare(new PrepareContext(model, node, memory));
  // Scratch buffers get fresh memory here; in the interpreter they share the arena with other ops' tensors.
  const scratch = memory.scratch.map((r) =>
    typedView(r.dtype, new ArrayBuffer(r.sizeBytes), 0, r.elementCount, r.sizeBytes),
  );
  const inputs = node.inputs.map((i) => {
    if (i < 0) return null;
    const t = model.tensors[i];
    if (t.data)
      return typedView(t.dtype, t.data.buffer as ArrayBuffer, t.data.byteOffset, t.elementCount, t.byteLength);
    // Variable tensors (LSTM/SVDF state) start as after allocate() (int8: the zero point, else 0); what was
    // recorded for them is the state after the invoke.
    if (t.isVariable) {
      const v = viewOf(model, i, null);
      if (t.dtype === 'int8') v.fill(t.quantization?.zeroPoints[0] ?? 0);
      return v;
    }
    const bytes = recordedBytes(rec, i);
    if (!bytes) throw new Error(`input tensor ${i} of op ${opIndex} was not recorded`);
    return viewOf(model, i, bytes);
  });
  const outputs = node.outputs.map((i) => viewOf(model, i, null));
  for (let k = 0; k < invokes; k++) kernel.eval(data, { inputs, outputs, scratch });
  const bytesOf = (v: TensorData, i: number): Uint8Array =>
    new Uint8Array(v.buffer, v.byteOffset, model.tensors[i].byteLength);
  const states = node.inputs.flatMap((i, k) =>
    i >= 0 && model.tensors[i].isVariable && !model.tensors[i].data ? [bytesOf(inputs[k] as TensorData, i)] : [],
  );
  return [...outputs.map((o, k) => bytesOf(o, node.outputs[k])), ...states];
}
