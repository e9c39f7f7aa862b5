/**
 * `npm run bench:memory`: the device memory table of libs/tinyml/README.md ("Device memory"). For every
 * reference model and every held-out model that allocates today: our device figure (32-bit pointers), the same
 * accounting at 64-bit pointers, that again with TFLM's planner order (largest first only), and TFLM's
 * `arena_used_bytes` (64-bit host, from each model's expected/expected.json); then the multi-subgraph test models.
 * Prints Markdown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GreedyMemoryPlanner, Interpreter, UnsupportedOpError, loadModel } from '@tinyfleet/tinyml';
import { buildModel } from '../src/testing/model-builder';
import { referenceModelsDir } from '../src/testing/reference-models';
import { ACCUMULATOR_MODEL, IF_MODEL, WHILE_MODEL } from '../src/testing/subgraph-models';

interface Row {
  model: string;
  ops: number;
  activations: number;
  scratch: number;
  persistent: number;
  total32: number;
  total64: number;
  total64TflmOrder: number;
  tflm: number | null;
  note: string;
}

function modelFolders(root: string): { name: string; dir: string }[] {
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'heldout')
    .map((d) => ({ name: d.name, dir: path.join(root, d.name) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function folderRow(name: string, dir: string): Row {
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.tflite')) as string;
  const bytes = new Uint8Array(fs.readFileSync(path.join(dir, file)));
  const expectedFile = path.join(dir, 'expected', 'expected.json');
  const expected = fs.existsSync(expectedFile) ? JSON.parse(fs.readFileSync(expectedFile, 'utf8')) : {};
  const tflm: number | null = expected.arena_used_bytes_64bit_host ?? expected.arena_used_bytes_tflm_64bit_host ?? null;
  return rowOf(name, bytes, tflm);
}

/** `ops` counts the operators of every subgraph. */
function rowOf(name: string, bytes: Uint8Array, tflm: number | null): Row {
  const model = loadModel(bytes);
  const opCount = model.subgraphs.reduce((s, sg) => s + sg.operators.length, 0);
  const empty = { activations: 0, scratch: 0, persistent: 0, total32: 0, total64: 0, total64TflmOrder: 0 };
  try {
    const interpreter = new Interpreter(model);
    const m = interpreter.memory;
    const tflmOrder = new Interpreter(model, { planner: new GreedyMemoryPlanner(true) }).memoryAt(8);
    return {
      model: name,
      ops: opCount,
      activations: m.activationsBytes,
      scratch: m.scratchBytes,
      persistent: m.persistentBytes,
      total32: m.totalBytes,
      total64: interpreter.memoryAt(8).totalBytes,
      total64TflmOrder: tflmOrder.totalBytes,
      tflm,
      note: '',
    };
  } catch (err) {
    if (err instanceof UnsupportedOpError)
      return { model: name, ops: opCount, ...empty, tflm, note: `unsupported: ${err.op}` };
    throw err;
  }
}

function table(rows: Row[]): string {
  const head =
    '| model | ops | device total (32-bit) | = activations + scratch + persistent | ours at 64-bit | ours at 64-bit, TFLM planner order | TFLM 64-bit | TFLM − last column |\n' +
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |';
  const lines = rows.map((r) => {
    const tflm = r.tflm === null ? '—' : String(r.tflm);
    const residual = r.tflm === null ? '—' : String(r.tflm - r.total64TflmOrder);
    return `| ${r.model} | ${r.ops} | ${r.total32} | ${r.activations} + ${r.scratch} + ${r.persistent} | ${r.total64} | ${r.total64TflmOrder} | ${tflm} | ${residual} |`;
  });
  return [head, ...lines].join('\n');
}

const root = referenceModelsDir();
const reference = modelFolders(root).map((f) => folderRow(f.name, f.dir));
const heldout = modelFolders(path.join(root, 'heldout')).map((f) => folderRow(f.name, f.dir));
// No reference or held-out model has several subgraphs: TFLM's kernel-test models stand in (no TFLM figure).
const subgraphModels = [
  rowOf('if_test.cc model (IF, ADD, MUL)', buildModel(IF_MODEL), null),
  rowOf('while_test.cc model (WHILE, LESS, ADD)', buildModel(WHILE_MODEL), null),
  rowOf(
    'resource-variable accumulator (CALL_ONCE, VAR_HANDLE ×2, READ, ADD, ASSIGN ×2)',
    buildModel(ACCUMULATOR_MODEL),
    null,
  ),
];
const loads = heldout.filter((r) => !r.note);
const exact = loads.filter((r) => r.tflm === r.total64TflmOrder).length;
const out = [
  '### Reference models',
  '',
  table(reference.filter((r) => !r.note)),
  '',
  ...reference.filter((r) => r.note).map((r) => `${r.model}: not allocated (${r.note}); TFLM ${r.tflm ?? '—'}.`),
  '',
  `### Held-out models that allocate today (${loads.length} of ${heldout.length}; ${exact} match TFLM to the byte)`,
  '',
  table(loads),
  '',
  '### Multi-subgraph models (control flow, resource variables; built in code)',
  '',
  table(subgraphModels),
  '',
];
process.stdout.write(out.join('\n'));
