import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createKeyPair,
  loadSigningKey,
  loadTrustedKeys,
  verifyArtifactDir,
  type SigningKey,
} from '@tinyfleet/artifact/verify-node';
import { repoRoot } from '@tinyfleet/datasets';
import { addDataBuildOptions, printSearch, runDataBuild, type DataBuildOpts } from './model-build-data';
import { registerModelPackageCommand } from './model-package.command';
import type { BuildResult } from '@tinyfleet/pipeline';
import { renderTable, stageTable } from '@tinyfleet/pipeline/report-table';
import { integerOption } from '../option-parsers';

// The pipeline (TensorFlow.js, ~0.7 s to load) loads when `model build` runs, not when the CLI starts.
const pipeline = () => import('@tinyfleet/pipeline');

/** Where the local development signing key lives when --key is not given. */
export function devKeyDir(): string {
  return path.join(repoRoot(), '.tinyfleet', 'keys');
}

/** Load the key in `dir`, or the dev key (created on first use); says which on stderr. */
export function resolveSigningKey(dir: string | undefined, note: (s: string) => void): SigningKey {
  if (dir) return loadSigningKey(dir);
  const dev = devKeyDir();
  if (fs.existsSync(path.join(dev, 'ed25519.key.pem'))) {
    const key = loadSigningKey(dev);
    note(`no --key given: signing with the local dev key ${key.keyId} in ${dev}`);
    return key;
  }
  const key = createKeyPair(dev);
  note(`no --key given: created a local dev key ${key.keyId} in ${dev} (not for production)`);
  return key;
}

export function printBuild(result: BuildResult): string {
  const goals = result.goals.length
    ? `\n\ngoals\n${renderTable(
        ['goal', 'value', 'target', 'met'],
        result.goals.map((g) => [g.goal, g.value.toFixed(2), String(g.target), g.met ? 'yes' : 'NO']),
      )}`
    : '';
  const m = result.manifest;
  const labels = m.labels;
  const balance = renderTable(
    ['class', 'train', 'val', 'test'],
    labels.map((l, k) => [
      l,
      String(result.classBalance.train[k]),
      String(result.classBalance.val[k]),
      String(result.classBalance.test[k]),
    ]),
  );
  const confusion = renderTable(
    ['true \\ predicted', ...labels],
    result.confusion.map((row, k) => [labels[k], ...row.map(String)]),
  );
  const evidence = result.evidence
    ? `\n\nfield evidence: ${result.evidence.windows} labelled windows from ${result.evidence.dir} in the train split (${Object.entries(
        result.evidence.perLabel,
      )
        .map(([l, n]) => `${l} ${n}`)
        .join(', ')})`
    : '';
  return `${m.name}@${m.version} (${m.recipe})\n${stageTable(result.reports)}${goals}${evidence}\n\nclass balance (examples per split)\n${balance}\n\nconfusion matrix (test split, final int8 model; held-out accuracy ${(result.finalAccuracy * 100).toFixed(2)} %)\n${confusion}\n\nsizes: float32 ${m.sizes.float32TfliteBytes} B, int8 ${m.sizes.int8TfliteBytes} B, Huffman ${m.sizes.huffmanBytes} B; flash ${m.flashBytes} B, arena ${m.arenaBytes} B, ${m.macs} MACs; key ${m.signing.keyId}`;
}

/** `model build` and `model verify`, attached to the `model` group of model.command.ts. */
export function registerModelBuildCommands(model: Command): void {
  const build = model
    .command('build')
    .description('Run the model pipeline for a recipe: train/distill, prune, quantize, Huffman, export, sign')
    .argument('[recipe]', 'soil | gas-fruit | gas-ethylene | doorbell | mnist-lenet300 | mnist-lenet5 (or --data)')
    .requiredOption('--out <dir>', 'artifact folder to write')
    .option('--quick', 'small subsets and 1-2 epochs (seconds; for CI)')
    .option('--seed <n>', 'random seed', integerOption('--seed', 0, 2 ** 31), 1)
    .option('--key <dir>', 'signing key folder (tinyfleet keys create); default: local dev key in .tinyfleet/keys')
    .option(
      '--version <n>',
      'recipe version (gas-ethylene: 1 = batches 1-6, 2 = adds drifted batch 8); with --data the artifact semver (default 1.0.0)',
    )
    .option('--json', 'print the manifest (with --data: the whole report) as JSON on stdout')
    .option(
      '--add-evidence <dir>',
      'also train on the labelled field evidence in DIR (tinyfleet evidence export DIR): training split only',
    );
  addDataBuildOptions(build).action(
    async (recipeId: string | undefined, opts: DataBuildOpts & { key?: string; version?: string; json?: boolean }) => {
      const note = (s: string) => process.stderr.write(`${s}\n`);
      const { buildRecipe, findRecipe, stderrProgress } = await pipeline();
      if (opts.data) {
        if (recipeId) throw new Error(`give a recipe or --data, not both (got ${recipeId} and --data ${opts.data})`);
        const key = resolveSigningKey(opts.key, note);
        const r = await runDataBuild(opts, {
          key,
          progress: stderrProgress(),
          log: note,
          cacheDir: path.join(repoRoot(), '.tinyfleet', 'cache'),
        });
        process.stdout.write(
          opts.json
            ? `${JSON.stringify({ manifest: r.manifest, reports: r.reports, classBalance: r.classBalance, confusion: r.confusion, goals: r.goals, search: r.search, data: r.data }, null, 2)}\n`
            : `${printSearch(r)}\n\n${printBuild(r)}\n`,
        );
        return;
      }
      if (!recipeId) throw new Error('name a recipe (soil, gas-fruit, …) or give --data PATH --task classify');
      const recipe = findRecipe(recipeId, opts.version);
      const key = resolveSigningKey(opts.key, note);
      const result = await buildRecipe({
        recipe,
        outDir: opts.out,
        quick: !!opts.quick,
        seed: opts.seed,
        key,
        progress: stderrProgress(),
        log: note,
        cacheDir: path.join(repoRoot(), '.tinyfleet', 'cache'),
        evidenceDir: opts.addEvidence,
      });
      process.stdout.write(opts.json ? `${JSON.stringify(result.manifest, null, 2)}\n` : `${printBuild(result)}\n`);
    },
  );

  registerModelPackageCommand(model);

  model
    .command('verify')
    .description(
      'Verify a signed artifact folder: hashes, Ed25519 signature by a trusted key, OTA form decodes to the model',
    )
    .argument('<dir>', 'artifact folder (model.tflite, manifest.json, signature.json)')
    .option('--trust <dirs...>', 'folders or PEM files of trusted public keys (default: the local dev key folder)')
    .option('--json', 'print the result as JSON')
    .action((dir: string, opts: { trust?: string[]; json?: boolean }) => {
      const trusted = loadTrustedKeys(opts.trust ?? [devKeyDir()]);
      const result = verifyArtifactDir(dir, trusted);
      if (opts.json)
        process.stdout.write(
          `${JSON.stringify(result.ok ? { ok: true, keyId: result.keyId, name: result.manifest.name, version: result.manifest.version } : result)}\n`,
        );
      else if (result.ok)
        process.stdout.write(`OK ${result.manifest.name}@${result.manifest.version} signed by ${result.keyId}\n`);
      else process.stdout.write(`FAILED ${dir}: ${result.reason}\n`);
      if (!result.ok) process.exitCode = 1;
    });
}
