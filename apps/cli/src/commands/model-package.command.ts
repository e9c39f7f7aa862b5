import type { Command } from 'commander';
import * as fs from 'node:fs';
import type { ArtifactManifest, Preprocessing } from '@tinyfleet/artifact';

// The pipeline (TensorFlow.js) loads when a model is packaged, not when the CLI starts.
const pipeline = () => import('@tinyfleet/pipeline');
import { resolveSigningKey } from './model-build.command';
import { dataVersion } from './model-build-data';
import { checkModelName } from './model-name';

/**
 * --preprocessing: a JSON file holding a Preprocessing, or an artifact manifest — then its
 * preprocessing and its labels (a model trained elsewhere on the same data keeps the class order).
 */
function readPreprocessing(file: string): { preprocessing: Preprocessing; labels?: string[] } {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Preprocessing | ArtifactManifest;
  return 'preprocessing' in json ? { preprocessing: json.preprocessing, labels: json.labels } : { preprocessing: json };
}

/** `model package MODEL.tflite`: any TFLite (Micro) model as a signed artifact. */
export function registerModelPackageCommand(model: Command): void {
  model
    .command('package')
    .description(
      'Package any .tflite as a signed artifact: checks every op against the interpreter, measures device memory and MACs, records the self-test output; refuses what a node could not run',
    )
    .argument('<model>', '.tflite file (int8 input and output, one of each)')
    .requiredOption('--name <name>', 'artifact name')
    .requiredOption('--version <semver>', 'artifact version (1.2.0, or 2 for 2.0.0)')
    .requiredOption('--out <dir>', 'artifact folder to write')
    .option('--stream <name>', 'the sensor stream the model is for: rollouts hold devices to it (default: --name)')
    .option('--key <dir>', 'signing key folder (default: local dev key in .tinyfleet/keys)')
    .option(
      '--labels <list>',
      "class names, comma-separated, one per output (default: the --preprocessing manifest's labels, else class_0 …)",
    )
    .option(
      '--preprocessing <file>',
      "JSON: a Preprocessing object, or a manifest.json whose preprocessing to reuse (default: raw values are the input's real values)",
    )
    .option(
      '--self-test-input <file>',
      'raw input tensor bytes for the self-test (default: a seeded input, 4 bytes on air; see docs/ota.md)',
    )
    .option('--target <mcu>', 'refuse unless the model fits this MCU profile')
    .option('--description <text>', 'what the model does')
    .option('--json', 'print the manifest as JSON')
    .action(
      async (
        file: string,
        opts: {
          name: string;
          version: string;
          out: string;
          stream?: string;
          key?: string;
          labels?: string;
          preprocessing?: string;
          selfTestInput?: string;
          target?: string;
          description?: string;
          json?: boolean;
        },
      ) => {
        if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
        checkModelName(opts.name);
        if (opts.stream) checkModelName(opts.stream, '--stream');
        const { packageTflite, resolveTarget } = await pipeline();
        const note = (s: string) => process.stderr.write(`${s}\n`);
        const pre = opts.preprocessing ? readPreprocessing(opts.preprocessing) : undefined;
        const r = packageTflite({
          file,
          bytes: new Uint8Array(fs.readFileSync(file)),
          name: opts.name,
          version: dataVersion(opts.version),
          stream: opts.stream ?? opts.name,
          outDir: opts.out,
          key: resolveSigningKey(opts.key, note),
          labels: opts.labels?.split(',').map((s) => s.trim()) ?? pre?.labels,
          preprocessing: pre?.preprocessing,
          selfTestInput: opts.selfTestInput ? new Uint8Array(fs.readFileSync(opts.selfTestInput)) : undefined,
          target: opts.target ? resolveTarget({ mcu: opts.target }) : undefined,
          description: opts.description,
        });
        const m = r.manifest;
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(m, null, 2)}\n`
            : `${m.name}@${m.version} packaged in ${opts.out}: ops ${Object.entries(m.ops)
                .map(([k, v]) => `${k}×${v}`)
                .join(
                  ', ',
                )}; flash ${m.flashBytes} B, device memory ${r.ramBytes} B, ${m.macs} MACs; OTA form ${r.otaBytes} B; self-test recorded; signed by ${m.signing.keyId}\n`,
        );
      },
    );
}
