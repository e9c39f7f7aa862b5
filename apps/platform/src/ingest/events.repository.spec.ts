import { DataSource } from 'typeorm';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../../../test/support/test-database';
import { event } from '../../../../test/support/devices';
import { EventsPartitions1796000600000 } from '../../../../migrations/1796000600000-events-partitions';
import { EventKeysByPartition1796000700000 } from '../../../../migrations/1796000700000-event-keys-by-partition';
import { ENTITIES, MIGRATIONS } from '../database/entities';
import { dayPartition, DAY_MS } from './event-partitions.plan';
import { EventsRepository } from './events.repository';

const dataSource = (url: string, migrations: unknown[]) =>
  new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: migrations as never,
    migrationsTransactionMode: 'all',
    logging: false,
  });

const insertDevice = (ds: DataSource, id: string) =>
  ds.query(
    `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash)
     VALUES ($1, 'hw-' || $1, 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y')`,
    [id],
  );

/**
 * device_events partitioned by received_at, on each database the platform runs on: the conversion
 * keeps every row, the keys become (device_id, seq) only, and a (device, seq) is stored once however
 * far apart its copies arrive.
 */
describe.each<DatabaseKind>(['postgres', 'pglite'])('EventsRepository on %s', (kind) => {
  let db: TestDatabase;
  let ds: DataSource;
  let events: EventsRepository;
  const now = Date.now();
  // Before the conversion: rows received 40 days ago, yesterday and now (received_at is the platform's clock).
  const receivedBefore = [now - 40 * DAY_MS, now - DAY_MS, now];

  const rows = async (deviceId: string) =>
    (await ds.query(
      `SELECT seq::int AS seq, tableoid::regclass::text AS partition, score_q AS "scoreQ" FROM device_events WHERE device_id = $1 ORDER BY seq`,
      [deviceId],
    )) as Array<{ seq: number; partition: string; scoreQ: number }>;
  const counters = async (deviceId: string) =>
    (
      await ds.query(`SELECT events_count::int AS n, last_event_seq::int AS last FROM devices WHERE id = $1`, [
        deviceId,
      ])
    )[0];

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const before = dataSource(db.url, MIGRATIONS.slice(0, MIGRATIONS.indexOf(EventsPartitions1796000600000)));
    await before.initialize();
    await before.runMigrations();
    await insertDevice(before, 'old-1');
    for (const [i, t] of receivedBefore.entries()) {
      await before.query(
        `INSERT INTO device_events (device_id, seq, device_time, received_at, model_tag, label, score_q, latency_us, energy_uj)
         VALUES ('old-1', $1, to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), 7, 1, 50, 1000, 30)`,
        [i + 1, 1_790_000_000_000 + i, t],
      );
    }
    await before.destroy();
    // Partitioned, with keys as 1796000600000 made them (received_at), and one key whose event is gone.
    const keyed = dataSource(db.url, MIGRATIONS.slice(0, MIGRATIONS.indexOf(EventKeysByPartition1796000700000)));
    await keyed.initialize();
    await keyed.runMigrations();
    await keyed.query(`INSERT INTO device_event_keys (device_id, seq, received_at) VALUES ('old-1', 99, now())`);
    await keyed.destroy();
    ds = dataSource(db.url, MIGRATIONS);
    await ds.initialize();
    await ds.runMigrations();
    events = new EventsRepository(ds.manager);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.dispose();
  });

  it('converts the table keeping every row, each in the partition of the day it was received', async () => {
    expect(await rows('old-1')).toEqual(
      receivedBefore.map((t, i) => ({ seq: i + 1, partition: dayPartition(new Date(t)).name, scoreQ: 50 })),
    );
    // A key per stored event, (device_id, seq) only; the key without an event is gone.
    const keys = await ds.query(`SELECT * FROM device_event_keys WHERE device_id = 'old-1' ORDER BY seq`);
    expect(keys).toEqual([1, 2, 3].map((seq) => ({ device_id: 'old-1', seq: String(seq) })));
    // Today and the week ahead exist, and DEFAULT: no insert waits for the first maintenance tick.
    const partitions: string[] = (
      await ds.query(
        `SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'device_events'::regclass`,
      )
    ).map((r: { name: string }) => r.name);
    for (let d = 0; d <= 7; d++) expect(partitions).toContain(dayPartition(new Date(now + d * DAY_MS)).name);
    expect(partitions).toContain('device_events_default');
    // A re-send of the event received 40 days ago, into today's partition, is recognised.
    expect(await events.insertBatch([{ deviceId: 'old-1', event: event(1) }])).toBe(0);
    expect((await rows('old-1')).length).toBe(3);
  });

  it('stores a re-sent (device, seq) once when its first copy lies in an earlier partition', async () => {
    await insertDevice(ds, 'resend-1');
    expect(await events.insertBatch([1, 2, 3].map((s) => ({ deviceId: 'resend-1', event: event(s) })))).toBe(3);
    // The boundary moves: the stored copies now lie in yesterday's partition, as if received before midnight.
    await ds.query(
      `UPDATE device_events SET received_at = received_at - interval '1 day' WHERE device_id = 'resend-1'`,
    );
    const yesterday = dayPartition(new Date(Date.now() - DAY_MS)).name;
    expect(new Set((await rows('resend-1')).map((r) => r.partition))).toEqual(new Set([yesterday]));

    const inserted = await events.insertBatch(
      [2, 3, 4].map((s) => ({ deviceId: 'resend-1', event: event(s, { scoreQ: 7 }) })),
    );
    expect(inserted).toBe(1);
    const stored = await rows('resend-1');
    expect(stored.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    // The first copy wins; only the new event went to today's partition; counters moved by one.
    expect(stored.map((r) => r.scoreQ)).toEqual([event(1).scoreQ, event(2).scoreQ, event(3).scoreQ, 7]);
    expect(stored[3]!.partition).toBe(dayPartition(new Date()).name);
    expect(await counters('resend-1')).toEqual({ n: 4, last: 4 });
  });

  it('stores the first copy of a (device, seq) that a batch carries twice', async () => {
    await insertDevice(ds, 'dup-1');
    const inserted = await events.insertBatch([
      { deviceId: 'dup-1', event: event(9, { scoreQ: 11 }) },
      { deviceId: 'dup-1', event: event(9, { scoreQ: 22 }) },
      { deviceId: 'nobody', event: event(9) },
    ]);
    expect(inserted).toBe(1);
    expect(await rows('dup-1')).toEqual([{ seq: 9, partition: dayPartition(new Date()).name, scoreQ: 11 }]);
    expect(await counters('dup-1')).toEqual({ n: 1, last: 9 });
    expect(await ds.query(`SELECT 1 FROM device_event_keys WHERE device_id = 'nobody'`)).toEqual([]);
  });

  it('pages a device’s events newest first across partitions', async () => {
    const page = await events.page('resend-1', 3);
    expect(page.map((e) => e.seq)).toEqual([4, 3, 2]);
    expect((await events.page('resend-1', 10, 2)).map((e) => e.seq)).toEqual([1]);
  });
});

