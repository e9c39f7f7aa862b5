import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { checkDataDir } from './data-check';
import { DatasetCorruptError, DatasetFormatError, DatasetMissingError } from './dataset-errors';
import { loadMnist } from './loaders/image.loader';
import { loadSmellnetWindows, loadUciGas, SMELLNET_FILES, UCI_GAS_FILES } from './loaders/gas.loader';
import { loadSoilWindows, SOIL_FILES } from './loaders/soil.loader';

describe('datasets on a broken data folder', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-data-'));
  const saved = process.env.FLEET_DATA_DIR;
  const put = (rel: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true });
    fs.writeFileSync(path.join(tmp, rel), content);
  };
  beforeAll(() => (process.env.FLEET_DATA_DIR = tmp));
  afterAll(() => {
    if (saved === undefined) delete process.env.FLEET_DATA_DIR;
    else process.env.FLEET_DATA_DIR = saved;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a missing file is one DatasetMissingError naming the file', () => {
    expect(() => loadMnist('train')).toThrow(DatasetMissingError);
    expect(() => loadMnist('train')).toThrow(/train10k-images-idx3-ubyte\.gz: missing dataset file .*FLEET_DATA_DIR/);
  });

  it('a corrupt gzip is a DatasetCorruptError', () => {
    put('datasets/mnist/train10k-images-idx3-ubyte.gz', 'not gzip at all');
    expect(() => loadMnist('train')).toThrow(DatasetCorruptError);
    put(
      'datasets/mnist/train10k-images-idx3-ubyte.gz',
      zlib.gzipSync(Buffer.from([0, 0, 8, 3, 0, 0, 0, 9, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2])),
    );
    expect(() => loadMnist('train')).toThrow(/expected 7072 bytes, found 18/);
  });

  it('a CSV row with a missing column or a non-number names file and line', () => {
    const header = 'timestamp_local,farm_id,vwc_pct,raw_capacitive_adc_counts';
    put(SOIL_FILES.train, `${header}\n2025-01-05 00:00:00,F1,14.1,700\n2025-01-05 00:15:00,F1,14.0\n`);
    const opts = { windowSteps: 1, horizonSteps: 1, channels: ['vwc_pct'] };
    expect(() => loadSoilWindows('train', opts)).toThrow(DatasetFormatError);
    expect(() => loadSoilWindows('train', opts)).toThrow(
      /ecoirrigate_kolkata_15min_train\.csv:3: expected 4 columns, found 3/,
    );
    put(
      SOIL_FILES.train,
      `${header}\n2025-01-05 00:00:00,F1,14.1,700\n2025-01-05 00:15:00,F1,abc,700\n2025-01-05 00:30:00,F1,9,700\n`,
    );
    expect(() => loadSoilWindows('train', opts)).toThrow(/:3: column "vwc_pct": "abc" is not a number/);
  });

  it('selecting the benzene channel with its 2^32-1 invalid readings is refused with the line', () => {
    put(
      SMELLNET_FILES.train,
      'recording_id,substance,sample_index,benzene_channel_raw\nr1,apple,0,12\nr1,apple,1,4294967295\n',
    );
    expect(() =>
      loadSmellnetWindows('train', { channels: ['benzene_channel_raw'], windowSteps: 1, strideSteps: 1 }),
    ).toThrow(/smellnet_fruits_train\.csv:3: invalid reading/);
  });

  it('an unknown gas id is a format error', () => {
    const feats = Array.from({ length: 128 }, (_, i) => `s${String(Math.floor(i / 8) + 1).padStart(2, '0')}_f${i % 8}`);
    put(
      UCI_GAS_FILES.train,
      `batch,gas,gas_id,concentration_ppmv,${feats.join(',')}\n1,X,7,10,${feats.map(() => '1').join(',')}\n`,
    );
    expect(() => loadUciGas([1])).toThrow(/uci_gas_drift_train\.csv:2: gas_id 7 out of range/);
  });

  it('data check lists missing and mismatching files with how to get them', () => {
    const r = checkDataDir(tmp);
    expect(r.ok).toBe(false);
    expect(r.files.find((f) => f.path.endsWith('t10k-images-idx3-ubyte.gz'))?.status).toBe('missing');
    expect(r.files.find((f) => f.path.endsWith('train10k-images-idx3-ubyte.gz'))?.status).toBe('size-mismatch');
    expect(r.advice.join('\n')).toMatch(/kelas\/mnist/);
    expect(r.advice.join('\n')).toMatch(/FLEET_DATA_DIR/);
  });
});

describe('datasets on the real data folder', () => {
  it('every manifest file is present with the recorded sha256', () => {
    const r = checkDataDir();
    expect(r.files.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('soil windows follow the documented label (future VWC below 11 %)', () => {
    const d = loadSoilWindows('test', { windowSteps: 4, horizonSteps: 8, channels: ['vwc_pct'] });
    expect(d.n).toBeGreaterThan(3000);
    // The last reading of every window is at or above the threshold.
    for (let i = 0; i < d.n; i++) expect(d.x[i * 4 + 3]).toBeGreaterThanOrEqual(11);
    const positives = d.y.reduce((a, b) => a + b, 0);
    expect(positives).toBeGreaterThan(0);
    expect(positives).toBeLessThan(d.n / 2);
  });
});
