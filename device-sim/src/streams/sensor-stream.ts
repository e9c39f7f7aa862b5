import type { SensorStreamId } from '@tinyfleet/energy';

/**
 * A real recording replayed as a sensor: sample `i` (wrapped modulo `length`) holds the values of
 * `channels` at that instant, and the ground-truth class the dataset gives for it. Streams are
 * loaded once per worker and shared by every node replaying them (each node keeps its own offset).
 */
export interface SensorStream {
  /** Stream name as sent in the provisioning request (`profile-name`). */
  readonly id: string;
  /** Which `SENSOR_PROFILES` entry prices one sample. */
  readonly sensor: SensorStreamId;
  /** Pipeline recipe whose artifact this stream feeds. */
  readonly recipe: string;
  readonly channels: readonly string[];
  readonly labels: readonly string[];
  readonly length: number;
  /** What a raw-streaming node would send per sample (payload bytes, before protocol overhead). */
  readonly rawSampleBytes: number;
  /** Values of sample i (row-major over channels); the returned array must not be modified. */
  values(i: number): ArrayLike<number>;
  /** Ground-truth label index of sample i, from the dataset. Never leaves the node. */
  groundTruth(i: number): number;
  /**
   * Whether an inference at sample i counts in the ground-truth log (default yes). A replayed user
   * recording scores only windows inside one labelled segment: a window straddling two has no one label.
   */
  scored?(i: number): boolean;
  /**
   * Virtual ms from sample i to the next one. `random` (0..1, per node, seeded) is used by streams
   * whose rate is event-driven (the doorbell's motion trigger); fixed-rate streams ignore it.
   */
  nextIntervalMs(i: number, random: () => number): number;
  /** Consecutive agreeing inferences before a class change is reported (default 1). */
  readonly eventConfirmations?: number;
  /** Pixels per row when a sample is an image frame (evidence windows say how to draw it). */
  readonly imageWidth?: number;
  /** Where sample i came from (file and row), for the local truth log. */
  describe(i: number): string;
}

export function wrapIndex(i: number, length: number): number {
  return ((i % length) + length) % length;
}