/**
 * Batches committing at once (the ingest queue writes two at a time on PostgreSQL) over
 * overlapping sets of devices: each bumps its devices' counters in an order the plan chooses (hash
 * order, physical order) which differs between batches of different device sets, so two of them can
 * each hold a device row the other needs, and PostgreSQL aborts one with "deadlock detected"
 * (40P01). Every event must still be stored and counted exactly once.
 */
describe('EventsRepository with concurrent batches on postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let events: EventsRepository;
  const devices = Array.from({ length: 300 }, (_, i) => `conc-${String(i).padStart(3, '0')}`);

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    ds = dataSource(db.url, MIGRATIONS);
    await ds.initialize();
    await ds.runMigrations();
    await ds.query(
      `INSERT INTO devices (id, hardware_id, mcu_profile, radio_profile, sensor_stream, firmware_version, interpreter_version, lifecycle, connectivity, secret_hash, broker_hash)
       SELECT id, 'hw-' || id, 'nrf52840', 'nrf52840-ble-1m', 'soil', '1.0.0', '0.1.0', 'ACTIVE', 'OFFLINE', 'x', 'y' FROM unnest($1::text[]) AS id`,
      [devices],
    );
    events = new EventsRepository(ds.manager);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.dispose();
  });

  it('stores and counts every event once when batches over overlapping devices commit at once', async () => {
    const rounds = 40;
    const perRound = 4;
    const expected = new Map(devices.map((id) => [id, 0]));
    let seq = 0;
    for (let r = 0; r < rounds; r++) {
      // Batches of 5 to 300 devices, a device at most once per batch, fresh seqs: all rows are new.
      const batches = Array.from({ length: perRound }, (_, b) => {
        const size = [5, 300, 40, 150][b]!;
        const start = (r * 37 + b * 71) % devices.length;
        const ids = Array.from({ length: size }, (_, k) => devices[(start + k * 7) % devices.length]!);
        return [...new Set(ids)].map((deviceId) => ({ deviceId, event: event(seq++) }));
      });
      for (const b of batches) for (const row of b) expected.set(row.deviceId, expected.get(row.deviceId)! + 1);
      const inserted = await Promise.all(batches.map((b) => events.insertBatch(b)));
      expect(inserted).toEqual(batches.map((b) => b.length));
    }
    const counts: Array<{ id: string; n: number; rows: number }> = await ds.query(
      `SELECT d.id, d.events_count::int AS n, (SELECT count(*)::int FROM device_events e WHERE e.device_id = d.id) AS rows
         FROM devices d WHERE d.id LIKE 'conc-%' ORDER BY d.id`,
    );
    expect(counts).toEqual(devices.map((id) => ({ id, n: expected.get(id), rows: expected.get(id) })));
  });
});
