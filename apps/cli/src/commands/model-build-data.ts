import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { buildFromUserData, InputChoice, SearchObjective, UserBuildResult } from '@tinyfleet/pipeline';
import { nonNegativeNumber, positiveInt } from '../option-parsers';
import { checkModelName } from './model-name';

// The pipeline (TensorFlow.js) loads when a build runs, not when the CLI starts.
const pipeline = () => import('@tinyfleet/pipeline');

/** The options of `model build --data PATH` (the user's own data), added to the build command. */
export function addDataBuildOptions(cmd: Command): Command {
  return cmd
    .option(
      '--data <path>',
      'your own data: a CSV / folder of CSVs (time series) or a folder with a sub-folder per class (images)',
    )
    .option('--task <task>', 'what to learn from --data (classify)')
    .option('--label-column <name>', 'time series: the label column', 'label')
    .option('--timestamp-column <name>', 'time series: the timestamp column (seconds or ISO 8601)', 'timestamp')
    .option(
      '--holdout <mode>',
      'time series: time (last 15 % of every segment) | segments (whole unseen segments)',
      'time',
    )
    .option('--channels <list>', 'time series: sensor columns to use, comma-separated (default: all others)')
    .option(
      '--window <n>',
      'time series: window length in rows (the search also tries half)',
      positiveInt('--window'),
      32,
    )
    .option('--stride <n>', 'time series: rows between training windows (default: window / 4)', positiveInt('--stride'))
    .option('--features <kind>', 'time series: none | spectral (per-channel DFT magnitude bins)', 'none')
    .option(
      '--spectral-bins <n>',
      'time series: bins per channel with --features spectral',
      positiveInt('--spectral-bins'),
      8,
    )
    .option(
      '--image-size <px>',
      'images: square model input side (the search also tries half)',
      positiveInt('--image-size'),
      32,
    )
    .option('--color <mode>', 'images: gray | rgb', 'gray')
    .option('--name <name>', 'artifact name (default: the data file or folder name)')
    .option('--stream <name>', 'the sensor stream the model is for: rollouts hold devices to it (default: --name)')
    .option(
      '--keep-input',
      'search only the given --window / --image-size (an update keeps the input deployed devices run)',
    )
    .option(
      '--input-of <dir>',
      "an update for devices running the model built in DIR (or its manifest.json): take that model's input (window, spectral bins and channels, or image size and colour) and keep it (--keep-input)",
    )
    .option('--target <mcu>', 'MCU profile the model must fit (libs/energy)', 'nrf52840')
    .option('--radio <radio>', 'radio profile for the energy figures', 'nrf52840-ble-1m')
    .option('--max-latency-ms <ms>', 'latency budget per inference', nonNegativeNumber('--max-latency-ms'))
    .option('--max-ram <bytes>', 'RAM budget for the model (default: SRAM less the firmware)', positiveInt('--max-ram'))
    .option(
      '--max-flash <bytes>',
      'flash budget per model slot (default: half the flash left by the firmware)',
      positiveInt('--max-flash'),
    )
    .option(
      '--objective <o>',
      'accuracy (most accurate that fits) | energy (fewest J/day at --min-accuracy)',
      'accuracy',
    )
    .option(
      '--min-accuracy <pct>',
      'objective energy: validation accuracy floor, %',
      nonNegativeNumber('--min-accuracy'),
      0,
    )
    .option('--budget <n|Nm>', 'search budget: trials (12) or minutes (5m)', '12')
    .option(
      '--frames-per-day <n>',
      'images: frames the node classifies per day, for J/day',
      nonNegativeNumber('--frames-per-day'),
      144,
    );
}

export interface DataBuildOpts {
  data: string;
  /** --add-evidence DIR (shared with recipe builds). */
  addEvidence?: string;
  task?: string;
  labelColumn: string;
  timestampColumn: string;
  channels?: string;
  holdout: string;
  window: number;
  stride?: number;
  features: string;
  spectralBins: number;
  imageSize: number;
  color: string;
  name?: string;
  stream?: string;
  keepInput?: boolean;
  inputOf?: string;
  version?: string;
  target: string;
  radio: string;
  maxLatencyMs?: number;
  maxRam?: number;
  maxFlash?: number;
  objective: string;
  minAccuracy: number;
  budget: string;
  framesPerDay: number;
  out: string;
  quick?: boolean;
  seed: number;
}

export function parseBudget(v: string): { trials?: number; minutes?: number } {
  const m = /^(\d+)(m)?$/.exec(v.trim());
  if (!m || Number(m[1]) < 1) throw new Error(`--budget must be a number of trials (12) or minutes (5m), got ${v}`);
  return m[2] ? { minutes: Number(m[1]) } : { trials: Number(m[1]) };
}

/** `--version 2` → 2.0.0; a semver stays as it is. */
export function dataVersion(v: string | undefined): string {
  if (v === undefined) return '1.0.0';
  if (/^\d+$/.test(v)) return `${v}.0.0`;
  if (/^\d+\.\d+\.\d+$/.test(v)) return v;
  throw new Error(`--version must be a semver (1.2.0) or a major number (2), got ${v}`);
}

