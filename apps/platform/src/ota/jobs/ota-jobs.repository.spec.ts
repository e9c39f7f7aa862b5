import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../../../test/support/test-database';
import { PlatformInstance } from '../../common/platform-instance';
import { PlatformEvents } from '../../common/platform-events';
import { ENTITIES, MIGRATIONS } from '../../database/entities';
import { OtaJob } from './ota-job.entity';
import { JobBatchChange, KnownJob, OtaJobsRepository } from './ota-jobs.repository';

/** The repository's batch write and its memory of jobs, on a real PostgreSQL. */
describe('OtaJobsRepository', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let repo: OtaJobsRepository;
  let ids: number[];
  const now = new Date('2026-11-27T10:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    ds = new DataSource({
      type: 'postgres',
      url: db.url,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsTransactionMode: 'all',
      logging: false,
    });
    await ds.initialize();
    await ds.runMigrations();
    // Only ota_jobs and its events matter here: no devices, rollouts or artifacts behind the jobs.
    for (const { conname } of await ds.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'ota_jobs'::regclass AND contype = 'f'`,
    )) {
      await ds.query(`ALTER TABLE ota_jobs DROP CONSTRAINT ${conname}`);
    }
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.dispose();
  });
  beforeEach(async () => {
    repo = new OtaJobsRepository(ds, new PlatformEvents(), new PlatformInstance());
    const rows: Array<{ id: number }> = await ds.query(
      `INSERT INTO ota_jobs (rollout_id, group_id, device_id, artifact_id, state, attempts) SELECT 1, 1, 'dev-' || g || '-' || $1, 1, 'NOTIFIED', 1 FROM generate_series(1, 3) g RETURNING id`,
      [Math.random()],
    );
    ids = rows.map((r) => r.id);
  });

  const events = async (id: number) =>
    (await ds.query(`SELECT from_state, to_state, source FROM ota_job_events WHERE job_id = $1 ORDER BY id`, [
      id,
    ])) as Array<{ from_state: string; to_state: string; source: string }>;
  const row = async (id: number) => await ds.getRepository(OtaJob).findOneByOrFail({ id });
  const step = (job: KnownJob, ...to: Array<KnownJob['state']>): JobBatchChange => {
    const events = to.map((s, i) => ({
      fromState: i === 0 ? job.state : to[i - 1]!,
      toState: s,
      reason: null,
      source: 'device' as const,
    }));
    return {
      job: { ...job, state: to[to.length - 1]!, chunksReceived: 4 },
      fromState: job.state,
      fromAttempts: job.attempts,
      events,
    };
  };

  it('writes a batch in one statement: rows still as the caller saw them, every transition in order', async () => {
    const known = await repo.known(ids);
    const [a, b, c] = ids.map((id) => known.get(id)!);
    // b moved meanwhile (another writer's retry: same state, one more attempt): its change must not land.
    await ds.query(`UPDATE ota_jobs SET attempts = 2 WHERE id = $1`, [b!.id]);
    const written = await repo.writeBatch(
      [step(a!, 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED'), step(b!, 'DOWNLOADING'), step(c!, 'DOWNLOADING')],
      now,
    );
    expect([...written].sort()).toEqual([a!.id, c!.id].sort());
    expect((await events(a!.id)).map((e) => e.to_state)).toEqual(['DOWNLOADING', 'DOWNLOADED', 'VERIFIED']);
    expect(await events(b!.id)).toEqual([]);
    expect((await row(b!.id)).state).toBe('NOTIFIED');
    expect(await row(a!.id)).toMatchObject({ state: 'VERIFIED', chunksReceived: 4, attempts: 1 });
  });

  it('writes a change that follows another only together with it', async () => {
    const known = await repo.known(ids);
    const [a, b] = ids.map((id) => known.get(id)!);
    await ds.query(`UPDATE ota_jobs SET state = 'CANCELED' WHERE id = $1`, [a!.id]);
    const written = await repo.writeBatch([step(a!, 'DOWNLOADING'), { ...step(b!, 'DOWNLOADING'), after: a!.id }], now);
    expect(written.size).toBe(0);
    expect((await row(b!.id)).state).toBe('NOTIFIED');
    expect(await events(b!.id)).toEqual([]);
    const [c] = [(await repo.known([ids[2]!])).get(ids[2]!)!];
    const together = await repo.writeBatch(
      [step(c!, 'DOWNLOADING'), { ...step(b!, 'DOWNLOADING'), after: c!.id }],
      now,
    );
    expect([...together].sort()).toEqual([b!.id, c!.id].sort());
    expect((await events(b!.id)).map((e) => e.to_state)).toEqual(['DOWNLOADING']);
  });

  it('answers from memory what it wrote itself, and reads again what a transition changed', async () => {
    const [a] = ids.map((id) => id);
    const first = (await repo.known([a!])).get(a!)!;
    await repo.writeBatch([step(first, 'DOWNLOADING')], now);
    const query = jest.spyOn(ds, 'query');
    try {
      expect((await repo.known([a!])).get(a!)).toMatchObject({ state: 'DOWNLOADING', chunksReceived: 4 });
      expect(query).not.toHaveBeenCalled();
      await repo.transition(await row(a!), 'CANCELED', 'rollout aborted', 'server', { deadlineAt: null }, now);
      query.mockClear();
      expect((await repo.known([a!])).get(a!)).toMatchObject({ state: 'CANCELED', reason: 'rollout aborted' });
      expect(query).toHaveBeenCalledTimes(1);
    } finally {
      query.mockRestore();
    }
  });

  it('finds the job waiting for each device, the newest, for devices asking at the same moment', async () => {
    const device = (i: number) =>
      (
        ds.query(`SELECT device_id FROM ota_jobs WHERE id = $1`, [ids[i]]) as Promise<Array<{ device_id: string }>>
      ).then((r) => r[0]!.device_id);
    const [d0, d1, d2] = [await device(0), await device(1), await device(2)];
    await ds.query(`UPDATE ota_jobs SET state = 'APPLYING' WHERE id = $1`, [ids[1]]);
    const [newer]: Array<{ id: number }> = await ds.query(
      `INSERT INTO ota_jobs (rollout_id, group_id, device_id, artifact_id, state, attempts) VALUES (2, 1, $1, 1, 'NOTIFIED', 1) RETURNING id`,
      [d0],
    );
    const found = await Promise.all([d0, d1, d2, 'dev-nobody'].map((d) => repo.awaitingDevice(d)));
    expect(found.map((j) => j?.id ?? null)).toEqual([newer!.id, null, ids[2], null]);
  });

  it('two instances writing overlapping batches in opposite orders: each job written once, no deadlock escapes', async () => {
    // Two platform instances (each its own repository and cache), the same 300 jobs, each seeing
    // them in the same state: every round both write one transition for every job, in opposite
    // orders, so their row locks can cycle and PostgreSQL aborts one statement (40P01).
    const rows: Array<{ id: number }> = await ds.query(
      `INSERT INTO ota_jobs (rollout_id, group_id, device_id, artifact_id, state, attempts) SELECT 3, 1, 'dev-race-' || g, 1, 'QUEUED', 0 FROM generate_series(1, 300) g RETURNING id`,
    );
    const jobIds = rows.map((r) => r.id);
    const [a, b] = [repo, new OtaJobsRepository(ds, new PlatformEvents(), new PlatformInstance())];
    const path: Array<KnownJob['state']> = ['NOTIFIED', 'DOWNLOADING', 'DOWNLOADED', 'VERIFIED', 'APPLYING'];
    for (const to of path) {
      const seen = await a.known(jobIds);
      const changes = jobIds.map((id) => ({ ...step(seen.get(id)!, to), job: { ...seen.get(id)!, state: to } }));
      const [wa, wb] = await Promise.all([a.writeBatch(changes, now), b.writeBatch([...changes].reverse(), now)]);
      expect(wa.size + wb.size).toBe(jobIds.length);
      for (const id of wa) expect(wb.has(id)).toBe(false);
      // The next round: a remembers what it wrote and reads again what b wrote (its own copy lost).
    }
    const final: Array<{ state: string; n: number }> = await ds.query(
      `SELECT j.state, count(e.id)::int AS n FROM ota_jobs j JOIN ota_job_events e ON e.job_id = j.id WHERE j.rollout_id = 3 GROUP BY j.state`,
    );
    expect(final).toEqual([{ state: 'APPLYING', n: jobIds.length * path.length }]);
  });

  it('knows nothing of jobs that do not exist, and does not remember that they do not', async () => {
    expect((await repo.known([2_000_000_000])).size).toBe(0);
  });
});
