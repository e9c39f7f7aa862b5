import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { BatchedLookup } from '../../common/batched-lookup';
import { PlatformEvents } from '../../common/platform-events';
import { PlatformInstance } from '../../common/platform-instance';
import { retryDeadlockVictim } from '../../database/deadlock-retry';
import { KnownJob, OtaJobCache } from './ota-job-cache';
import { OtaJobEvent } from './ota-job-event.entity';
import { OtaJob } from './ota-job.entity';
import { AWAITING_DEVICE_STATES, IN_FLIGHT_STATES, otaJobMachine, OtaJobState } from './ota-job.state-machine';

export type { KnownJob };

export interface TransitionExtras {
  attempts?: number;
  deadlineAt?: Date | null;
  chunksReceived?: number;
  chunksTotal?: number | null;
  form?: OtaJob['form'];
}

/**
 * One job's accumulated changes within a batch: the state and attempt count it was in when the
 * caller read it (the write applies only if it still is), its row after, the transitions between.
 */
export interface JobBatchChange {
  job: KnownJob;
  fromState: OtaJobState;
  fromAttempts: number;
  /** Written only if this other job of the batch is (a rollback's original job follows the device's SUCCEEDED). */
  after?: number;
  events: Array<{ fromState: OtaJobState; toState: OtaJobState; reason: string | null; source: 'server' | 'device' }>;
}

/** The changed rows ($1…$8, still as the caller saw them), $9 now, the transitions to record ($10…$14), in order, for the rows written, and $15 the instance writing them. */
const CHANGES = `c AS (
  SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::timestamptz[], $8::int[])
    AS c(id, from_state, from_attempts, to_state, reason, chunks, deadline, attempts)
)`;
const SET_ROW = `state = c.to_state, reason = c.reason, chunks_received = c.chunks, deadline_at = c.deadline, attempts = c.attempts, updated_at = $9`;
const INT4_MAX = 2 ** 31 - 1;
const STILL_AS_SEEN = `j.id = c.id AND j.state = c.from_state AND j.attempts = c.from_attempts`;
const RECORD = `recorded AS (
  INSERT INTO ota_job_events (job_id, from_state, to_state, reason, source, at, actor)
  SELECT e.job_id, e.from_state, e.to_state, e.reason, e.source, $9, $15::text
  FROM unnest($10::int[], $11::text[], $12::text[], $13::text[], $14::text[]) WITH ORDINALITY AS e(job_id, from_state, to_state, reason, source, ord)
  WHERE e.job_id IN (SELECT id FROM written)
  ORDER BY e.ord
)`;
const WRITE_BATCH = `WITH ${CHANGES},
written AS (UPDATE ota_jobs AS j SET ${SET_ROW} FROM c WHERE ${STILL_AS_SEEN} RETURNING j.id),
${RECORD}
SELECT id FROM written`;
/** The same, where some rows ($16: the id of the row each follows, or null) are written only if the row they follow is. */
const WRITE_BATCH_WITH_DEPENDENTS = `WITH ${CHANGES},
dep AS (SELECT * FROM unnest($1::int[], $16::int[]) AS d(id, after)),
first AS (UPDATE ota_jobs AS j SET ${SET_ROW} FROM c WHERE ${STILL_AS_SEEN} AND c.id IN (SELECT id FROM dep WHERE after IS NULL) RETURNING j.id),
following AS (UPDATE ota_jobs AS j SET ${SET_ROW} FROM c WHERE ${STILL_AS_SEEN} AND c.id IN (SELECT id FROM dep WHERE after IN (SELECT id FROM first)) RETURNING j.id),
written AS (SELECT id FROM first UNION ALL SELECT id FROM following),
${RECORD}
SELECT id FROM written`;

/**
 * Every OtaJob state change goes through `transition` or `writeBatch`: checked against the
 * transition table, applied only if the job is still in the state the caller saw (so a device
 * report racing the executor cannot be applied twice or on top of a newer state), and recorded in
 * ota_job_events. Because every change goes through here, the repository also keeps the process's
 * copy of the jobs it has seen (`known`), which the delivery path reads instead of the database.
 */
