import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { imageSplit, readImageFolder, readTimeSeries, timeSeriesSplits } from '@tinyfleet/datasets';
import { loadUserStream } from './user.stream';

describe('the user’s recording as a node stream', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-user-stream-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = path.join(tmp, 'room.csv');
  beforeAll(() => {
    const lines = ['timestamp,a,b,label'];
    for (let i = 0; i < 300; i++) lines.push(`${i},${i},${-i},${Math.floor(i / 100) % 2 ? 'open' : 'closed'}`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  });

  it('replays the held-out part after a warm-up from the same segment; full windows are the pipeline’s test windows', () => {
    const w = 8;
    const s = loadUserStream({
      file,
      rateHz: 2,
      id: 'room',
      sensor: 'soil',
      labels: ['open', 'closed'], // the model's order, not the file's
      part: 'test',
      windowLength: w,
    });
    // Three segments of 100 rows; held out: rows 85..99 of each, plus 7 warm-up rows before.
    expect(s.length).toBe(3 * (15 + 7));
    expect(s.nextIntervalMs(0, Math.random)).toBe(500);
    const test = timeSeriesSplits(readTimeSeries(file), w, 1).test;
    // The node's window ending at stream sample 14 (row 92) is the pipeline's first test window (rows 85..92) …
    const node = Array.from({ length: w }, (_, k) => Array.from(s.values(7 + k))).flat();
    expect(node).toEqual(Array.from(test.x.subarray(0, w * 2)));
    // … and the one ending at the first held-out row (85) holds rows 78..85 of the same segment, not the previous one's.
    expect(Array.from(s.values(0))).toEqual([78, -78]);
    expect(s.groundTruth(7)).toBe(1); // "closed" is the model's label 1
    expect(s.groundTruth(22 + 7)).toBe(0);
    expect(s.describe(7)).toBe('room.csv:87');
    // Scored: windows inside one segment piece (ending on a held-out row), not those reaching into the previous piece.
    expect([s.scored!(6), s.scored!(7), s.scored!(21), s.scored!(22), s.scored!(29)]).toEqual([
      false,
      true,
      true,
      false,
      true,
    ]);
  });

  it('refuses a label the model does not know', () => {
    expect(() =>
      loadUserStream({ file, rateHz: 1, id: 'room', sensor: 'soil', labels: ['open', 'ajar'], part: 'all' }),
    ).toThrow(/label "closed" is not one of the model's labels \(open, ajar\)/);
  });

  it('replays an image folder’s held-out images at the model’s input size, classes interleaved', () => {
    const root = path.join(tmp, 'images');
    for (const [label, v] of [
      ['cat', 30],
      ['dog', 200],
    ] as const) {
      fs.mkdirSync(path.join(root, label), { recursive: true });
      for (let i = 0; i < 14; i++) {
        const p = new PNG({ width: 8, height: 8 });
        for (let k = 0; k < 64; k++) p.data.set([v + i, v + i, v + i, 255], k * 4);
        fs.writeFileSync(path.join(root, label, `${i}.png`), PNG.sync.write(p));
      }
    }
    const s = loadUserStream({
      file: root,
      rateHz: 0.1,
      id: 'pets',
      sensor: 'doorbell',
      labels: ['dog', 'cat'],
      part: 'test',
      imageSize: 4,
      color: 'gray',
    });
    const test = imageSplit(readImageFolder(root), 'test', 4, 'gray');
    expect(s.length).toBe(test.n);
    expect(s.rawSampleBytes).toBe(16);
    expect(s.nextIntervalMs(0, Math.random)).toBe(10_000);
    // Alternating classes, ground truth in the model's label order, pixels as the pipeline's test split.
    expect([s.groundTruth(0), s.groundTruth(1), s.groundTruth(2), s.groundTruth(3)]).toEqual([1, 0, 1, 0]);
    expect(Array.from(s.values(0))).toEqual(Array.from(test.x.subarray(0, 16)));
  });
});
