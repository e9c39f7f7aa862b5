/**
 * Fuzzes the reader and interpreter with >= 10,000 corrupted reference models (seeded, reproducible):
 * truncations, byte flips and corrupted length/offset fields. Each case must end in a typed error or a
 * valid run, within a second. Small models get most iterations and are invoked; big ones are only parsed
 * and allocated, which keeps the suite's wall time modest.
 */
import { mulberry32 } from '@tinyfleet/random';
import * as fs from 'node:fs';
import {
  ArenaTooSmallError,
  Interpreter,
  InvokeError,
  ModelFormatError,
  UnsupportedOpError,
  loadModel,
} from '../index';
import { TestModel, buildModel } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';
import { ACCUMULATOR_MODEL, IF_MODEL, WHILE_MODEL } from '../testing/subgraph-models';

const prng = mulberry32;

function mutate(original: Uint8Array, rnd: () => number): Uint8Array {
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) return original.slice(0, Math.floor(rnd() * original.length));
  const bytes = original.slice();
  // Most structure (vtables, offsets, lengths) sits outside the big weight buffers, so aim there half the time.
  const pos = (): number => Math.floor(rnd() * (rnd() < 0.5 ? Math.min(bytes.length, 4096) : bytes.length));
  if (kind === 1) {
    const flips = 1 + Math.floor(rnd() * 8);
    for (let i = 0; i < flips; i++) bytes[pos()] ^= 1 << Math.floor(rnd() * 8);
  } else if (kind === 2) {
    // Corrupt a 32-bit length/offset field at an aligned position.
    const p = pos() & ~3;
    const view = new DataView(bytes.buffer);
    const choices = [0xffffffff, 0x7fffffff, 0x80000000, view.getUint32(p, true) + 1, Math.floor(rnd() * 2 ** 32), 0];
    if (p + 4 <= bytes.length) view.setUint32(p, choices[Math.floor(rnd() * choices.length)] >>> 0, true);
  } else {
    // Small-integer fields (shapes, strides, indices, enum codes).
    const p = pos() & ~3;
    if (p + 4 <= bytes.length) new DataView(bytes.buffer).setInt32(p, Math.floor(rnd() * 600) - 100, true);
  }
  return bytes;
}

/** Multi-subgraph seeds (control flow, resource variables): no reference model has several subgraphs. */
const SUBGRAPH_SEEDS: Record<string, Uint8Array> = {
  if_model: buildModel(IF_MODEL),
  while_model: buildModel(WHILE_MODEL),
  accumulator_model: buildModel(ACCUMULATOR_MODEL),
};

/** Int4 filters (packed, odd element counts) in all three ops that take them: no reference model has any. */
const INT4_FILTER_MODEL: TestModel = {
  tensors: [
    { shape: [1, 5, 5, 3], dtype: 'int8', scale: 0.05, zeroPoint: 2 },
    { shape: [3, 3, 3, 3], dtype: 'int4', data: Array.from({ length: 81 }, (_, i) => (i % 15) - 7), scale: [0.02, 0.03, 0.04], zeroPoint: [0, 0, 0] }, // prettier-ignore
    { shape: [1, 5, 5, 3], dtype: 'int8', scale: 0.06, zeroPoint: -3 },
    { shape: [1, 3, 3, 3], dtype: 'int4', data: Array.from({ length: 27 }, (_, i) => (i % 13) - 6), scale: [0.05, 0.04, 0.03], zeroPoint: [0, 0, 0], quantizedDimension: 3 }, // prettier-ignore
    { shape: [1, 5, 5, 3], dtype: 'int8', scale: 0.07, zeroPoint: 1 },
    { shape: [5, 75], dtype: 'int4', data: Array.from({ length: 375 }, (_, i) => (i % 16) - 8), scale: 0.01, zeroPoint: 0 }, // prettier-ignore
    { shape: [1, 5], dtype: 'int8', scale: 0.1, zeroPoint: 0 },
  ],
  ops: [
    { op: 'CONV_2D', inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: 0 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }] }, // prettier-ignore
    { op: 'DEPTHWISE_CONV_2D', inputs: [2, 3], outputs: [4], options: [{ id: 0, i8: 0 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }, { id: 3, i32: 1 }] }, // prettier-ignore
    { op: 'FULLY_CONNECTED', inputs: [4, 5], outputs: [6] },
  ],
  inputs: [0],
  outputs: [6],
};

