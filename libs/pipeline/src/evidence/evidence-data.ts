/**
 * Labelled field evidence as training examples (`model build … --add-evidence DIR`): reads the
 * platform's export (evidence-export.types.ts), checks every window against the recipe's classes
 * and input layout, and returns them as LabelledData to append to the training split only, so the
 * validation and test splits stay the recipe's own data and the reported accuracy stays comparable.
 */
import { featureSize, type LabelledData } from '@tinyfleet/datasets';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PipelineError } from '../pipeline.types';
import {
  EVIDENCE_EXPORT_FILE,
  EVIDENCE_EXPORT_FORMAT,
  type EvidenceExport,
  type EvidenceExportWindow,
} from './evidence-export.types';

export interface FieldEvidence {
  /** The windows as raw examples, in the recipe's label order and feature shape. */
  data: LabelledData;
  /** The export file and its hash (named in the manifest's datasets). */
  file: { path: string; sha256: string; bytes: number };
  /** Windows per operator label. */
  perLabel: Record<string, number>;
}

/** Reads DIR/evidence.json; a file that is not a tinyfleet-evidence/1 export is a PipelineError naming why. */
export function readEvidenceExport(dir: string): { export: EvidenceExport; file: FieldEvidence['file'] } {
  const file = path.join(dir, EVIDENCE_EXPORT_FILE);
  if (!fs.existsSync(file))
    throw new PipelineError(`--add-evidence: ${file} not found (tinyfleet evidence export DIR writes it)`);
  const bytes = fs.readFileSync(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PipelineError(`--add-evidence: ${file} is not JSON: ${(err as Error).message}`);
  }
  const exp = parsed as Partial<EvidenceExport>;
  if (exp?.format !== EVIDENCE_EXPORT_FORMAT || !Array.isArray(exp.windows))
    throw new PipelineError(`--add-evidence: ${file} is not a ${EVIDENCE_EXPORT_FORMAT} export`);
  exp.windows.forEach((w, i) => checkWindow(w, `${file}: windows[${i}]`));
  return {
    export: exp as EvidenceExport,
    file: { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
  };
}

function checkWindow(w: unknown, at: string): asserts w is EvidenceExportWindow {
  const o = w as Record<string, unknown>;
  const int = (k: string, min: number) => {
    if (!Number.isInteger(o?.[k]) || (o[k] as number) < min)
      throw new PipelineError(`${at}.${k}: expected an integer >= ${min}`);
  };
  if (typeof o !== 'object' || o === null) throw new PipelineError(`${at}: expected an object`);
  if (typeof o.label !== 'string' || o.label === '') throw new PipelineError(`${at}.label: expected a class name`);
  if (o.format !== 'f32le' && o.format !== 'u8') throw new PipelineError(`${at}.format: expected f32le or u8`);
  int('samples', 1);
  int('valuesPerSample', 1);
  int('imageWidth', 0);
  if (o.channels !== null && (!Array.isArray(o.channels) || o.channels.some((c) => typeof c !== 'string')))
    throw new PipelineError(`${at}.channels: expected null or a list of names`);
  if (typeof o.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.data))
    throw new PipelineError(`${at}.data: expected base64`);
  const bytes = Buffer.from(o.data, 'base64').length;
  const expected = (o.samples as number) * (o.valuesPerSample as number) * (o.format === 'u8' ? 1 : 4);
  if (bytes !== expected) throw new PipelineError(`${at}.data: ${bytes} bytes, the shape needs ${expected}`);
}

/**
 * The export's windows as examples of a recipe whose raw training data looks like `like` (labels,
 * feature shape, channels). A window with a label the recipe does not have, another number of
 * values, or other channels is refused with its index: none is silently dropped or reshaped.
 */
export function fieldEvidenceExamples(
  exp: EvidenceExport,
  file: FieldEvidence['file'],
  like: Pick<LabelledData, 'labels' | 'featureShape' | 'channels'>,
): FieldEvidence {
  const size = featureSize(like);
  const x = new Float32Array(exp.windows.length * size);
  const y = new Int32Array(exp.windows.length);
  const perLabel: Record<string, number> = {};
  exp.windows.forEach((w, i) => {
    const at = `${file.path}: windows[${i}] (evidence ${w.id} from ${w.deviceId})`;
    const label = like.labels.indexOf(w.label);
    if (label < 0)
      throw new PipelineError(`${at}: label ${JSON.stringify(w.label)} is not one of ${like.labels.join(', ')}`);
    if (w.samples * w.valuesPerSample !== size)
      throw new PipelineError(`${at}: ${w.samples} × ${w.valuesPerSample} values; the recipe's examples have ${size}`);
    // Images carry one channel name for all pixels; sensor windows name every value of a sample.
    if (w.channels !== null && w.imageWidth === 0 && w.channels.join('\n') !== like.channels.join('\n'))
      throw new PipelineError(
        `${at}: channels ${w.channels.join(',')} are not the recipe's ${like.channels.join(',')}`,
      );
    const raw = Buffer.from(w.data, 'base64');
    if (w.format === 'u8') x.set(raw, i * size);
    else for (let k = 0; k < size; k++) x[i * size + k] = raw.readFloatLE(4 * k);
    y[i] = label;
    perLabel[w.label] = (perLabel[w.label] ?? 0) + 1;
  });
  return {
    data: {
      n: exp.windows.length,
      featureShape: like.featureShape,
      x,
      y,
      labels: like.labels,
      channels: like.channels,
    },
    file,
    perLabel,
  };
}

/** `a` followed by `b` (same labels, shape and channels). */
export function concatLabelled(a: LabelledData, b: LabelledData): LabelledData {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Int32Array(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { ...a, n: a.n + b.n, x, y };
}
