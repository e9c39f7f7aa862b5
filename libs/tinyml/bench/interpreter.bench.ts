/**
 * `npm run bench:interpreter`: median host time per inference of every reference model, MACs/s, and the
 * ratio to TFLM reference kernels (C++ -O2, same 2-core machine) where a figure is known.
 * Method: one interpreter per model, inputs from the first test case (zeros if none), 10 warm-up invokes,
 * then timed invokes until both >= 30 runs and >= 1.5 s; the median (and min) wall time and the mean CPU time per
 * inference are reported. Speed-ups use the median. `allocBytesPerInvoke`: JS heap bytes the interpreter
 * allocates per invoke, from V8's sampling heap profiler over about 0.5 s of invokes (testing/heap-allocations.ts).
 */
import * as fs from 'node:fs';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import { allocatedBytesPerCall } from '../src/testing/heap-allocations';
import { REFERENCE_MODEL_NAMES, loadReferenceModel } from '../src/testing/reference-models';

const TFLM_REFERENCE_MS: Record<string, number> = {
  person_detection: 33.5,
  mlperf_tiny_vww: 35.1,
  mlperf_tiny_kws: 12.7,
  mlperf_tiny_ic: 53.7,
  mlperf_tiny_ad: 0.16,
};

const WARMUP_RUNS = 10;
const MIN_RUNS = 30;
const MIN_TOTAL_MS = 1500;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results = [];
  for (const name of REFERENCE_MODEL_NAMES) {
    if (only.length && !only.includes(name)) continue;
    const ref = loadReferenceModel(name);
    const interpreter = new Interpreter(loadModel(new Uint8Array(fs.readFileSync(ref.modelFile))));
    interpreter.allocate();
    ref.cases[0]?.inputFiles.forEach((f, i) => interpreter.input(i).bytes.set(fs.readFileSync(f)));
    for (let i = 0; i < WARMUP_RUNS; i++) interpreter.invoke();
    const times: number[] = [];
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    while (times.length < MIN_RUNS || performance.now() - start < MIN_TOTAL_MS) {
      const t0 = performance.now();
      interpreter.invoke();
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpuStart);
    // CPU time per inference is robust when other jobs compete for the cores (wall-clock medians are not).
    const cpuMsPerInference = (cpu.user + cpu.system) / 1000 / times.length;
    const macs = interpreter.profile().totals.macs;
    const medianMs = median(times);
    const allocCalls = Math.max(20, Math.round(500 / medianMs));
    const allocBytesPerInvoke = await allocatedBytesPerCall(() => interpreter.invoke(), allocCalls, allocCalls);
    const tflmMs = TFLM_REFERENCE_MS[name];
    results.push({
      model: name,
      medianMs: Number(medianMs.toFixed(4)),
      minMs: Number(times.reduce((a, b) => Math.min(a, b), Infinity).toFixed(4)),
      runs: times.length,
      cpuMsPerInference: Number(cpuMsPerInference.toFixed(4)),
      macs,
      macsPerSecond: Math.round(macs / (medianMs / 1000)),
      arenaBytes: interpreter.arenaBytes,
      deviceBytes: interpreter.memory.totalBytes,
      allocBytesPerInvoke: Number(allocBytesPerInvoke.toFixed(2)),
      ...(tflmMs !== undefined
        ? { tflmReferenceMs: tflmMs, speedupVsTflm: Number((tflmMs / medianMs).toFixed(2)) }
        : {}),
    });
  }
  process.stdout.write(`${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
}

void main();
