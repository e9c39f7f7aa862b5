import { DataSource } from 'typeorm';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../../../test/support/test-database';
import { event } from '../../../../test/support/devices';
import type { AppConfig } from '../config/app-config';
import { ENTITIES, MIGRATIONS } from '../database/entities';
import { EventPartitionsExecutor } from './event-partitions.executor';
import { dayPartition, DAY_MS, PARTITION_DAYS_AHEAD } from './event-partitions.plan';
import { EventPartitionsRepository, MAINTENANCE_LOCK_NAME } from './event-partitions.repository';
import { EventsRepository } from './events.repository';

const dataSource = (url: string) =>
  new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'all',
    logging: false,
  });

/** Midday UTC, `days` from today: the ticks run on their own clock, far from the partitions the migration made. */
const middayIn = (days: number) =>
  new Date(dayPartition(new Date(Date.now() + days * DAY_MS)).from.getTime() + DAY_MS / 2);
const plus = (t: Date, days: number, hours = 0) => new Date(t.getTime() + days * DAY_MS + hours * 3_600_000);

/** Partition maintenance and retention on each database the platform runs on, two instances included. */
describe.each<DatabaseKind>(['postgres', 'pglite'])('EventPartitionsExecutor on %s', (kind) => {
  let db: TestDatabase;
  let ds: DataSource;
  let other: DataSource; // a second instance's connection pool
  const executor = (on: DataSource, eventsRetentionDays: number) =>
    new EventPartitionsExecutor(new EventPartitionsRepository(on.manager), {
      ingest: { maxBatchRows: 2000, eventsRetentionDays },
    } as AppConfig);

  const partitions = async (): Promise<string[]> =>
    (
      await ds.query(
        `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'device_events'::regclass ORDER BY 1`,
      )
    ).map((r: { name: string }) => r.name);
  const store = async (deviceId: string, seq: number, receivedAt: Date) => {
    await ds.query(
      `INSERT INTO device_events (device_id, seq, device_time, received_at, model_tag, label, score_q, latency_us, energy_uj)
       VALUES ($1, $2, $3, $3, 7, 1, 50, 1000, 30)`,
      [deviceId, seq, receivedAt],
    );
    await ds.query(`INSERT INTO device_event_keys (device_id, seq) VALUES ($1, $2)`, [deviceId, seq]);
  };
  const stored = async (table: 'device_events' | 'device_event_keys', deviceId: string) =>
    (
      await ds.query(
        `SELECT seq::int AS seq, tableoid::regclass::text AS partition FROM ${table} WHERE device_id = $1 ORDER BY seq`,
        [deviceId],
      )
    ).map((r: { seq: number; partition: string }) => (table === 'device_events' ? [r.seq, r.partition] : r.seq));

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    ds = dataSource(db.url);
    await ds.initialize();
    await ds.runMigrations();
    other = dataSource(db.url);
    await other.initialize();
    await ds.query(
      `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash)
       VALUES ('ret-1', 'hw-ret-1', 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y')`,
    );
  });
  afterAll(async () => {
    await other?.destroy();
    await ds?.destroy();
    await db?.dispose();
  });

  it('creates today and the week ahead once; a second tick finds nothing to do', async () => {
    const now = middayIn(1000);
    const first = await executor(ds, 0).tick(now);
    const expected = Array.from({ length: PARTITION_DAYS_AHEAD + 1 }, (_, d) => dayPartition(plus(now, d)).name);
    expect(first!.create.map((p) => p.name)).toEqual(expected);
    expect(await partitions()).toEqual(expect.arrayContaining(expected));
    expect(await executor(ds, 0).tick(now)).toEqual({ create: [], drop: [], prunedBefore: null });
  });

  it('drops exactly the partitions older than the retention, and no row newer than the cutoff', async () => {
    const now = middayIn(2000);
    const cutoff = plus(now, -90);
    const keep = executor(ds, 0);
    await keep.tick(plus(now, -91)); // the partitions of days −91 … −84
    await keep.tick(plus(now, -10));
    await store('ret-1', 1, plus(now, -91)); // in a partition wholly before the cutoff
    await store('ret-1', 2, plus(cutoff, 0, -6)); // older than the cutoff, in the partition that straddles it
    await store('ret-1', 3, plus(cutoff, 0, 6));
    await store('ret-1', 4, plus(now, -10));
    await store('ret-1', 5, plus(now, -200)); // no partition: DEFAULT took it
    await store('ret-1', 6, plus(now, 30)); // no partition yet: DEFAULT
    const before = await partitions();

    const done = await executor(ds, 90).tick(now);
    const straddling = dayPartition(cutoff).name;
    // Exactly the day partitions whose day ended by the cutoff (those before the one that straddles it).
    const olderDays = before.filter((name) => /^device_events_p\d{8}$/.test(name) && name < straddling);
    expect(olderDays).toContain(dayPartition(plus(now, -91)).name);
    expect([...done!.drop].sort()).toEqual(olderDays);
    expect(done!.prunedBefore).toEqual(dayPartition(cutoff).from);
    expect(await stored('device_events', 'ret-1')).toEqual([
      [2, straddling],
      [3, straddling],
      [4, dayPartition(plus(now, -10)).name],
      [6, 'device_events_default'],
    ]);
    // The keys of the dropped partition's rows and of the DEFAULT rows deleted went with them, and only those.
    expect(await stored('device_event_keys', 'ret-1')).toEqual([2, 3, 4, 6]);
    const ingest = new EventsRepository(ds.manager);
    // A re-send of an event that stayed is still recognised, also one older than the cutoff, also one in DEFAULT.
    expect(await ingest.insertBatch([2, 4, 6].map((s) => ({ deviceId: 'ret-1', event: event(s) })))).toBe(0);
    // One whose event retention deleted is stored again, as new.
    expect(await ingest.insertBatch([1, 5].map((s) => ({ deviceId: 'ret-1', event: event(s) })))).toBe(2);
    expect(await stored('device_event_keys', 'ret-1')).toEqual([1, 2, 3, 4, 5, 6]);
    await ds.query(`DELETE FROM device_events WHERE device_id = 'ret-1' AND seq IN (1, 5)`);
    await ds.query(`DELETE FROM device_event_keys WHERE device_id = 'ret-1' AND seq IN (1, 5)`);

    // When its day's partition is made, the row DEFAULT took moves into it.
    await keep.tick(plus(now, 30));
    expect((await stored('device_events', 'ret-1')).at(-1)).toEqual([6, dayPartition(plus(now, 30)).name]);
  });

  it('lets two instances tick at once: one does the work', async () => {
    const now = middayIn(3000);
    const results = await Promise.all([executor(ds, 90).tick(now), executor(other, 90).tick(now)]);
    const workers = results.filter((r) => r !== null && r.create.length > 0);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.create).toHaveLength(PARTITION_DAYS_AHEAD + 1);
    // The other either found the lock taken or, after it, nothing left to do.
    expect(results.filter((r) => r === null || (r.create.length === 0 && r.drop.length === 0))).toHaveLength(1);
  });

  if (kind === 'postgres') {
    it('skips a tick while another session holds the maintenance lock', async () => {
      const now = middayIn(4000);
      const holder = other.createQueryRunner();
      await holder.startTransaction();
      try {
        await holder.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [MAINTENANCE_LOCK_NAME]);
        expect(await executor(ds, 90).tick(now)).toBeNull();
        expect(await partitions()).not.toContain(dayPartition(now).name);
      } finally {
        await holder.rollbackTransaction();
        await holder.release();
      }
      expect((await executor(ds, 90).tick(now))!.create).toHaveLength(PARTITION_DAYS_AHEAD + 1);
    });
  }
});
