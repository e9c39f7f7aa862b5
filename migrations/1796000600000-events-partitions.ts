import { MigrationInterface, QueryRunner } from 'typeorm';

/** Partitions created ahead of today at conversion (the maintenance job keeps the same horizon). */
const DAYS_AHEAD = 7;

const COLUMNS = `device_id, seq, device_time, received_at, model_tag, model_id, model_version, label, score_q, latency_us, energy_uj`;

/**
 * device_events becomes range-partitioned by `received_at`, one partition per UTC day
 * (`device_events_pYYYYMMDD`) plus a DEFAULT partition that catches a row no day partition covers
 * (a platform clock that jumped past the partitions made ahead). Retention drops whole partitions
 * (EventPartitionsExecutor); docs/scale-out.md "Events table: partitions, dedup, retention".
 *
 * Why `received_at` and not the event's own `device_time`: device clocks are not the platform's
 * (simulated nodes run virtual clocks far ahead, real ones can be wrong), so device time would put
 * much of the fleet in the DEFAULT partition, out of reach of retention; and a unique key on
 * (device_id, seq, device_time) would store a reused seq with a new timestamp twice, where the
 * protocol says the first copy of a (deviceId, seq) wins (docs/protocol.md). A unique index of a
 * partitioned table must include the partition key, and a re-send arrives with a later
 * `received_at`, so the dedup moves to `device_event_keys`: one unpartitioned row per stored
 * (device_id, seq), written by the same statement as the event, pruned with the partitions it
 * belongs to. Every row is kept; ids were never read, so the surrogate `id` goes.
 */
export class EventsPartitions1796000600000 implements MigrationInterface {
  name = 'EventsPartitions1796000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_events RENAME TO device_events_unpartitioned`);
    await q.query(`
      CREATE TABLE device_events (
        device_id      text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        seq            bigint NOT NULL,
        device_time    timestamptz NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        model_tag      bigint NOT NULL,
        model_id       text NULL,
        model_version  text NULL,
        label          smallint NOT NULL,
        score_q        smallint NOT NULL,
        latency_us     bigint NOT NULL,
        energy_uj      bigint NOT NULL
      ) PARTITION BY RANGE (received_at)`);
    await q.query(`CREATE TABLE device_events_default PARTITION OF device_events DEFAULT`);
    // Every UTC day that holds rows, and today plus the days ahead.
    const days: Array<{ day: string }> = await q.query(
      `SELECT DISTINCT to_char(d, 'YYYY-MM-DD') AS day FROM (
         SELECT date_trunc('day', received_at AT TIME ZONE 'UTC') AS d FROM device_events_unpartitioned
         UNION ALL
         SELECT date_trunc('day', now() AT TIME ZONE 'UTC') + make_interval(days => g) FROM generate_series(0, $1::int) g
       ) s ORDER BY 1`,
      [DAYS_AHEAD],
    );
    for (const { day } of days) {
      const from = new Date(`${day}T00:00:00Z`);
      const to = new Date(from.getTime() + 86_400_000);
      await q.query(
        `CREATE TABLE device_events_p${day.replaceAll('-', '')} PARTITION OF device_events
           FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    }
    await q.query(`INSERT INTO device_events (${COLUMNS}) SELECT ${COLUMNS} FROM device_events_unpartitioned`);
    await q.query(`
      CREATE TABLE device_event_keys (
        device_id    text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        seq          bigint NOT NULL,
        received_at  timestamptz NOT NULL,
        PRIMARY KEY (device_id, seq)
      )`);
    await q.query(
      `INSERT INTO device_event_keys (device_id, seq, received_at) SELECT device_id, seq, received_at FROM device_events_unpartitioned`,
    );
    await q.query(`DROP TABLE device_events_unpartitioned`);
    // Built after the copy; the names the unpartitioned table's indexes had are free again.
    await q.query(`CREATE INDEX device_event_keys_received_at_idx ON device_event_keys (received_at)`);
    await q.query(`CREATE INDEX device_events_device_seq_idx ON device_events (device_id, seq)`);
    await q.query(`CREATE INDEX device_events_device_time_idx ON device_events (device_id, device_time)`);
    await q.query(`CREATE INDEX device_events_received_at_idx ON device_events (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_events RENAME TO device_events_partitioned`);
    await q.query(`
      CREATE TABLE device_events (
        id             bigserial PRIMARY KEY,
        device_id      text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        seq            bigint NOT NULL,
        device_time    timestamptz NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        model_tag      bigint NOT NULL,
        model_id       text NULL,
        model_version  text NULL,
        label          smallint NOT NULL,
        score_q        smallint NOT NULL,
        latency_us     bigint NOT NULL,
        energy_uj      bigint NOT NULL
      )`);
    await q.query(
      `INSERT INTO device_events (${COLUMNS}) SELECT ${COLUMNS} FROM device_events_partitioned ORDER BY received_at, device_id, seq`,
    );
    await q.query(`DROP TABLE device_events_partitioned`);
    await q.query(`DROP TABLE device_event_keys`);
    await q.query(`ALTER TABLE device_events ADD CONSTRAINT device_events_device_seq_key UNIQUE (device_id, seq)`);
    await q.query(`CREATE INDEX device_events_received_at_idx ON device_events (received_at)`);
    await q.query(`CREATE INDEX device_events_device_time_idx ON device_events (device_id, device_time)`);
  }
}
