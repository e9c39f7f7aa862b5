/**
 * The user's own labelled images: a folder with one sub-folder per class holding PNG or JPEG files
 * (decoded by pngjs and jpeg-js, pure JavaScript), resized to the model input and converted to
 * grayscale (ITU-R 601 luma, as the doorbell frames) or RGB. Pixels 0..255, [h, w, c] row-major.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetCorruptError, DatasetFormatError, DatasetMissingError } from '../dataset-errors';
import type { LabelledData } from '../labelled-data.types';
import { MIN_TRAIN_EXAMPLES_PER_CLASS, stratifiedAssign, type SplitName } from './user-splits';

export type ColorMode = 'gray' | 'rgb';

export interface DecodedImage {
  file: string;
  label: number;
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface ImageFolderData {
  root: string;
  /** Sub-folder names, sorted. */
  labels: string[];
  images: DecodedImage[];
  imagesPerClass: number[];
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;
/** Largest side accepted: a 4000 px photo decoded to RGBA is 64 MB and far above any MCU model input. */
const MAX_SIDE_PX = 2048;

export function decodeImage(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = fs.readFileSync(file);
  try {
    if (/\.png$/i.test(file)) {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
    }
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 16 });
    return { width: j.width, height: j.height, rgba: j.data };
  } catch (err) {
    throw new DatasetCorruptError(`unreadable image: ${(err as Error).message}`, file);
  }
}

export function readImageFolder(root: string): ImageFolderData {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
    throw new DatasetMissingError('no such folder (expected one sub-folder of images per class)', root);
  const labels = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const images: DecodedImage[] = [];
  const imagesPerClass = labels.map((label, k) => {
    const dir = path.join(root, label);
    const files = fs
      .readdirSync(dir)
      .filter((f) => IMAGE_EXT.test(f))
      .sort();
    for (const f of files) {
      const file = path.join(dir, f);
      const img = decodeImage(file);
      if (img.width > MAX_SIDE_PX || img.height > MAX_SIDE_PX)
        throw new DatasetFormatError(`${img.width}x${img.height} px is above ${MAX_SIDE_PX} px a side`, file);
      images.push({ file, label: k, ...img });
    }
    return files.length;
  });
  const present = labels.filter((_, k) => imagesPerClass[k] > 0);
  if (present.length < 2)
    throw new DatasetFormatError(
      `found ${present.length} class folder(s) with PNG/JPEG images (${present.join(', ') || 'none'}): a classifier needs at least two`,
      root,
    );
  // Test and validation take 15 % each (at least one image), train the rest.
  const minImages = MIN_TRAIN_EXAMPLES_PER_CLASS + 2;
  labels.forEach((label, k) => {
    if (imagesPerClass[k] < minImages)
      throw new DatasetFormatError(
        `too little data for class "${label}": ${imagesPerClass[k]} image(s), need at least ${minImages}`,
        path.join(root, label),
      );
  });
  return { root, labels, images, imagesPerClass };
}

/** Box-filter resize (every source pixel whose centre falls in the target pixel counts; nearest when upscaling). */
export function resizeImage(img: DecodedImage, size: number, color: ColorMode): Float32Array {
  const c = color === 'gray' ? 1 : 3;
  const out = new Float32Array(size * size * c);
  const sx = img.width / size;
  const sy = img.height / size;
  for (let ty = 0; ty < size; ty++) {
    const y0 = Math.floor(ty * sy);
    const y1 = Math.max(y0 + 1, Math.floor((ty + 1) * sy));
    for (let tx = 0; tx < size; tx++) {
      const x0 = Math.floor(tx * sx);
      const x1 = Math.max(x0 + 1, Math.floor((tx + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++)
        for (let x = x0; x < x1; x++) {
          const o = (y * img.width + x) * 4;
          r += img.rgba[o];
          g += img.rgba[o + 1];
          b += img.rgba[o + 2];
        }
      const n = (y1 - y0) * (x1 - x0);
      const o = (ty * size + tx) * c;
      if (c === 1) out[o] = Math.round((0.299 * r + 0.587 * g + 0.114 * b) / n);
      else {
        out[o] = Math.round(r / n);
        out[o + 1] = Math.round(g / n);
        out[o + 2] = Math.round(b / n);
      }
    }
  }
  return out;
}

export function imageChannels(color: ColorMode): string[] {
  return color === 'gray' ? ['gray'] : ['r', 'g', 'b'];
}

/** The images of one split, resized; order = the folder's (class, file name) order. */
export function imageSplit(
  data: ImageFolderData,
  split: SplitName | 'all',
  size: number,
  color: ColorMode,
): LabelledData {
  const assigned = stratifiedAssign(
    data.images,
    (i) => i.label,
    (i) => path.relative(data.root, i.file),
  );
  const chosen = data.images.filter((_, k) => split === 'all' || assigned[k] === split);
  const c = color === 'gray' ? 1 : 3;
  const f = size * size * c;
  const x = new Float32Array(chosen.length * f);
  chosen.forEach((img, k) => x.set(resizeImage(img, size, color), k * f));
  return {
    n: chosen.length,
    featureShape: [size, size, c],
    x,
    y: Int32Array.from(chosen, (i) => i.label),
    labels: data.labels,
    channels: imageChannels(color),
  };
}
