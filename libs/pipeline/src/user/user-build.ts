/**
 * `model build --data PATH`: the deep-compression pipeline on the user's own data. Reads and checks
 * the data, searches the architecture space for the target device, then builds the chosen model
 * through the same stages and report as the built-in recipes (train — or distill from the most
 * accurate searched candidate — prune, PTQ/QAT, sharing + Huffman, export, package and sign).
 */
import * as path from 'node:path';
import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { buildRecipe, type BuildResult } from '../build-runner';
import { applyPreprocessing, fitPreprocessing } from '../preprocess';
import type { Recipe } from '../recipes/recipe.types';
import { TfjsTeacher } from '../stages/distill.stage';
import { FloatModel } from '../train/float-model';
import { silentProgress, type ProgressSink } from '../train/progress-bar';
import { initTf } from '../train/tf-backend';
import { trainModel } from '../train/train-loop';
import { architectureSpec, describeArchitecture } from './architecture-space';
import { runSearch, type SearchObjective, type SearchResult } from './architecture-search';
import type { DeviceTarget } from './device-target';
import { loadUserDataset, type InputChoice, type UserDataOptions } from './user-dataset';

export interface UserBuildOptions {
  data: UserDataOptions;
  name: string;
  version: string;
  /** The sensor stream the model is for (the manifest's recipe; rollouts hold fresh devices to it). */
  stream: string;
  /** Search only architectures with the given input (an update must keep the deployed input signature). */
  keepInput?: boolean;
  /**
   * The input the user asked for, per data kind (--window/--stride/--spectral-bins, --image-size/--color);
   * the data decides which applies, and the search also tries half of it.
   */
  inputs: { window: Extract<InputChoice, { kind: 'window' }>; image: Extract<InputChoice, { kind: 'image' }> };
  target: DeviceTarget;
  objective: SearchObjective;
  minAccuracy?: number;
  budget: { trials?: number; minutes?: number };
  framesPerDay: number;
  outDir: string;
  quick: boolean;
  seed: number;
  key: SigningKey;
  progress?: ProgressSink;
  log?: (line: string) => void;
  cacheDir?: string;
  /** A labelled-evidence export whose windows join the training split (see BuildOptions.evidenceDir). */
  evidenceDir?: string;
}

export interface UserBuildResult extends BuildResult {
  search: SearchResult;
  data: { kind: string; describe: string; labels: string[]; examplesPerClass: number[] };
}

const EPOCHS = { train: 20, prune: 6, qat: 2 };
const QUICK_EPOCHS = { train: 3, prune: 1, qat: 1 };
const SEARCH_EPOCHS = { full: 6, quick: 2 };
const BATCH = 32;
const LEARNING_RATE = 3e-3;

export async function buildFromUserData(o: UserBuildOptions): Promise<UserBuildResult> {
  const log = o.log ?? (() => {});
  await initTf();
  const data = loadUserDataset(o.data);
  log(`data: ${data.describe}; classes ${data.labels.map((l, k) => `${l} (${data.examplesPerClass[k]})`).join(', ')}`);
  const search = runSearch(data, {
    base: data.kind === 'images' ? o.inputs.image : o.inputs.window,
    target: o.target,
    objective: o.objective,
    minAccuracy: o.minAccuracy,
    budget: o.budget,
    keepInput: o.keepInput,
    epochs: o.quick ? SEARCH_EPOCHS.quick : SEARCH_EPOCHS.full,
    seed: o.seed,
    framesPerDay: o.framesPerDay,
    progress: o.progress,
  });
  const chosen = search.chosen.architecture;
  log(
    `search: ${search.trials.length} of ${search.spaceSize} architectures tried; chosen #${search.chosen.index + 1} ${describeArchitecture(chosen)} (objective ${o.objective})`,
  );
  const splits = data.splits(chosen.input);
  const template = data.template(chosen.input);
  const epochs = o.quick ? QUICK_EPOCHS : EPOCHS;

  // The most accurate candidate with the same input (often one too big for the device) teaches the chosen one.
  let teacherModel: FloatModel | null = null;
  if (search.teacher) {
    const p = fitPreprocessing(template, splits.train);
    teacherModel = FloatModel.init(architectureSpec(data, search.teacher.architecture), o.seed + 1000);
    trainModel(teacherModel, applyPreprocessing(p, splits.train), {
      epochs: epochs.train,
      batchSize: BATCH,
      learningRate: LEARNING_RATE,
      seed: o.seed + 1000,
      label: 'teacher',
      progress: o.progress ?? silentProgress,
    });
    log(
      `distill: teacher = search trial #${search.teacher.index + 1} (${describeArchitecture(search.teacher.architecture)})`,
    );
  }
  const teacher = teacherModel;
  const dataName = path.basename(path.resolve(o.data.path));
  const recipe: Recipe = {
    id: o.stream,
    artifactName: o.name,
    version: o.version,
    description: `${o.name}: classify ${data.labels.join(' / ')} from the user's ${data.kind === 'images' ? 'images' : 'time series'} (${data.describe}); architecture searched for ${o.target.mcu.id} (objective ${o.objective}): ${describeArchitecture(chosen)}`,
    labelDefinition:
      data.kind === 'images'
        ? 'the name of the class folder holding the image'
        : `the "${o.data.labelColumn ?? 'label'}" column of the user's CSV; a window takes the label of its segment (a run of rows with one label)`,
    datasets: [
      {
        name: dataName,
        split: data.splitDescription,
        files: data.files,
      },
    ],
    load: () => splits,
    preprocessing: template,
    spec: architectureSpec(data, chosen),
    batchSize: BATCH,
    learningRate: LEARNING_RATE,
    epochs,
    quick: { trainExamples: Number.MAX_SAFE_INTEGER, testExamples: Number.MAX_SAFE_INTEGER, epochs: QUICK_EPOCHS },
    balanceClasses: true,
    prune: { targetSparsity: 0.5, learningRate: 1e-3 },
    ...(teacher
      ? {
          distill: {
            teacher: () =>
              new TfjsTeacher(`search trial #${search.teacher!.index + 1}`, teacher, (raw) =>
                applyPreprocessing(fitPreprocessing(template, splits.train), raw),
              ),
            temperature: 4,
            alpha: 0.7,
          },
        }
      : {}),
    share: { bits: [4, 5], tolerancePts: 1 },
    goals: { maxFlashBytes: o.target.maxFlashBytes, maxRamBytes: o.target.maxRamBytes },
  };
  try {
    const result = await buildRecipe({
      recipe,
      outDir: o.outDir,
      quick: o.quick,
      seed: o.seed,
      key: o.key,
      progress: o.progress,
      log,
      cacheDir: o.cacheDir,
      evidenceDir: o.evidenceDir,
    });
    return {
      ...result,
      search,
      data: { kind: data.kind, describe: data.describe, labels: data.labels, examplesPerClass: data.examplesPerClass },
    };
  } finally {
    teacher?.dispose();
  }
}
