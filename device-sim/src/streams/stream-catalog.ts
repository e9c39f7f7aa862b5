import { loadDoorbellStream } from './doorbell.stream';
import { loadSmellnetStream, loadUciDriftStream, type UciStreamOptions } from './gas.stream';
import type { SensorStream } from './sensor-stream';
import { loadSoilStream } from './soil.stream';
import { loadUserStream, USER_STREAM, type UserStreamOptions } from './user.stream';

export const STREAM_KINDS = ['soil', 'gas-fruit', 'gas-ethylene', 'doorbell'] as const;
export type StreamKind = (typeof STREAM_KINDS)[number];
/** A node replays one of the built-in recordings, or the user's own (`sim run --stream-file`). */
export type NodeStreamKind = StreamKind | typeof USER_STREAM;

/**
 * Loads each recording once (per worker) on first use. Soil has one stream per farm; a node's index
 * picks its farm.
 */
export class StreamCatalog {
  private readonly cache = new Map<string, SensorStream>();

  constructor(
    private readonly opts: {
      doorbellMeanMotionIntervalMs?: number;
      doorbellMaxFrames?: number;
      /** gas-ethylene: the UCI replay's order and last batch (loadUciDriftStream). */
      uci?: UciStreamOptions;
      user?: UserStreamOptions;
    } = {},
  ) {}

  get(kind: NodeStreamKind, variant = 0): SensorStream {
    const key = kind === 'soil' ? `soil:${variant % 2}` : kind;
    let s = this.cache.get(key);
    if (!s) {
      s = this.load(kind, variant);
      this.cache.set(key, s);
    }
    return s;
  }

  private load(kind: NodeStreamKind, variant: number): SensorStream {
    switch (kind) {
      case USER_STREAM:
        if (!this.opts.user) throw new Error('no user stream configured (sim run --stream-file)');
        return loadUserStream(this.opts.user);
      case 'soil':
        return loadSoilStream(variant % 2 === 0 ? 'Kolkata_Farm_1' : 'Kolkata_Farm_2');
      case 'gas-fruit':
        return loadSmellnetStream();
      case 'gas-ethylene':
        return loadUciDriftStream(undefined, this.opts.uci);
      case 'doorbell':
        return loadDoorbellStream(this.opts.doorbellMeanMotionIntervalMs, this.opts.doorbellMaxFrames);
    }
  }
}
