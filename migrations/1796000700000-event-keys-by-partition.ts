import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * device_event_keys holds (device_id, seq) only: a key is deleted together with its event, when
 * retention drops the partition the event is in (or deletes it from DEFAULT), by joining that
 * partition's rows (EventPartitionsRepository). It was pruned by its own `received_at` up to the
 * oldest partition kept, which needed that column and an index on it written for every event
 * ingested; now each event costs one key index entry, and a key lives exactly as long as the event
 * it dedups: a re-send within retention is stored once, in whichever partition its first copy is.
 *
 * A key whose event is gone (a partition dropped by hand) would never be deleted now: those go first.
 */
export class EventKeysByPartition1796000700000 implements MigrationInterface {
  name = 'EventKeysByPartition1796000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM device_event_keys k
       WHERE NOT EXISTS (SELECT 1 FROM device_events e WHERE e.device_id = k.device_id AND e.seq = k.seq)`,
    );
    await q.query(`DROP INDEX device_event_keys_received_at_idx`);
    await q.query(`ALTER TABLE device_event_keys DROP COLUMN received_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE device_event_keys ADD COLUMN received_at timestamptz NULL`);
    await q.query(
      `UPDATE device_event_keys k SET received_at = e.received_at
       FROM device_events e WHERE e.device_id = k.device_id AND e.seq = k.seq`,
    );
    await q.query(`ALTER TABLE device_event_keys ALTER COLUMN received_at SET NOT NULL`);
    await q.query(`CREATE INDEX device_event_keys_received_at_idx ON device_event_keys (received_at)`);
  }
}
