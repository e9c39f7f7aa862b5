/**
 * Locates the shared reference-model data for tests and benchmarks (node-only; not exported from index.ts).
 * Set FLEET_DATA_DIR to a folder containing `reference-models/`; by default `../shared` next to the repo.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REFERENCE_MODEL_NAMES = [
  'hello_world_int8',
  'hello_world_float',
  'micro_speech',
  'person_detection',
  'mlperf_tiny_vww',
  'mlperf_tiny_kws',
  'mlperf_tiny_ic',
  'mlperf_tiny_ad',
  'mlperf_tiny_sww',
  'micro_speech_preprocessor',
] as const;

export function referenceModelsDir(): string {
  const root = process.env.FLEET_DATA_DIR ?? path.resolve(__dirname, '../../../../../shared');
  const dir = path.join(root, 'reference-models');
  if (!fs.existsSync(dir)) {
    throw new Error(
      `reference models not found at ${dir}. Set FLEET_DATA_DIR to a folder that contains reference-models/ ` +
        '(the shared TFLM reference data: models, test_inputs and expected outputs; see PROVENANCE.md there).',
    );
  }
  return dir;
}

export interface ReferenceCase {
  name: string;
  inputFiles: string[];
  outputFiles: string[];
  argmax?: number;
}

export interface ReferenceModel {
  name: string;
  dir: string;
  modelFile: string;
  expected: {
    arena_used_bytes_64bit_host: number;
    cases: { name: string; input_files: string[]; argmax?: number; outputs: { file?: string }[] }[];
  } | null;
  cases: ReferenceCase[];
}

export function loadReferenceModel(name: string): ReferenceModel {
  const dir = path.join(referenceModelsDir(), name);
  const modelFile = fs.readdirSync(dir).find((f) => f.endsWith('.tflite'));
  if (!modelFile) throw new Error(`no .tflite file in ${dir}`);
  const expectedPath = path.join(dir, 'expected', 'expected.json');
  const expected = fs.existsSync(expectedPath) ? JSON.parse(fs.readFileSync(expectedPath, 'utf8')) : null;
  const cases: ReferenceCase[] = expected
    ? expected.cases.map(
        (c: ReferenceModel['expected'] extends infer E ? (E extends { cases: (infer C)[] } ? C : never) : never) => ({
          name: c.name,
          // Paths in expected.json are relative to the data root's parent; the files sit in the model folder.
          inputFiles: c.input_files.map((f: string) => path.join(dir, 'test_inputs', path.basename(f))),
          outputFiles: c.outputs.map((o: { file?: string }, k: number) =>
            path.join(dir, 'expected', o.file ? path.basename(o.file) : `${c.name}.out${k === 0 ? '' : k}.bin`),
          ),
          argmax: c.argmax,
        }),
      )
    : !fs.existsSync(path.join(dir, 'test_inputs'))
      ? []
      : fs
          .readdirSync(path.join(dir, 'test_inputs'))
          .filter((f) => f.endsWith('.bin'))
          .map((f) => ({
            name: f.replace(/\.bin$/, ''),
            inputFiles: [path.join(dir, 'test_inputs', f)],
            outputFiles: [],
          }));
  return { name, dir, modelFile: path.join(dir, modelFile), expected, cases };
}