/**
 * `--input-of DIR`: the input a deployed model's devices feed it, read from its manifest, as the
 * options that build it. Admission refuses an update whose input differs from the active model's,
 * and a search may have picked another window or image size than the one its build was given.
 */
export function inputOfBuild(dirOrManifest: string): Partial<DataBuildOpts> & { keepInput: true } {
  const file =
    existsSync(dirOrManifest) && statSync(dirOrManifest).isDirectory()
      ? join(dirOrManifest, 'manifest.json')
      : dirOrManifest;
  if (!existsSync(file)) throw new Error(`--input-of: no manifest at ${file} (give a build's --out folder)`);
  let m: { preprocessing?: Record<string, unknown>; inputs?: Array<{ shape: number[] }> };
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--input-of: ${file} is not JSON (${(err as Error).message})`, { cause: err });
  }
  const p = m.preprocessing ?? {};
  if (p.kind === 'window' && typeof p.windowLength === 'number' && Array.isArray(p.channels)) {
    const bins = typeof p.spectralBins === 'number' ? p.spectralBins : null;
    return {
      keepInput: true,
      window: p.windowLength,
      channels: (p.channels as string[]).join(','),
      features: bins ? 'spectral' : 'none',
      ...(bins ? { spectralBins: bins } : {}),
    };
  }
  const shape = m.inputs?.[0]?.shape;
  if (p.kind === 'image' && shape?.length === 4 && shape[1] === shape[2] && (shape[3] === 1 || shape[3] === 3))
    return { keepInput: true, imageSize: shape[1], color: shape[3] === 1 ? 'gray' : 'rgb' };
  throw new Error(`--input-of: ${file} is not a model built from your data (preprocessing kind ${String(p.kind)})`);
}

export async function runDataBuild(
  given: DataBuildOpts,
  deps: Pick<Parameters<typeof buildFromUserData>[0], 'key' | 'progress' | 'log' | 'cacheDir'>,
): Promise<UserBuildResult & { paretoTable: string }> {
  const { buildFromUserData, paretoTable, resolveTarget } = await pipeline();
  const o: DataBuildOpts = given.inputOf ? { ...given, ...inputOfBuild(given.inputOf) } : given;
  if (o.task !== 'classify')
    throw new Error(`--data needs --task classify (the one task supported), got ${o.task ?? 'none'}`);
  if (!['accuracy', 'energy'].includes(o.objective))
    throw new Error(`--objective must be accuracy or energy, got ${o.objective}`);
  if (!['none', 'spectral'].includes(o.features))
    throw new Error(`--features must be none or spectral, got ${o.features}`);
  if (!['time', 'segments'].includes(o.holdout))
    throw new Error(`--holdout must be time or segments, got ${o.holdout}`);
  if (!['gray', 'rgb'].includes(o.color)) throw new Error(`--color must be gray or rgb, got ${o.color}`);
  const target = resolveTarget({
    mcu: o.target,
    radio: o.radio,
    maxLatencyMs: o.maxLatencyMs,
    maxRamBytes: o.maxRam,
    maxFlashBytes: o.maxFlash,
  });
  // Which input kind applies is known only once the data is read; both are passed and the data picks.
  const window: Extract<InputChoice, { kind: 'window' }> = {
    kind: 'window',
    window: o.window,
    stride: o.stride ?? Math.max(1, Math.floor(o.window / 4)),
    ...(o.features === 'spectral' ? { spectralBins: o.spectralBins } : {}),
  };
  const image: Extract<InputChoice, { kind: 'image' }> = {
    kind: 'image',
    size: o.imageSize,
    color: o.color as 'gray' | 'rgb',
  };
  const name = checkModelName(
    o.name ??
      o.data
        .replace(/[/\\]+$/, '')
        .split(/[/\\]/)
        .pop()!
        .replace(/\.csv$/i, '')
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-'),
    o.name ? '--name' : 'the name made from --data (set --name)',
  );
  const result = await buildFromUserData({
    data: {
      path: o.data,
      labelColumn: o.labelColumn,
      timestampColumn: o.timestampColumn,
      channels: o.channels?.split(',').map((s) => s.trim()),
      holdout: o.holdout as 'time' | 'segments',
    },
    name,
    stream: o.stream ?? name,
    keepInput: !!o.keepInput,
    version: dataVersion(o.version),
    inputs: { window, image },
    target,
    objective: o.objective as SearchObjective,
    minAccuracy: o.minAccuracy / 100,
    budget: parseBudget(o.budget),
    framesPerDay: o.framesPerDay,
    outDir: o.out,
    quick: !!o.quick,
    seed: o.seed,
    evidenceDir: o.addEvidence,
    ...deps,
  });
  return { ...result, paretoTable: paretoTable(result.search) };
}

/** The search part of the readable report (the stage table and the rest come from printBuild). */
export function printSearch(r: UserBuildResult & { paretoTable: string }): string {
  const s = r.search;
  return [
    `data: ${r.data.describe}`,
    `search: ${s.trials.length} of ${s.spaceSize} architectures, objective ${s.objective} (* = chosen)`,
    r.paretoTable,
    ...s.assumptions.map((a) => `  - ${a}`),
  ].join('\n');
}
