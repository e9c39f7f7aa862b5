import { loadDoorbellStream } from './doorbell.stream';
import { loadSmellnetStream, loadUciDriftStream } from './gas.stream';
import type { SensorStream } from './sensor-stream';
import { loadSoilStream } from './soil.stream';

export const STREAM_KINDS = ['soil', 'gas-fruit', 'gas-ethylene', 'doorbell'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];

/**
 * Loads each recording once (per worker) on first use. Soil has one stream per farm; a node's index
 * picks its farm.
 */
export class StreamCatalog {
  private readonly cache = new Map<string, SensorStream>();

  constructor(private readonly opts: { doorbellMeanMotionIntervalMs?: number; doorbellMaxFrames?: number } = {}) {}

  get(kind: StreamKind, variant = 0): SensorStream {
    const key = kind === 'soil' ? `soil:${variant % 2}` : kind;
    let s = this.cache.get(key);
    if (!s) {
      s = this.load(kind, variant);
      this.cache.set(key, s);
    }
    return s;
  }

  private load(kind: StreamKind, variant: number): SensorStream {
    switch (kind) {
      case 'soil':
        return loadSoilStream(variant % 2 === 0 ? 'Kolkata_Farm_1' : 'Kolkata_Farm_2');
      case 'gas-fruit':
        return loadSmellnetStream();
      case 'gas-ethylene':
        return loadUciDriftStream();
      case 'doorbell':
        return loadDoorbellStream(this.opts.doorbellMeanMotionIntervalMs, this.opts.doorbellMaxFrames);
    }
  }
}
