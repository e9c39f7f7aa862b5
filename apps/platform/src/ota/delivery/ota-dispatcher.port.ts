import type { OtaForm } from '@tinyfleet/wire';
import type { OtaJob } from '../jobs/ota-job.entity';

export type OtaCancelReason = 'aborted' | 'rolled-back' | 'superseded' | 'timed-out';

/** What an offer needs of its job: whom it goes to, what it delivers and which model a delta applies to. */
export type OfferedJob = Pick<OtaJob, 'id' | 'deviceId' | 'artifactId' | 'fromSha256'>;

/** Sends OTA downlinks to a device: the offer for a job (whose transfer form it picks), or a cancellation. */
export abstract class OtaDispatcher {
  /** Sends the job's offer; returns what was offered. */
  abstract offer(job: OfferedJob): Promise<{ form: OtaForm; chunkCount: number }>;
  abstract cancel(job: Pick<OtaJob, 'id' | 'deviceId'>, reason: OtaCancelReason): Promise<void>;
}
