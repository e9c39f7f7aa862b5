/** Verify the data folder against the committed manifest (libs/datasets/manifest.json). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir } from './data-dir';
import manifestJson from '../manifest.json';

export interface DatasetManifestEntry {
  name: string;
  source: string;
  licence: string;
  howToGet: string;
  files: { path: string; sha256: string; bytes: number }[];
}

export const DATASET_MANIFEST: { datasets: DatasetManifestEntry[] } = manifestJson;

export type FileStatus = 'ok' | 'missing' | 'size-mismatch' | 'hash-mismatch';

export interface DataCheckResult {
  dataDir: string;
  ok: boolean;
  files: { dataset: string; path: string; status: FileStatus; detail?: string }[];
  advice: string[];
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function checkDataDir(dir = dataDir()): DataCheckResult {
  const files: DataCheckResult['files'] = [];
  const advice: string[] = [];
  for (const ds of DATASET_MANIFEST.datasets) {
    let bad = false;
    for (const f of ds.files) {
      const abs = path.join(dir, f.path);
      let status: FileStatus = 'ok';
      let detail: string | undefined;
      if (!fs.existsSync(abs)) status = 'missing';
      else if (fs.statSync(abs).size !== f.bytes) {
        status = 'size-mismatch';
        detail = `${fs.statSync(abs).size} bytes, expected ${f.bytes}`;
      } else {
        const h = sha256File(abs);
        if (h !== f.sha256) {
          status = 'hash-mismatch';
          detail = `sha256 ${h}, expected ${f.sha256}`;
        }
      }
      if (status !== 'ok') bad = true;
      files.push({ dataset: ds.name, path: f.path, status, detail });
    }
    if (bad) advice.push(`${ds.name}: ${ds.howToGet} Source: ${ds.source}. Licence: ${ds.licence}.`);
  }
  if (advice.length)
    advice.push(
      `Put the files under ${dir} (or point FLEET_DATA_DIR at a folder laid out as datasets/ and reference-models/).`,
    );
  return { dataDir: dir, ok: advice.length === 0, files, advice };
}

/** Manifest entry of one dataset, for the artifact manifest's dataset references. */
export function datasetRef(name: string): DatasetManifestEntry {
  const ds = DATASET_MANIFEST.datasets.find((d) => d.name === name);
  if (!ds) throw new Error(`dataset ${name} is not in libs/datasets/manifest.json`);
  return ds;
}
