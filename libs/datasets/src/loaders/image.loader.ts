/** MNIST and the doorbell (VWW 96x96 gray) images: pixels as floats 0..255, shape [rows, cols, 1]. */
import { DatasetFormatError } from '../dataset-errors';
import { readIdxImages, readIdxLabels } from '../idx-reader';
import type { LabelledData } from '../labelled-data.types';

function loadIdxPair(imagesPath: string, labelsPath: string, labels: string[]): LabelledData {
  const img = readIdxImages(imagesPath);
  const y = readIdxLabels(labelsPath);
  if (y.length !== img.count) throw new DatasetFormatError(`${img.count} images but ${y.length} labels`, labelsPath);
  for (let i = 0; i < y.length; i++)
    if (y[i] >= labels.length) throw new DatasetFormatError(`label ${y[i]} of example ${i} out of range`, labelsPath);
  return {
    n: img.count,
    featureShape: [img.rows, img.cols, 1],
    x: Float32Array.from(img.pixels),
    y: Int32Array.from(y),
    labels,
    channels: ['gray'],
  };
}

export const MNIST_FILES = {
  train: ['datasets/mnist/train10k-images-idx3-ubyte.gz', 'datasets/mnist/train10k-labels-idx1-ubyte.gz'],
  test: ['datasets/mnist/t10k-images-idx3-ubyte.gz', 'datasets/mnist/t10k-labels-idx1-ubyte.gz'],
} as const;

export function loadMnist(split: 'train' | 'test'): LabelledData {
  const [i, l] = MNIST_FILES[split];
  return loadIdxPair(i, l, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
}

export const DOORBELL_FILES = {
  train: [
    'datasets/doorbell-camera/vww96-train-images-idx3-ubyte.gz',
    'datasets/doorbell-camera/vww96-train-labels-idx1-ubyte.gz',
  ],
  test: [
    'datasets/doorbell-camera/vww96-test-images-idx3-ubyte.gz',
    'datasets/doorbell-camera/vww96-test-labels-idx1-ubyte.gz',
  ],
} as const;

/** Labels follow the file: 0 = no person, 1 = person (the same order as person_detect.tflite's outputs). */
export function loadDoorbell(split: 'train' | 'test'): LabelledData {
  const [i, l] = DOORBELL_FILES[split];
  return loadIdxPair(i, l, ['no_person', 'person']);
}
