import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabelledData } from '@tinyfleet/datasets';
import { PipelineError } from '../pipeline.types';
import { concatLabelled, fieldEvidenceExamples, readEvidenceExport } from './evidence-data';
import { EVIDENCE_EXPORT_FORMAT, type EvidenceExportWindow } from './evidence-export.types';

const like: Pick<LabelledData, 'labels' | 'featureShape' | 'channels'> = {
  labels: ['dry', 'wet'],
  featureShape: [2, 2],
  channels: ['a', 'b'],
};

function f32(values: number[]): string {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, 4 * i));
  return b.toString('base64');
}

function win(over: Partial<EvidenceExportWindow> = {}): EvidenceExportWindow {
  return {
    id: 1,
    requestId: 1,
    deviceId: 'dev-1',
    modelTag: 7,
    model: 'soil@1.0.0',
    label: 'wet',
    predicted: 'dry',
    channels: ['a', 'b'],
    format: 'f32le',
    samples: 2,
    valuesPerSample: 2,
    imageWidth: 0,
    data: f32([1.5, -2, 0.25, 100]),
    ...over,
  };
}

function exportDir(windows: unknown[], format: string = EVIDENCE_EXPORT_FORMAT): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-evidence-'));
  fs.writeFileSync(path.join(dir, 'evidence.json'), JSON.stringify({ format, exportedAt: '', windows }));
  return dir;
}

describe('field evidence as training examples', () => {
  it('turns labelled windows into examples in the recipe label order, and appends them', () => {
    const read = readEvidenceExport(exportDir([win(), win({ id: 2, label: 'dry', data: f32([0, 0, 1, 1]) })]));
    expect(read.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    const ev = fieldEvidenceExamples(read.export, read.file, like);
    expect(ev.data.n).toBe(2);
    expect(Array.from(ev.data.y)).toEqual([1, 0]);
    expect(Array.from(ev.data.x)).toEqual([1.5, -2, 0.25, 100, 0, 0, 1, 1]);
    expect(ev.perLabel).toEqual({ wet: 1, dry: 1 });
    const train: LabelledData = { ...like, n: 1, x: Float32Array.of(9, 9, 9, 9), y: Int32Array.of(0) };
    const both = concatLabelled(train, ev.data);
    expect(both.n).toBe(3);
    expect(Array.from(both.y)).toEqual([0, 1, 0]);
  });

  it('reads u8 image windows as pixel values', () => {
    const img = { ...like, featureShape: [2, 2, 1], channels: ['gray'] };
    const w = win({ format: 'u8', samples: 1, valuesPerSample: 4, imageWidth: 2, channels: ['gray'] });
    w.data = Buffer.from([0, 10, 200, 255]).toString('base64');
    const read = readEvidenceExport(exportDir([w]));
    expect(Array.from(fieldEvidenceExamples(read.export, read.file, img).data.x)).toEqual([0, 10, 200, 255]);
  });

  it('refuses what it cannot use, naming the window', () => {
    const refuse = (windows: unknown[], format?: string) => {
      const dir = exportDir(windows, format);
      return () => {
        const read = readEvidenceExport(dir);
        fieldEvidenceExamples(read.export, read.file, like);
      };
    };
    expect(refuse([win()], 'other/1')).toThrow(/is not a tinyfleet-evidence\/1 export/);
    expect(refuse([win({ label: 'muddy' })])).toThrow(/label "muddy" is not one of dry, wet/);
    expect(refuse([win({ samples: 1, data: f32([1, 2]) })])).toThrow(/1 × 2 values; the recipe's examples have 4/);
    expect(refuse([win({ channels: ['b', 'a'] })])).toThrow(/channels b,a are not the recipe's a,b/);
    expect(refuse([win({ data: f32([1]) })])).toThrow(/4 bytes, the shape needs 16/);
    expect(refuse([{ ...win(), samples: 0 }])).toThrow(PipelineError);
    expect(() => readEvidenceExport(fs.mkdtempSync(path.join(os.tmpdir(), 'tinyfleet-empty-')))).toThrow(/not found/);
  });
});
