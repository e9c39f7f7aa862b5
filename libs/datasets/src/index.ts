/** @tinyfleet/datasets: reads the real datasets from FLEET_DATA_DIR (never from the repo) and checks them. */
export * from './dataset-errors';
export { dataDir, dataFile, repoRoot } from './data-dir';
export { parseCsv, readCsv } from './csv-reader';
export type { CsvTable } from './csv-reader';
export { readIdxImages, readIdxLabels } from './idx-reader';
export { checkDataDir, datasetRef, sha256File, DATASET_MANIFEST } from './data-check';
export type { DataCheckResult, DatasetManifestEntry } from './data-check';
export * from './labelled-data.types';
export * from './loaders/image.loader';
export * from './loaders/soil.loader';
export * from './loaders/gas.loader';
export * from './preprocess/input-preprocessor';
export * from './user/time-series-csv';
export * from './user/user-splits';
export * from './user/image-folder';
