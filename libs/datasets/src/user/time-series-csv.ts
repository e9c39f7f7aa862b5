/**
 * The user's own time series: one CSV, or a folder of CSVs, with a timestamp column, sensor columns and
 * a label column. Every problem is a DatasetError naming the file and line; nothing is half-read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCsv } from '../csv-reader';
import { DatasetFormatError, DatasetMissingError } from '../dataset-errors';

export interface TimeSeriesOptions {
  /** Default `label`. */
  labelColumn?: string;
  /** Default `timestamp`; seconds (a number) or an ISO 8601 date. */
  timestampColumn?: string;
  /** Sensor columns to use (default: every other column). */
  channels?: string[];
}

/** A run of consecutive rows of one file with the same label, in time order. */
export interface TimeSeriesSegment {
  file: string;
  /** 1-based line of the segment's first row. */
  firstLine: number;
  label: number;
  /** Rows × channels, row-major. */
  values: Float32Array;
  rows: number;
}

export interface TimeSeriesData {
  files: string[];
  channels: string[];
  /** Sorted label names; a segment's label indexes this. */
  labels: string[];
  segments: TimeSeriesSegment[];
  /** Median interval between consecutive rows, seconds. */
  sampleIntervalSeconds: number;
  rowsPerClass: number[];
}

/** The CSV files of `p`: the file itself, or the *.csv files of the folder (sorted, not recursive). */
export function csvFilesOf(p: string): string[] {
  if (!fs.existsSync(p)) throw new DatasetMissingError('no such file or folder', p);
  if (!fs.statSync(p).isDirectory()) return [p];
  const files = fs
    .readdirSync(p)
    .filter((f) => f.toLowerCase().endsWith('.csv'))
    .sort()
    .map((f) => path.join(p, f));
  if (files.length === 0) throw new DatasetFormatError('folder holds no .csv files', p);
  return files;
}

function parseTimestamp(s: string, file: string, line: number, column: string): number {
  const v = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : Date.parse(s) / 1000;
  if (!Number.isFinite(v))
    throw new DatasetFormatError(`column "${column}": "${s}" is neither seconds nor an ISO 8601 date`, file, line);
  return v;
}

export function readTimeSeries(p: string, opts: TimeSeriesOptions = {}): TimeSeriesData {
  const labelColumn = opts.labelColumn ?? 'label';
  const timeColumn = opts.timestampColumn ?? 'timestamp';
  const files = csvFilesOf(p);
  let channels: string[] | null = null;
  const rawSegments: Omit<TimeSeriesSegment, 'label'>[] = [];
  const segmentLabels: string[] = [];
  const intervals: number[] = [];
  for (const file of files) {
    const t = parseCsv(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), file);
    if (!t.header.includes(labelColumn))
      throw new DatasetFormatError(
        `no label column "${labelColumn}" (columns: ${t.header.join(', ')}; choose one with --label-column)`,
        file,
        1,
      );
    if (!t.header.includes(timeColumn))
      throw new DatasetFormatError(
        `no timestamp column "${timeColumn}" (columns: ${t.header.join(', ')}; choose one with --timestamp-column)`,
        file,
        1,
      );
    const fileChannels = opts.channels ?? t.header.filter((h) => h !== labelColumn && h !== timeColumn);
    if (fileChannels.length === 0)
      throw new DatasetFormatError('no sensor columns besides timestamp and label', file, 1);
    if (channels && fileChannels.join(',') !== channels.join(','))
      throw new DatasetFormatError(
        `sensor columns ${fileChannels.join(', ')} differ from ${files[0]}'s (${channels.join(', ')})`,
        file,
        1,
      );
    channels = fileChannels;
    if (t.rows.length === 0) throw new DatasetFormatError('no data rows', file, 2);
    const labelCol = t.column(labelColumn);
    const timeCol = t.column(timeColumn);
    const cols = channels.map((c) => t.column(c));
    let prevTime = -Infinity;
    let start = 0;
    const flush = (end: number) => {
      const rows = end - start;
      const values = new Float32Array(rows * cols.length);
      for (let r = start; r < end; r++)
        cols.forEach((c, j) => (values[(r - start) * cols.length + j] = t.number(r, c)));
      rawSegments.push({ file, firstLine: t.lines[start], values, rows });
      segmentLabels.push(t.rows[start][labelCol].trim());
    };
    for (let r = 0; r < t.rows.length; r++) {
      const label = t.rows[r][labelCol].trim();
      if (label === '') throw new DatasetFormatError(`empty label in column "${labelColumn}"`, file, t.lines[r]);
      const time = parseTimestamp(t.rows[r][timeCol], file, t.lines[r], timeColumn);
      if (!(time > prevTime))
        throw new DatasetFormatError(
          `timestamp ${t.rows[r][timeCol]} does not increase (rows must be in time order)`,
          file,
          t.lines[r],
        );
      if (r > 0) intervals.push(time - prevTime);
      prevTime = time;
      if (r > start && label !== t.rows[start][labelCol].trim()) {
        flush(r);
        start = r;
      }
    }
    flush(t.rows.length);
  }
  const labels = [...new Set(segmentLabels)].sort();
  if (labels.length < 2)
    throw new DatasetFormatError(
      `only one class ("${labels[0]}") in column "${labelColumn}": a classifier needs at least two`,
      files[0],
    );
  const segments = rawSegments.map((s, i) => ({ ...s, label: labels.indexOf(segmentLabels[i]) }));
  const rowsPerClass = labels.map((_, k) => segments.filter((s) => s.label === k).reduce((a, s) => a + s.rows, 0));
  intervals.sort((a, b) => a - b);
  return {
    files,
    channels: channels!,
    labels,
    segments,
    // Microsecond resolution: timestamps printed as decimals differ by float noise (0.02 vs 0.0199999…).
    sampleIntervalSeconds: intervals.length ? Math.round(intervals[intervals.length >> 1] * 1e6) / 1e6 : 1,
    rowsPerClass,
  };
}
