import { roundChannelStatistics, type Preprocessing } from '@tinyfleet/artifact';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultDataDir } from '../fleet/fleet-setup';
import type { SensorStream } from '../streams/sensor-stream';
import { PERSON_DETECT_PATH, personDetectPreprocessing } from './model-artifact';
import { Preprocessor } from './preprocess';

function stream(rows: number[][], channels: string[]): SensorStream {
  return {
    id: 't',
    sensor: 'gas',
    recipe: 't',
    channels,
    labels: ['a'],
    length: rows.length,
    rawSampleBytes: 8,
    values: (i) => rows[((i % rows.length) + rows.length) % rows.length],
    groundTruth: () => 0,
    nextIntervalMs: () => 1000,
    describe: () => '',
  };
}

describe('Preprocessor (manifest preprocessing on one window)', () => {
  it('picks channels, stacks oldest first, transforms, replaces invalid readings, standardises and quantises', () => {
    const p: Preprocessing = {
      kind: 'window',
      transform: 'signed-log1p',
      channels: ['b', 'a'],
      windowLength: 2,
      mean: [0, 1],
      std: [1, 2],
      invalidValues: [4294967295],
      quantization: { scale: 0.5, zeroPoint: -3, dtype: 'int8' },
    };
    const s = stream(
      [
        [10, Math.E - 1, 0],
        [20, 4294967295, -(Math.E ** 2 - 1)],
      ],
      ['a', 'b', 'c'],
    );
    const pre = new Preprocessor(p, s);
    const input = new Int8Array(4);
    pre.fill(input, 1);
    // t0: b = e−1 → log1p = 1 → (1−0)/1 = 1 → 1/0.5 − 3 = −1; a = 10 → ln 11 = 2.398 → (2.398−1)/2 = 0.699 → round(1.398) − 3 = −2
    // t1: b invalid → mean → 0 → −3;                         a = 20 → ln 21 = 3.045 → 1.022 → round(2.045) − 3 = −1
    expect(Array.from(input)).toEqual([-1, -2, -3, -1]);
  });

  it('images: person_detect preprocessing gives pixel − 128 (but 126 for 255), with constants a device manifest carries', () => {
    const model = new Uint8Array(fs.readFileSync(path.join(defaultDataDir(), PERSON_DETECT_PATH)));
    const p = personDetectPreprocessing(model);
    expect(roundChannelStatistics(p.mean, p.std)).toEqual({ mean: p.mean, std: p.std });
    const px = Uint8Array.from({ length: 256 }, (_, i) => i);
    const pre = new Preprocessor(p, { ...stream([[0]], ['gray']), values: () => px });
    const input = new Int8Array(px.length);
    pre.fill(input, 0);
    expect(Array.from(input)).toEqual(Array.from(px, (v) => (v === 255 ? 126 : v - 128)));
  });

  it('refuses what the node cannot reproduce', () => {
    const base: Preprocessing = {
      kind: 'window',
      transform: 'none',
      channels: ['zz'],
      windowLength: 1,
      mean: [0],
      std: [1],
      quantization: { scale: 1, zeroPoint: 0, dtype: 'int8' },
    };
    expect(() => new Preprocessor(base, stream([[1]], ['a']))).toThrow(/channel "zz"/);
    expect(
      () => new Preprocessor({ ...base, channels: ['a'], derivedFeatures: 'slope' }, stream([[1]], ['a'])),
    ).toThrow(/derived features/);
  });
});