/** Devices per lookup statement of `awaitingDevice`. */
const LOOKUP_BATCH_MAX = 256;

@Injectable()
export class OtaJobsRepository {
  private readonly cache = new OtaJobCache();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: PlatformEvents,
    private readonly instance: PlatformInstance,
  ) {}

  /**
   * The jobs with these ids that exist, as last written: from memory, and what memory does not hold
   * in one query. An id without a row is simply absent (and not remembered: it may be created later).
   */
  async known(ids: readonly number[]): Promise<Map<number, KnownJob>> {
    const out = new Map<number, KnownJob>();
    const missing: number[] = [];
    // Devices echo job ids as uint32; ours are PostgreSQL integers, so a larger one names no job.
    for (const id of ids.filter((i) => i <= INT4_MAX)) {
      const job = this.cache.get(id);
      if (job) out.set(id, job);
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    const ticket = this.cache.ticket();
    const rows: Array<{
      id: number;
      rollout_id: number;
      device_id: string;
      artifact_id: number;
      from_sha256: string | null;
      state: OtaJobState;
      reason: string | null;
      attempts: number;
      chunks_received: number;
      deadline_at: Date | null;
    }> = await this.db.query(
      `SELECT id, rollout_id, device_id, artifact_id, from_sha256, state, reason, attempts, chunks_received, deadline_at FROM ota_jobs WHERE id = ANY($1::int[])`,
      [missing],
    );
    for (const r of rows) {
      const job: KnownJob = {
        id: r.id,
        rolloutId: r.rollout_id,
        deviceId: r.device_id,
        artifactId: r.artifact_id,
        fromSha256: r.from_sha256,
        state: r.state,
        reason: r.reason,
        attempts: r.attempts,
        chunksReceived: r.chunks_received,
        deadlineAt: r.deadline_at,
      };
      this.cache.fill(job, ticket);
      out.set(r.id, job);
    }
    return out;
  }

  /**
   * The device's job that waits for it (offered, not yet being applied), if any: at most one per
   * device. Asked at every device CONNECT: the devices connecting at the same moment share a statement.
   */
  async awaitingDevice(deviceId: string): Promise<KnownJob | null> {
    const id = await this.awaiting.get(deviceId);
    if (id === undefined) return null;
    const job = (await this.known([id])).get(id);
    return job && AWAITING_DEVICE_STATES.includes(job.state) ? job : null;
  }

  private readonly awaiting = new BatchedLookup(async (deviceIds: string[]) => {
    const rows: Array<{ device_id: string; id: number }> = await this.db.query(
      `SELECT DISTINCT ON (device_id) device_id, id FROM ota_jobs
       WHERE device_id = ANY($1::text[]) AND state = ANY($2::text[]) ORDER BY device_id, id DESC`,
      [deviceIds, AWAITING_DEVICE_STATES],
    );
    return new Map(rows.map((r) => [r.device_id, r.id]));
  }, LOOKUP_BATCH_MAX);

  /** The job a rollback undoes: the device's SUCCEEDED job in the rolled-back rollout, if any. */
  async succeededJob(rolloutId: number, deviceId: string): Promise<KnownJob | null> {
    const [row]: Array<{ id: number }> = await this.db.query(
      `SELECT id FROM ota_jobs WHERE rollout_id = $1 AND device_id = $2 AND state = 'SUCCEEDED'`,
      [rolloutId, deviceId],
    );
    if (!row) return null;
    const job = (await this.known([row.id])).get(row.id);
    return job?.state === 'SUCCEEDED' ? job : null;
  }

  /**
   * Returns the updated job, or null when it had already moved on (idempotent no-op). Commits on
   * its own (no caller's transaction: memory must know when the change is visible).
   */
  async transition(
    job: OtaJob,
    to: OtaJobState,
    reason: string | null,
    source: 'server' | 'device',
    extras: TransitionExtras = {},
    now = new Date(),
  ): Promise<OtaJob | null> {
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
      await m.insert(OtaJobEvent, {
        jobId: job.id,
        fromState: job.state,
        toState: to,
        reason,
        source,
        at: now,
        actor: this.instance.id,
      });
      this.events.emit('ota-job-transition', job.id, job.deviceId, job.rolloutId, to);
      return Object.assign(new OtaJob(), job, { state: to, reason, updatedAt: now }, extras);
    };
    // The row after is not known column by column here (the caller's copy may be older than the
    // database in columns this does not write): memory forgets the job, before and after.
    this.cache.forget(job.id);
    try {
      return await this.db.transaction(run);
    } finally {
      this.cache.forget(job.id);
    }
  }

  /**
   * Writes many jobs' changes in one statement (atomic on its own, no transaction needed): each
   * job's final row, only if it is still in the state and attempt count the caller saw (and, for a
   * change with `after`, only if that job's row is written too), and every transition between as
   * an event, in order, for the rows written. Callers validate transitions against the table first.
   * Returns the ids actually written; the others moved meanwhile.
   */
  async writeBatch(unordered: JobBatchChange[], now: Date): Promise<Set<number>> {
    if (unordered.length === 0) return new Set();
    // In id order: two instances' batches over the same jobs then take their row locks in the same
    // order instead of in a cycle.
    const changes = [...unordered].sort((x, y) => x.job.id - y.job.id);
    const events = changes.flatMap((c) => c.events.map((e) => ({ ...e, jobId: c.job.id })));
    const ticket = this.cache.ticket();
    const dependent = changes.some((c) => c.after !== undefined);
    // One statement, so a deadlock victim (another multi-row writer of these jobs) left nothing behind.
    const rows: Array<{ id: number }> = await retryDeadlockVictim(() =>
      this.db.query(dependent ? WRITE_BATCH_WITH_DEPENDENTS : WRITE_BATCH, [
        changes.map((c) => c.job.id),
        changes.map((c) => c.fromState),
        changes.map((c) => c.fromAttempts),
        changes.map((c) => c.job.state),
        changes.map((c) => c.job.reason),
        changes.map((c) => c.job.chunksReceived),
        changes.map((c) => c.job.deadlineAt),
        changes.map((c) => c.job.attempts),
        now,
        events.map((e) => e.jobId),
        events.map((e) => e.fromState),
        events.map((e) => e.toState),
        events.map((e) => e.reason),
        events.map((e) => e.source),
        this.instance.id,
        ...(dependent ? [changes.map((c) => c.after ?? null)] : []),
      ]),
    );
    const applied = new Set(rows.map((r) => r.id));
    for (const c of changes) {
      // Written: every column a transition changes is now what the caller computed. Not written:
      // the job moved meanwhile, and the caller's copy is stale.
      if (applied.has(c.job.id)) this.cache.fill(c.job, ticket);
      else this.cache.forget(c.job.id);
    }
    for (const c of changes)
      if (applied.has(c.job.id) && c.events.length > 0)
        this.events.emit('ota-job-transition', c.job.id, c.job.deviceId, c.job.rolloutId, c.job.state);
    return applied;
  }

  /**
   * A new rollout's jobs, in the caller's transaction: QUEUED, or SKIPPED with the reason admission
   * gave (decided before anything was sent). Written in slices, so a big fleet is a few statements.
   */
  async insertNew(
    tx: EntityManager,
    rolloutId: number,
    artifactId: number,
    rows: Array<{ groupId: number; deviceId: string; fromSha256: string | null; skippedReason?: string }>,
  ): Promise<void> {
    const jobs = rows.map((r) => ({
      rolloutId,
      groupId: r.groupId,
      deviceId: r.deviceId,
      artifactId,
      fromSha256: r.fromSha256,
      state: (r.skippedReason === undefined ? 'QUEUED' : 'SKIPPED') as OtaJobState,
      reason: r.skippedReason ?? null,
      attempts: 0,
      chunksReceived: 0,
    }));
    for (let i = 0; i < jobs.length; i += 1000) await tx.getRepository(OtaJob).insert(jobs.slice(i, i + 1000));
  }

  /** A rollout's jobs that have not finished (queued or in flight). */
  open(rolloutId: number): Promise<OtaJob[]> {
    return this.db.getRepository(OtaJob).find({ where: { rolloutId, state: In(['QUEUED', ...IN_FLIGHT_STATES]) } });
  }

  /** A rollout's SUCCEEDED jobs (of these devices only, when given). */
  succeeded(rolloutId: number, deviceIds?: string[]): Promise<OtaJob[]> {
    return this.db
      .getRepository(OtaJob)
      .find({ where: { rolloutId, state: 'SUCCEEDED', ...(deviceIds ? { deviceId: In(deviceIds) } : {}) } });
  }

  /** Which of these devices have a job in flight (any rollout). */
  async busyDevices(deviceIds: string[]): Promise<Set<string>> {
    const rows = await this.db.getRepository(OtaJob).find({
      where: { deviceId: In(deviceIds), state: In(IN_FLIGHT_STATES as string[]) },
      select: { deviceId: true },
    });
    return new Set(rows.map((j) => j.deviceId));
  }

  ofGroup(groupId: number): Promise<OtaJob[]> {
    return this.db.getRepository(OtaJob).find({ where: { groupId }, order: { id: 'ASC' } });
  }

  /** Jobs per group and state of a rollout. */
  countsByGroup(rolloutId: number): Promise<Array<{ group_id: number; state: OtaJobState; n: number }>> {
    return this.db.query(
      `SELECT group_id, state, count(*)::int AS n FROM ota_jobs WHERE rollout_id = $1 GROUP BY group_id, state`,
      [rolloutId],
    );
  }

  /** The devices admission left out of a rollout, with the reason. */
  skipped(rolloutId: number): Promise<Array<{ deviceId: string; reason: string }>> {
    return this.db.query(
      `SELECT device_id AS "deviceId", reason FROM ota_jobs WHERE rollout_id = $1 AND state = 'SKIPPED' ORDER BY device_id`,
      [rolloutId],
    );
  }

  /** The devices of these groups whose job is in one of these states. */
  async deviceIdsIn(groupIds: number[], states: OtaJobState[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const rows: Array<{ device_id: string }> = await this.db.query(
      `SELECT device_id FROM ota_jobs WHERE group_id = ANY($1::int[]) AND state = ANY($2::text[])`,
      [groupIds, states],
    );
    return rows.map((r) => r.device_id);
  }

  /** Jobs of a rollout notified so far, and within the last minute before `now` (the pacing budget's inputs). */
  async notificationCounts(rolloutId: number, now: Date): Promise<{ total: number; lastMinute: number }> {
    const [row]: Array<{ total: number; last_minute: number }> = await this.db.query(
      `SELECT count(DISTINCT e.job_id)::int AS total,
              count(DISTINCT e.job_id) FILTER (WHERE e.at > $2)::int AS last_minute
       FROM ota_job_events e JOIN ota_jobs j ON j.id = e.job_id
       WHERE j.rollout_id = $1 AND e.to_state = 'NOTIFIED'`,
      [rolloutId, new Date(now.getTime() - 60_000)],
    );
    return { total: row?.total ?? 0, lastMinute: row?.last_minute ?? 0 };
  }

  /** What each job's offer carried: its transfer form and chunk count. */
  async recordOffers(offers: Array<{ id: number; form: string; chunkCount: number }>): Promise<void> {
    if (offers.length === 0) return;
    await this.db.query(
      `UPDATE ota_jobs AS j SET form = c.form, chunks_total = c.chunks FROM unnest($1::int[], $2::text[], $3::int[]) AS c(id, form, chunks) WHERE j.id = c.id`,
      [offers.map((o) => o.id), offers.map((o) => o.form), offers.map((o) => o.chunkCount)],
    );
  }

  /** Jobs (newest first, at most 100), each with its transitions: the OTA history a device page shows. */
  async listWithHistory(deviceId?: string): Promise<Array<OtaJob & { events: OtaJobEvent[] }>> {
    const jobs = await this.db
      .getRepository(OtaJob)
      .find({ where: deviceId ? { deviceId } : {}, order: { id: 'DESC' }, take: 100 });
    if (jobs.length === 0) return [];
    const events = await this.db
      .getRepository(OtaJobEvent)
      .find({ where: { jobId: In(jobs.map((j) => j.id)) }, order: { id: 'ASC' } });
    return jobs.map((j) => ({ ...j, events: events.filter((e) => e.jobId === j.id) }));
  }
}
