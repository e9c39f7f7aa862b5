import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { imageSplit, readImageFolder, resizeImage } from './image-folder';
import { readTimeSeries } from './time-series-csv';
import { segmentCuts, timeSeriesSplits } from './user-splits';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-user-data-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function csv(name: string, lines: string[]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

/** Two classes, each a block of `rows` rows: a = slow sine, b = fast sine. */
function goodCsv(name: string, rows = 100): string {
  const lines = ['timestamp,ax,ay,label'];
  for (let i = 0; i < 2 * rows; i++) {
    const fast = i >= rows;
    lines.push(`${i * 0.5},${Math.sin(i * (fast ? 1.3 : 0.2)).toFixed(4)},${(i % 7) / 7},${fast ? 'b' : 'a'}`);
  }
  return csv(name, lines);
}

describe('user time series (CSV)', () => {
  it('reads segments, channels, labels and the sample interval; splits by time within every segment', () => {
    const d = readTimeSeries(goodCsv('good.csv'));
    expect(d.channels).toEqual(['ax', 'ay']);
    expect(d.labels).toEqual(['a', 'b']);
    expect(d.segments.map((s) => [s.label, s.rows, s.firstLine])).toEqual([
      [0, 100, 2],
      [1, 100, 102],
    ]);
    expect(d.sampleIntervalSeconds).toBe(0.5);
    expect(segmentCuts(100)).toEqual({ train: [0, 70], val: [70, 85], test: [85, 100] });
    const s = timeSeriesSplits(d, 10, 5);
    // 70 rows → 13 windows, 15 → 2, 15 → 2 per class: stratified, windows never cross a cut.
    expect([s.train.n, s.val.n, s.test.n]).toEqual([26, 4, 4]);
    expect(Array.from(s.test.y)).toEqual([0, 0, 1, 1]);
    expect(s.test.x[0]).toBeCloseTo(Math.sin(85 * 0.2), 4);
    expect(s.train.featureShape).toEqual([10, 2]);
  });

  it.each([
    ['missing label column', ['timestamp,ax,class', '0,1,a', '1,2,b'], {}, /bad1\.csv:1: no label column "label"/],
    ['one class only', ['timestamp,ax,label', '0,1,a', '1,2,a'], {}, /only one class \("a"\)/],
    ['ragged rows', ['timestamp,ax,label', '0,1,a', '1,2', '2,3,b'], {}, /bad4\.csv:3: expected 3 columns, found 2/],
    ['NaN', ['timestamp,ax,label', '0,1,a', '1,NaN,b'], {}, /bad5\.csv:3: column "ax": "NaN" is not a number/],
    [
      'time going backwards',
      ['timestamp,ax,label', '5,1,a', '4,2,b'],
      {},
      /bad6\.csv:3: timestamp 4 does not increase/,
    ],
  ])('refuses %s, naming file and line', (_what, lines, opts, re) => {
    const n = { 'missing label column': 1, 'one class only': 2, 'ragged rows': 4, NaN: 5, 'time going backwards': 6 }[
      _what as string
    ];
    expect(() => readTimeSeries(csv(`bad${n}.csv`, lines as string[]), opts)).toThrow(re);
  });

  it('holdout segments: whole segments per split, stratified; refuses a class with fewer than 3 segments', () => {
    const lines = ['timestamp,ax,label'];
    for (let seg = 0; seg < 8; seg++)
      for (let i = 0; i < 20; i++) lines.push(`${seg * 20 + i},${seg},${seg % 2 ? 'b' : 'a'}`);
    const d = readTimeSeries(csv('segs.csv', lines));
    const splits = timeSeriesSplits(d, 5, 5, 'segments');
    // 4 segments per class: 1 test, 1 val, 2 train each; every window's values name its one segment.
    expect([splits.train.n, splits.val.n, splits.test.n]).toEqual([16, 8, 8]);
    const segsOf = (x: Float32Array) => new Set(Array.from(x));
    const train = segsOf(splits.train.x);
    for (const v of segsOf(splits.test.x)) expect(train.has(v)).toBe(false);
    expect(Array.from(splits.test.y).sort()).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    const two = readTimeSeries(csv('two.csv', lines.slice(0, 41)));
    expect(() => timeSeriesSplits(two, 5, 5, 'segments')).toThrow(
      /class "a" has 1 segment\(s\); --holdout segments needs at least 3/,
    );
  });

  it('refuses too little data per class for the window', () => {
    const d = readTimeSeries(goodCsv('short.csv', 30));
    expect(() => timeSeriesSplits(d, 10, 5)).toThrow(
      /short\.csv:2: too little data for class "a": 30 rows give 3 train window\(s\) of 10 samples \(need 5/,
    );
  });

  it('reads a folder of CSVs with the same columns, and refuses one whose columns differ', () => {
    const dir = path.join(tmp, 'folder');
    fs.mkdirSync(dir);
    fs.copyFileSync(goodCsv('g1.csv'), path.join(dir, 'a.csv'));
    fs.copyFileSync(goodCsv('g2.csv'), path.join(dir, 'b.csv'));
    expect(readTimeSeries(dir).segments).toHaveLength(4);
    fs.writeFileSync(path.join(dir, 'c.csv'), 'timestamp,gx,label\n0,1,a\n');
    expect(() => readTimeSeries(dir)).toThrow(/c\.csv:1: sensor columns gx differ/);
  });
});

function png(file: string, w: number, h: number, v: (x: number, y: number) => number): void {
  const p = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    const g = v(i % w, Math.floor(i / w));
    p.data.set([g, g, g, 255], i * 4);
  }
  fs.writeFileSync(file, PNG.sync.write(p));
}

describe('user images (a folder per class)', () => {
  const root = path.join(tmp, 'images');
  beforeAll(() => {
    for (const [label, bright] of [
      ['dark', 20],
      ['light', 220],
    ] as const) {
      fs.mkdirSync(path.join(root, label), { recursive: true });
      for (let i = 0; i < 8; i++) png(path.join(root, label, `${i}.png`), 8, 8, (x) => bright + x);
    }
    // One JPEG among them: decoded by jpeg-js.
    const data = Buffer.alloc(8 * 8 * 4, 200);
    fs.writeFileSync(path.join(root, 'light', 'j.jpg'), jpeg.encode({ data, width: 8, height: 8 }, 95).data);
  });

  it('decodes PNG and JPEG, resizes with a box filter, splits per class 70/15/15 deterministically', () => {
    const d = readImageFolder(root);
    expect(d.labels).toEqual(['dark', 'light']);
    expect(d.imagesPerClass).toEqual([8, 9]);
    const small = resizeImage(d.images[0], 4, 'gray');
    expect(Array.from(small.subarray(0, 4))).toEqual([21, 23, 25, 27]); // mean of pixel pairs 20+21 …
    const test = imageSplit(d, 'test', 4, 'gray');
    const again = imageSplit(readImageFolder(root), 'test', 4, 'gray');
    expect(Array.from(test.y)).toEqual([0, 1]);
    expect(Array.from(again.x)).toEqual(Array.from(test.x));
    const all = ['train', 'val', 'test'].map((s) => imageSplit(d, s as 'train', 4, 'rgb').n);
    expect(all).toEqual([13, 2, 2]);
    expect(imageSplit(d, 'train', 4, 'rgb').featureShape).toEqual([4, 4, 3]);
  });

  it('refuses an unreadable image, one class only and too few images per class', () => {
    const bad = path.join(tmp, 'bad-images');
    fs.mkdirSync(path.join(bad, 'a'), { recursive: true });
    fs.mkdirSync(path.join(bad, 'b'), { recursive: true });
    for (let i = 0; i < 7; i++) png(path.join(bad, 'a', `${i}.png`), 4, 4, () => 1);
    expect(() => readImageFolder(bad)).toThrow(/found 1 class folder\(s\) with PNG\/JPEG images \(a\)/);
    for (let i = 0; i < 3; i++) png(path.join(bad, 'b', `${i}.png`), 4, 4, () => 1);
    expect(() => readImageFolder(bad)).toThrow(
      /bad-images\/b: too little data for class "b": 3 image\(s\), need at least 7/,
    );
    fs.writeFileSync(path.join(bad, 'b', 'broken.png'), 'not a png');
    expect(() => readImageFolder(bad)).toThrow(/b\/broken\.png: unreadable image/);
  });
});
