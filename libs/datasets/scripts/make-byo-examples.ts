/**
 * Example data "that no recipe knows", made from the public recordings in FLEET_DATA_DIR (never
 * committed), for the bring-your-own-data walk-through and its end-to-end test:
 *
 * - `--csv FILE`: a fruit store-room monitor. SmellNet's fruit recordings (MIT licence, see
 *   datasets/PROVENANCE.md §3a) relabelled by fruit family — citrus, tropical, orchard, other — as one
 *   time series with an ISO timestamp (1 s apart, as SmellNet logs), six MOX gas channels plus
 *   temperature and humidity, and a `crate` label column. Recordings are interleaved by family so
 *   every family appears in many separate segments.
 * - `--images DIR`: MNIST digits as PNG files, a folder per class (`DIR/<digit>/<n>.png`).
 *
 * node -r ./bin/register.js libs/datasets/scripts/make-byo-examples.ts --csv out/fruit-room.csv \
 *   [--rows-per-recording N] [--images out/digits --per-class N]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { readCsv } from '../src/csv-reader';
import { loadMnist } from '../src/loaders/image.loader';
import { SMELLNET_FILES } from '../src/loaders/gas.loader';

const FAMILY: Record<string, string> = {
  lemon: 'citrus',
  mandarin_orange: 'citrus',
  avocado: 'tropical',
  banana: 'tropical',
  mango: 'tropical',
  pineapple: 'tropical',
  apple: 'orchard',
  peach: 'orchard',
  pear: 'orchard',
  kiwi: 'other',
  strawberry: 'other',
  tomato: 'other',
};
const CHANNELS = [
  'no2_channel_raw',
  'c2h5oh_channel_raw',
  'voc_channel_raw',
  'co_channel_raw',
  'alcohol_channel_raw',
  'lpg_channel_raw',
  'temperature_degC',
  'humidity_pctRH',
];
const T0_MS = Date.UTC(2026, 0, 5, 8, 0, 0);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

export function makeFruitRoomCsv(file: string, rowsPerRecording = Infinity): number {
  const recordings = new Map<string, { family: string; rows: string[][] }>();
  for (const split of ['train', 'test'] as const) {
    const t = readCsv(SMELLNET_FILES[split]);
    const rec = t.column('recording_id');
    const sub = t.column('substance');
    const cols = CHANNELS.map((c) => t.column(c));
    for (let r = 0; r < t.rows.length; r++) {
      const id = t.rows[r][rec];
      const entry = recordings.get(id) ?? { family: FAMILY[t.rows[r][sub]], rows: [] };
      recordings.set(id, entry);
      if (entry.rows.length < rowsPerRecording) entry.rows.push(cols.map((c) => t.rows[r][c]));
    }
  }
  // Interleave families (round robin over each family's recordings in file order).
  const byFamily = new Map<string, { family: string; rows: string[][] }[]>();
  for (const r of recordings.values()) (byFamily.get(r.family) ?? byFamily.set(r.family, []).get(r.family)!).push(r);
  const lists = [...byFamily.values()];
  const ordered: { family: string; rows: string[][] }[] = [];
  for (let k = 0; ordered.length < recordings.size; k++) for (const l of lists) if (k < l.length) ordered.push(l[k]);
  const lines = [`timestamp,${CHANNELS.join(',')},crate`];
  let t = T0_MS;
  for (const r of ordered) {
    for (const row of r.rows) {
      lines.push(`${new Date(t).toISOString()},${row.join(',')},${r.family}`);
      t += 1000;
    }
    t += 60_000; // a minute between crates
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return lines.length - 1;
}

export function makeDigitFolders(dir: string, perClass: number): number {
  const d = loadMnist('test');
  const written = new Array<number>(d.labels.length).fill(0);
  const side = d.featureShape[0];
  for (let i = 0; i < d.n && written.some((w) => w < perClass); i++) {
    const label = d.y[i];
    if (written[label] >= perClass) continue;
    const png = new PNG({ width: side, height: side });
    for (let p = 0; p < side * side; p++) {
      const v = d.x[i * side * side + p];
      png.data.set([v, v, v, 255], p * 4);
    }
    const classDir = path.join(dir, d.labels[label]);
    fs.mkdirSync(classDir, { recursive: true });
    fs.writeFileSync(path.join(classDir, `${String(written[label]++).padStart(4, '0')}.png`), PNG.sync.write(png));
  }
  return written.reduce((a, b) => a + b, 0);
}

if (require.main === module) {
  const csv = arg('--csv');
  const images = arg('--images');
  if (!csv && !images) {
    process.stderr.write(
      'usage: make-byo-examples.ts --csv FILE [--rows-per-recording N] [--images DIR --per-class N]\n',
    );
    process.exit(2);
  }
  if (csv) {
    const rows = makeFruitRoomCsv(csv, Number(arg('--rows-per-recording') ?? Infinity));
    process.stdout.write(`${csv}: ${rows} rows (timestamp, ${CHANNELS.length} sensor columns, crate)\n`);
  }
  if (images) {
    const n = makeDigitFolders(images, Number(arg('--per-class') ?? 100));
    process.stdout.write(`${images}: ${n} PNG images in 10 class folders\n`);
  }
}
