/**
 * `npm run bench:pipeline [-- --only a,b] [--quick] [--out DIR]`: builds every recipe in full and
 * prints one summary table plus the Deep Compression comparison; JSON goes to DIR/summary.json
 * (written after every recipe, so a long run leaves partial results).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSigningKey, createKeyPair } from '@tinyfleet/artifact/verify-node';
import { repoRoot } from '@tinyfleet/datasets';
import {
  buildRecipe,
  findRecipe,
  renderTable,
  stderrProgress,
  RECIPES,
  stageTable,
  type BuildResult,
} from '@tinyfleet/pipeline';

/** Han et al. 2016, Table 1. */
const DEEP_COMPRESSION: Record<
  string,
  { originalKB: number; compressedKB: number; ratio: number; topErrorPct: { ref: number; compressed: number } }
> = {
  'mnist-lenet300': { originalKB: 1070, compressedKB: 27, ratio: 40, topErrorPct: { ref: 1.64, compressed: 1.58 } },
  'mnist-lenet5': { originalKB: 1720, compressedKB: 44, ratio: 39, topErrorPct: { ref: 0.8, compressed: 0.74 } },
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function summaryRow(id: string, r: BuildResult) {
  const m = r.manifest;
  const stage = (prefix: string) => r.reports.find((x) => x.stage.startsWith(prefix))?.accuracy;
  return {
    recipe: id,
    artifact: `${m.name}@${m.version}`,
    teacherAccuracy: r.teacherAccuracy,
    floatAccuracy: r.floatBaselineAccuracy,
    prunedAccuracy: stage('prune'),
    ptqAccuracy: stage('quantize (PTQ)'),
    qatAccuracy: stage('quantize (QAT)'),
    finalInt8Accuracy: r.finalAccuracy,
    params: r.reports.find((x) => x.stage.startsWith('huffman'))?.params,
    nonzeros: r.reports.find((x) => x.stage.startsWith('huffman'))?.nonzeros,
    float32Bytes: m.sizes.float32TfliteBytes,
    int8Bytes: m.sizes.int8TfliteBytes,
    huffmanBytes: m.sizes.huffmanBytes,
    ratio: m.sizes.float32TfliteBytes / m.sizes.huffmanBytes,
    macs: m.macs,
    arenaBytes: m.arenaBytes,
    flashBytes: m.flashBytes,
    goals: r.goals,
    seconds: r.reports.reduce((s, x) => s + x.seconds, 0),
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = arg('--only')?.split(',');
  const outRoot = path.resolve(arg('--out') ?? path.join(repoRoot(), '.tinyfleet', 'bench'));
  const keyDir = path.join(repoRoot(), '.tinyfleet', 'keys');
  const key = fs.existsSync(path.join(keyDir, 'ed25519.key.pem')) ? loadSigningKey(keyDir) : createKeyPair(keyDir);
  const ids = only ?? RECIPES.map((r) => r.id);
  const rows: ReturnType<typeof summaryRow>[] = [];
  fs.mkdirSync(outRoot, { recursive: true });
  for (const id of ids) {
    const recipe = findRecipe(id);
    process.stderr.write(`\n=== ${id} ===\n`);
    const result = await buildRecipe({
      recipe,
      outDir: path.join(outRoot, id),
      quick,
      seed: 1,
      key,
      progress: stderrProgress(),
      log: (l) => process.stderr.write(`${l}\n`),
      cacheDir: path.join(repoRoot(), '.tinyfleet', 'cache'),
    });
    process.stdout.write(`\n${id}\n${stageTable(result.reports)}\n`);
    rows.push(summaryRow(id, result));
    fs.writeFileSync(
      path.join(outRoot, 'summary.json'),
      `${JSON.stringify({ quick, rows, deepCompression: DEEP_COMPRESSION }, null, 2)}\n`,
    );
  }
  const pct = (v?: number) => (v === undefined ? '-' : (v * 100).toFixed(2));
  process.stdout.write(
    `\nsummary (${quick ? 'quick' : 'full'} builds; accuracy % on the held-out test split)\n${renderTable(
      [
        'recipe',
        'teacher',
        'float',
        'pruned',
        'PTQ',
        'QAT',
        'final int8',
        'nonzeros/params',
        'float32 B',
        'int8 B',
        'huffman B',
        'ratio',
        'MACs',
        'arena B',
        'goals',
      ],
      rows.map((r) => [
        r.recipe,
        pct(r.teacherAccuracy),
        pct(r.floatAccuracy),
        pct(r.prunedAccuracy),
        pct(r.ptqAccuracy),
        pct(r.qatAccuracy),
        pct(r.finalInt8Accuracy),
        `${r.nonzeros}/${r.params}`,
        String(r.float32Bytes),
        String(r.int8Bytes),
        String(r.huffmanBytes),
        `${r.ratio.toFixed(1)}x`,
        String(r.macs),
        String(r.arenaBytes),
        r.goals.map((g) => `${g.goal} ${g.target}: ${g.met ? 'met' : 'NOT met'} (${g.value.toFixed(2)})`).join('; ') ||
          '-',
      ]),
    )}\n`,
  );
  const dc = rows.filter((r) => DEEP_COMPRESSION[r.recipe]);
  if (dc.length) {
    process.stdout.write(
      `\nDeep Compression (Han et al. 2016, Table 1) vs ours\n${renderTable(
        [
          'model',
          'paper KB',
          'paper ratio',
          'paper err % ref->compr',
          'ours float32 KB',
          'ours Huffman KB',
          'ours ratio',
          'ours err % float->final',
        ],
        dc.map((r) => {
          const p = DEEP_COMPRESSION[r.recipe];
          return [
            r.recipe,
            `${p.originalKB} -> ${p.compressedKB}`,
            `${p.ratio}x`,
            `${p.topErrorPct.ref} -> ${p.topErrorPct.compressed}`,
            (r.float32Bytes / 1024).toFixed(1),
            (r.huffmanBytes / 1024).toFixed(1),
            `${r.ratio.toFixed(1)}x`,
            `${((1 - r.floatAccuracy) * 100).toFixed(2)} -> ${((1 - r.finalInt8Accuracy) * 100).toFixed(2)}`,
          ];
        }),
      )}\n(ours: 10k training images instead of 60k; ratio = float32 .tflite bytes / OTA container bytes, which also carries biases, scales and the flatbuffer)\n`,
    );
  }
  process.stdout.write(`\nJSON: ${path.join(outRoot, 'summary.json')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench:pipeline: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
