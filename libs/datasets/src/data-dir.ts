/** Where data lives: FLEET_DATA_DIR, else ../shared next to the repository (CI and tests). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetMissingError } from './dataset-errors';

export function repoRoot(): string {
  // libs/datasets/src -> repo root; works both from sources and from dist/ (same depth).
  return path.resolve(__dirname, '..', '..', '..');
}

export function dataDir(): string {
  return process.env.FLEET_DATA_DIR
    ? path.resolve(process.env.FLEET_DATA_DIR)
    : path.resolve(repoRoot(), '..', 'shared');
}

/** Absolute path of a file under the data folder; throws DatasetMissingError with how-to-get advice. */
export function dataFile(relPath: string): string {
  const file = path.join(dataDir(), relPath);
  if (!fs.existsSync(file)) {
    throw new DatasetMissingError(
      `missing dataset file (data folder ${dataDir()}; set FLEET_DATA_DIR or run \`tinyfleet data check\` for sources)`,
      file,
    );
  }
  return file;
}
