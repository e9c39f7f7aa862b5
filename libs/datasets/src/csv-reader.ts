/** Strict CSV reader for the shared datasets (header row, comma-separated, no quoting). */
import * as fs from 'node:fs';
import { DatasetFormatError } from './dataset-errors';
import { dataFile } from './data-dir';

export interface CsvTable {
  file: string;
  header: string[];
  rows: string[][];
  /** 1-based line number in the file of each row (for error messages). */
  lines: number[];
  column(name: string): number;
  number(row: number, col: number): number;
}

export function parseCsv(text: string, file: string): CsvTable {
  const all = text.split(/\r?\n/);
  if (all.length === 0 || all[0].trim() === '') throw new DatasetFormatError('empty file (no header row)', file, 1);
  const header = all[0].split(',');
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 1; i < all.length; i++) {
    if (all[i] === '') continue;
    const cells = all[i].split(',');
    if (cells.length !== header.length)
      throw new DatasetFormatError(`expected ${header.length} columns, found ${cells.length}`, file, i + 1);
    rows.push(cells);
    lines.push(i + 1);
  }
  const index = new Map(header.map((h, i) => [h, i]));
  return {
    file,
    header,
    rows,
    lines,
    column(name: string): number {
      const c = index.get(name);
      if (c === undefined) throw new DatasetFormatError(`missing column "${name}"`, file, 1);
      return c;
    },
    number(row: number, col: number): number {
      const s = rows[row][col];
      const v = Number(s);
      if (s === '' || !Number.isFinite(v))
        throw new DatasetFormatError(`column "${header[col]}": "${s}" is not a number`, file, lines[row]);
      return v;
    },
  };
}

export function readCsv(relPath: string): CsvTable {
  const file = dataFile(relPath);
  return parseCsv(fs.readFileSync(file, 'utf8'), file);
}
