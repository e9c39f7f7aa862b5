import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { PlatformEvents } from '../../common/platform-events';
import { OtaJobEvent } from './ota-job-event.entity';
import { OtaJob } from './ota-job.entity';
import type { OtaDispatcher } from './ota-dispatcher.port';
import { IN_FLIGHT_STATES, otaJobMachine, OtaJobState } from './ota-job.state-machine';

export interface TransitionExtras {
  attempts?: number;
  deadlineAt?: Date | null;
  chunksReceived?: number;
  chunksTotal?: number | null;
  form?: OtaJob['form'];
}

/** One job's accumulated changes within a batch: its state before, its row after, the transitions between. */
export interface JobBatchChange {
  job: OtaJob;
  fromState: OtaJobState;
  events: Array<{ fromState: OtaJobState; toState: OtaJobState; reason: string | null; source: 'server' | 'device' }>;
}

/**
 * Every OtaJob state change goes through `transition`: checked against the transition table,
 * applied only if the job is still in the state the caller saw (so a device report racing the
 * executor cannot be applied twice or on top of a newer state), and recorded in ota_job_events.
 */
@Injectable()
export class OtaJobsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly events: PlatformEvents) {}

  /** Returns the updated job, or null when it had already moved on (idempotent no-op). */
  async transition(job: OtaJob, to: OtaJobState, reason: string | null, source: 'server' | 'device', extras: TransitionExtras = {}, now = new Date(), manager?: EntityManager): Promise<OtaJob | null> {
    otaJobMachine.assertTransition(`job ${job.id}`, job.state, to);
    const run = async (m: EntityManager): Promise<OtaJob | null> => {
      const res = await m
        .createQueryBuilder()
        .update(OtaJob)
        .set({
          state: to,
          reason,
          updatedAt: now,
          ...(extras.attempts !== undefined ? { attempts: extras.attempts } : {}),
          ...(extras.deadlineAt !== undefined ? { deadlineAt: extras.deadlineAt } : {}),
          ...(extras.chunksReceived !== undefined ? { chunksReceived: extras.chunksReceived } : {}),
          ...(extras.chunksTotal !== undefined ? { chunksTotal: extras.chunksTotal } : {}),
          ...(extras.form !== undefined ? { form: extras.form } : {}),
        })
        .where('id = :id AND state = :from', { id: job.id, from: job.state })
        .execute();
      if (!res.affected) return null;
      await m.insert(OtaJobEvent, { jobId: job.id, fromState: job.state, toState: to, reason, source, at: now });
      this.events.emit('ota-job-transition', job.id, job.deviceId, job.rolloutId, to);
      return Object.assign(new OtaJob(), job, { state: to, reason, updatedAt: now }, extras);
    };
    return manager ? run(manager) : this.db.transaction(run);
  }

  /**
   * Writes many jobs' changes in one statement pair: each job's final row (only if it is still in
   * the state the caller saw) and every intermediate transition as an event. Callers validate
   * transitions against the table first. Returns the ids actually written.
   */
  async writeBatch(changes: JobBatchChange[], now: Date, m: EntityManager): Promise<Set<number>> {
    if (changes.length === 0) return new Set();
    const res: [Array<{ id: number }>, number] = await m.query(
      `UPDATE ota_jobs AS j SET state = c.to_state, reason = c.reason, chunks_received = c.chunks, deadline_at = c.deadline,
              attempts = c.attempts, updated_at = $9
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[], $7::int[], $8::int[])
         AS c(id, from_state, to_state, reason, chunks, deadline, attempts, ord)
       WHERE j.id = c.id AND j.state = c.from_state
       RETURNING j.id`,
      [
        changes.map((c) => c.job.id), changes.map((c) => c.fromState), changes.map((c) => c.job.state), changes.map((c) => c.job.reason),
        changes.map((c) => c.job.chunksReceived), changes.map((c) => c.job.deadlineAt), changes.map((c) => c.job.attempts), changes.map((_, i) => i), now,
      ],
    );
    const applied = new Set(res[0].map((r) => r.id));
    const events = changes.filter((c) => applied.has(c.job.id)).flatMap((c) => c.events.map((e) => ({ ...e, jobId: c.job.id })));
    if (events.length > 0) {
      await m.query(
        `INSERT INTO ota_job_events (job_id, from_state, to_state, reason, source, at)
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
        [events.map((e) => e.jobId), events.map((e) => e.fromState), events.map((e) => e.toState), events.map((e) => e.reason), events.map((e) => e.source), events.map(() => now)],
      );
    }
    for (const c of changes) if (applied.has(c.job.id) && c.events.length > 0) this.events.emit('ota-job-transition', c.job.id, c.job.deviceId, c.job.rolloutId, c.job.state);
    return applied;
  }

  /** Progress within the same state (e.g. more chunks received): no event, just the counters and the deadline. */
  async progress(job: OtaJob, chunksReceived: number, deadlineAt: Date | null, now = new Date()): Promise<void> {
    await this.db.getRepository(OtaJob).update({ id: job.id, state: job.state }, { chunksReceived, deadlineAt, updatedAt: now });
  }

  /** Cancels every job of a rollout that has not finished (queued ones silently, in-flight ones with an ota-cancel). */
  async cancelOpen(rolloutId: number, reason: 'aborted' | 'superseded', dispatcher: OtaDispatcher, now: Date): Promise<void> {
    const open = await this.db.getRepository(OtaJob).find({ where: { rolloutId, state: In(['QUEUED', ...IN_FLIGHT_STATES]) } });
    for (const job of open) {
      const moved = await this.transition(job, 'CANCELED', `rollout ${reason}`, 'server', { deadlineAt: null }, now);
      if (moved && job.state !== 'QUEUED') await dispatcher.cancel(moved, reason);
    }
  }

  /** Jobs (newest first, at most 100), each with its transitions: the OTA history a device page shows. */
  async listWithHistory(deviceId?: string): Promise<Array<OtaJob & { events: OtaJobEvent[] }>> {
    const jobs = await this.db.getRepository(OtaJob).find({ where: deviceId ? { deviceId } : {}, order: { id: 'DESC' }, take: 100 });
    if (jobs.length === 0) return [];
    const events = await this.db.getRepository(OtaJobEvent).find({ where: { jobId: In(jobs.map((j) => j.id)) }, order: { id: 'ASC' } });
    return jobs.map((j) => ({ ...j, events: events.filter((e) => e.jobId === j.id) }));
  }
}
