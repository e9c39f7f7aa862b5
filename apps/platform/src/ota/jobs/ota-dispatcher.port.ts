import type { OtaJob } from './ota-job.entity';

export type OtaCancelReason = 'aborted' | 'rolled-back' | 'superseded' | 'timed-out';

/** Sends OTA downlinks to a device: the offer for a job (whose transfer form it picks), or a cancellation. */
export abstract class OtaDispatcher {
  /** Sends the job's offer; returns what was offered. */
  abstract offer(job: OtaJob): Promise<{ form: 'full' | 'huffman' | 'delta'; chunkCount: number }>;
  abstract cancel(job: OtaJob, reason: OtaCancelReason): Promise<void>;
}
