/**
 * The default fleet's models, as a newcomer should find them: built once (the soil and gas recipes,
 * quick settings) or packaged once (TFLM's person_detect for the doorbells), signed with the local
 * development key the nodes trust, and registered with the platform — so the Models view lists what
 * the fleet runs, and a rollout of a new version can start from there.
 */
import { MANIFEST_SCHEMA, type ArtifactManifest } from '@tinyfleet/artifact';
import {
  artifactUpload,
  createKeyPair,
  deviceManifestBytes,
  loadSigningKey,
  PRIVATE_KEY_FILE,
} from '@tinyfleet/artifact/verify-node';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PERSON_DETECT_LABELS, PERSON_DETECT_PATH, personDetectPreprocessing } from '../inference/model-artifact';
import { defaultTrustedKeyDir, REPO_ROOT } from './fleet-setup';

/** Recipes whose artifacts the default fleet builds at first start (quick settings: seconds each). */
const QUICK_RECIPES = ['soil', 'gas-fruit', 'gas-ethylene'];

interface ModelJob {
  recipe: string;
  out: string;
  /** `tinyfleet` arguments that write the artifact folder `out`. */
  args: string[];
  what: string;
}

export interface FleetModelsOptions {
  httpUrl: string;
  cacheDir: string;
  dataDir: string;
  /** The signing key folder (`.tinyfleet/keys`): builds sign with it, the platform is told to trust it. */
  keyDir: string;
  /**
   * What the fleet does while a model is made, for the log line that announces the build: the caller
   * knows whether its nodes already run (`npm start`: they sample and report, and their model scan
   * installs each as it appears) or wait for the models (`bench:fleet`). Nothing is said without it.
   */
  meanwhile?: string;
  log: (line: string) => void;
}

/**
 * The local dev signing key the nodes trust (made on first use): it must exist before the nodes load
 * their trust store, and the fleet's builds sign with it.
 */
export function ensureTrustedDevKey(): string {
  const keyDir = defaultTrustedKeyDir();
  if (!fs.existsSync(path.join(keyDir, PRIVATE_KEY_FILE))) createKeyPair(keyDir);
  return keyDir;
}

/**
 * Builds or packages whatever is missing, one at a time in a child process, and registers every
 * artifact with the platform.
 */
export function prepareFleetModels(o: FleetModelsOptions): { cancel(): void; done: Promise<void> } {
  let child: ChildProcess | null = null;
  let cancelled = false;
  // Resolves once every job ran (built, failed and logged, or cancelled): a benchmark waits for it.
  const done = (async () => {
    const trusted = await trustDevKey(o).catch((err: Error) => {
      o.log(`the platform was not told to trust the dev key, so the fleet's models stay unregistered: ${err.message}`);
      return false;
    });
    for (const job of modelJobs(o)) {
      if (cancelled) return;
      if (!hasCurrentArtifact(job.out)) {
        o.log(`${job.what} (→ ${path.relative(REPO_ROOT, job.out)})${o.meanwhile ? `; ${o.meanwhile}` : ''}`);
        const started = Date.now();
        let stderr = '';
        const code = await new Promise<number | null>((resolve) => {
          child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'tinyfleet.js'), ...job.args], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
          child.once('exit', (c) => resolve(c));
          child.once('error', () => resolve(-1));
        });
        child = null;
        if (cancelled) return;
        if (code !== 0) {
          const tail = stderr.trim().split('\n').slice(-3).join(' | ');
          o.log(`${job.recipe} model failed (exit ${code}); its nodes run without it: ${tail}`);
          continue;
        }
        o.log(`${job.recipe} model ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      if (trusted)
        await register(o, job).catch((err: Error) => o.log(`${job.recipe} model not registered: ${err.message}`));
    }
  })();
  return {
    done,
    cancel: () => {
      cancelled = true;
      (child as ChildProcess | null)?.kill('SIGTERM');
    },
  };
}

function modelJobs(o: FleetModelsOptions): ModelJob[] {
  const built = QUICK_RECIPES.map((recipe) => {
    const out = path.join(o.cacheDir, recipe, 'quick');
    return {
      recipe,
      out,
      args: ['model', 'build', recipe, '--quick', '--key', o.keyDir, '--out', out],
      what: `building the ${recipe} model (model build ${recipe} --quick)`,
    };
  });
  const model = path.join(o.dataDir, PERSON_DETECT_PATH);
  const out = path.join(o.cacheDir, 'doorbell', 'person-detect');
  const preprocessingFile = path.join(o.cacheDir, 'doorbell', 'person-detect.preprocessing.json');
  fs.mkdirSync(path.dirname(preprocessingFile), { recursive: true });
  fs.writeFileSync(
    preprocessingFile,
    JSON.stringify(personDetectPreprocessing(new Uint8Array(fs.readFileSync(model)))),
  );
  const packaged: ModelJob = {
    recipe: 'doorbell',
    out,
    args: [
      'model',
      'package',
      model,
      '--name',
      'person-detect',
      '--version',
      '1.0.0',
      '--stream',
      'doorbell',
      '--labels',
      PERSON_DETECT_LABELS.join(','),
      '--preprocessing',
      preprocessingFile,
      '--description',
      "TFLM's person_detection example model, as the doorbells run it",
      '--key',
      o.keyDir,
      '--out',
      out,
    ],
    what: "packaging TFLM's person_detect as the doorbell model (model package)",
  };
  return [...built, packaged];
}

/**
 * An artifact folder in the current format (a build from an older release is made again): its
 * manifest schema, and a device manifest that can be made from it (builds before the 3-byte mean/std
 * form fitted constants that form cannot carry).
 */
function hasCurrentArtifact(dir: string): boolean {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return false;
  try {
    const json = fs.readFileSync(file);
    const manifest = JSON.parse(json.toString('utf8')) as ArtifactManifest;
    return manifest.schema === MANIFEST_SCHEMA && deviceManifestBytes(manifest, json).length > 0;
  } catch {
    return false;
  }
}

async function trustDevKey(o: FleetModelsOptions): Promise<boolean> {
  const key = loadSigningKey(o.keyDir);
  await post(o.httpUrl, '/api/keys', {
    name: `local development key (${path.relative(REPO_ROOT, o.keyDir)})`,
    publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  });
  return true;
}

async function register(o: FleetModelsOptions, job: ModelJob): Promise<void> {
  const res = await post(o.httpUrl, '/api/models', artifactUpload(job.out), [409]);
  // 409: this version is registered already (an earlier start); versions are immutable.
  if (res === 201) o.log(`${job.recipe} model registered (the Models view and rollouts start from it)`);
}

async function post(httpUrl: string, route: string, body: unknown, accepted: number[] = []): Promise<number> {
  const res = await fetch(new URL(route, httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok && !accepted.includes(res.status))
    throw new Error(`POST ${route} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.status;
}
