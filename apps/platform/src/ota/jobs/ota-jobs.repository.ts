import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
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

/**
 * Every OtaJob state change goes through `transition`: checked against the transition table,
 * applied only if the job is still in the state the caller saw (so a device report racing the
 * executor cannot be applied twice or on top of a newer state), and recorded in ota_job_events.
 */
@Injectable()
export class OtaJobsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
      return Object.assign(new OtaJob(), job, { state: to, reason, updatedAt: now }, extras);
    };
    return manager ? run(manager) : this.db.transaction(run);
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
