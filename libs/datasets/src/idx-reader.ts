/** gzipped idx (MNIST layout) images and labels. */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { DatasetCorruptError } from './dataset-errors';
import { dataFile } from './data-dir';

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

function gunzip(file: string): Buffer {
  try {
    return zlib.gunzipSync(fs.readFileSync(file));
  } catch (err) {
    throw new DatasetCorruptError(`cannot gunzip: ${(err as Error).message}`, file);
  }
}

export function readIdxImages(relPath: string): IdxImages {
  const file = dataFile(relPath);
  const buf = gunzip(file);
  if (buf.length < 16 || buf.readUInt32BE(0) !== 0x803)
    throw new DatasetCorruptError('not an idx3 image file (bad magic)', file);
  const [count, rows, cols] = [buf.readUInt32BE(4), buf.readUInt32BE(8), buf.readUInt32BE(12)];
  if (buf.length !== 16 + count * rows * cols)
    throw new DatasetCorruptError(`expected ${16 + count * rows * cols} bytes, found ${buf.length}`, file);
  return { count, rows, cols, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols) };
}

export function readIdxLabels(relPath: string): Uint8Array {
  const file = dataFile(relPath);
  const buf = gunzip(file);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x801)
    throw new DatasetCorruptError('not an idx1 label file (bad magic)', file);
  const count = buf.readUInt32BE(4);
  if (buf.length !== 8 + count) throw new DatasetCorruptError(`expected ${8 + count} bytes, found ${buf.length}`, file);
  return new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
}