const BUILT_SEEDS: Record<string, Uint8Array> = { ...SUBGRAPH_SEEDS, int4_filters: buildModel(INT4_FILTER_MODEL) };

const PLAN: { name: string; iterations: number; invoke: boolean }[] = [
  { name: 'if_model', iterations: 2000, invoke: true },
  { name: 'while_model', iterations: 2000, invoke: true },
  { name: 'accumulator_model', iterations: 2000, invoke: true },
  { name: 'int4_filters', iterations: 1500, invoke: true },
  { name: 'hello_world_int8', iterations: 3800, invoke: true },
  { name: 'hello_world_float', iterations: 2400, invoke: true },
  { name: 'mlperf_tiny_ad', iterations: 1000, invoke: true },
  { name: 'micro_speech', iterations: 1200, invoke: true },
  { name: 'mlperf_tiny_kws', iterations: 400, invoke: true },
  { name: 'mlperf_tiny_sww', iterations: 500, invoke: true },
  { name: 'mlperf_tiny_ic', iterations: 250, invoke: false },
  { name: 'person_detection', iterations: 300, invoke: false },
  { name: 'mlperf_tiny_vww', iterations: 300, invoke: false },
];

/**
 * Invoking is skipped above this many MACs so that a mutated shape cannot make one case slow; with the arena limit
 * that bounds each case's work and memory by construction (no wall-clock assertion: the machine may be loaded).
 */
const MAX_INVOKE_MACS = 3_000_000;
/** A mutated WHILE may loop forever, as it would in TFLM; the watchdog bounds each case instead. */
const MAX_WHILE_ITERATIONS = 10_000;

describe('reader fuzzing', () => {
  it('has at least 10,000 cases', () => {
    expect(PLAN.reduce((s, p) => s + p.iterations, 0)).toBeGreaterThanOrEqual(10_000);
  });

  it.each(PLAN.map((p) => [p.name, p]))(
    '%s: every corrupted file ends in a typed error or a valid run',
    (_name, p) => {
      const original = BUILT_SEEDS[p.name] ?? new Uint8Array(fs.readFileSync(loadReferenceModel(p.name).modelFile));
      const rnd = prng(0x5eed ^ p.name.length ^ original.length);
      const outcomes = { ok: 0, format: 0, unsupported: 0, arena: 0, invoke: 0 };
      for (let i = 0; i < p.iterations; i++) {
        const bytes = mutate(original, rnd);
        try {
          const interpreter = new Interpreter(loadModel(bytes), {
            arenaBytesLimit: 1 << 20,
            maxWhileIterations: MAX_WHILE_ITERATIONS,
          });
          interpreter.allocate();
          if (p.invoke && interpreter.profile().totals.macs <= MAX_INVOKE_MACS) interpreter.invoke();
          outcomes.ok++;
        } catch (err) {
          if (err instanceof ModelFormatError) outcomes.format++;
          else if (err instanceof UnsupportedOpError) outcomes.unsupported++;
          else if (err instanceof ArenaTooSmallError) outcomes.arena++;
          // A mutated op code can turn an op into one whose runtime indices it then refuses (e.g. GATHER).
          else if (err instanceof InvokeError) outcomes.invoke++;
          else throw new Error(`case ${i}: untyped ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
        }
      }
      expect(outcomes.format).toBeGreaterThan(0);
      // Many mutations (e.g. flipped weights) still give a valid model, which must then run.
      expect(outcomes.ok).toBeGreaterThan(0);
    },
    120_000,
  ); // generous: the shared CI machine is often loaded
});
