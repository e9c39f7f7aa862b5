import type { OtaJob } from './ota-job.entity';

/**
 * What the delivery path needs of a job: who owns it and what it delivers (never change), and
 * the columns a transition writes (state, reason, attempts, chunks, deadline).
 */
export type KnownJob = Pick<
  OtaJob,
  | 'id'
  | 'rolloutId'
  | 'deviceId'
  | 'artifactId'
  | 'fromSha256'
  | 'state'
  | 'reason'
  | 'attempts'
  | 'chunksReceived'
  | 'deadlineAt'
>;

interface Entry {
  /** null: the job was touched by a write whose outcome this process does not know exactly. */
  job: KnownJob | null;
  /** The cache's clock when this entry was last touched. */
  at: number;
}

/**
 * The process's copy of OTA job rows, so a chunk request or a status report need not read the
 * database. It is filled only with rows the database returned or a write this process just made,
 * and it is never trusted across a race: every operation takes a ticket before it goes to the
 * database, and what it learned is kept only if nobody touched the job since (otherwise the job is
 * forgotten and the next reader goes to the database). Writes whose result is not known column by
 * column (a single transition) forget the job before and after. Writers still guard every update
 * on the state they saw, so even a wrong entry could only cost a retry, never a wrong transition.
 */
export class OtaJobCache {
  private readonly entries = new Map<number, Entry>();
  private clock = 0;
  /** Tickets older than this cannot fill: entries were evicted, and with them what touched them. */
  private floor = 0;

  constructor(private readonly capacity = 100_000) {}

  /** Taken before going to the database; `fill` with it afterwards. */
  ticket(): number {
    return this.clock;
  }

  /** A copy of the job as last known, or undefined when it must be read. */
  get(id: number): KnownJob | undefined {
    const job = this.entries.get(id)?.job;
    return job ? { ...job } : undefined;
  }

  /** What an operation begun at `ticket` read or wrote; kept unless the job was touched since. */
  fill(job: KnownJob, ticket: number): void {
    const at = this.entries.get(job.id)?.at ?? this.floor;
    this.put(job.id, at > ticket ? null : pick(job));
  }

  /** A write with an outcome not known column by column is starting or has ended: read the job again next time. */
  forget(id: number): void {
    this.put(id, null);
  }

  get size(): number {
    return this.entries.size;
  }

  private put(id: number, job: KnownJob | null): void {
    this.entries.delete(id); // re-inserted at the end: eviction takes the least recently touched
    this.entries.set(id, { job, at: ++this.clock });
    if (this.entries.size > this.capacity) {
      // Evict in bulk (a tenth), so the floor — which stops every older ticket from filling — rarely moves.
      let n = Math.ceil(this.capacity / 10);
      for (const key of this.entries.keys()) {
        if (n-- <= 0) break;
        this.entries.delete(key);
      }
      this.floor = this.clock;
    }
  }
}

function pick(j: KnownJob): KnownJob {
  return {
    id: j.id,
    rolloutId: j.rolloutId,
    deviceId: j.deviceId,
    artifactId: j.artifactId,
    fromSha256: j.fromSha256,
    state: j.state,
    reason: j.reason,
    attempts: j.attempts,
    chunksReceived: j.chunksReceived,
    deadlineAt: j.deadlineAt,
  };
}
