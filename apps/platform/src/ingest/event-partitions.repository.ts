import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import type { EventPartition, PartitionPlan } from './event-partitions.plan';

/** The maintenance advisory lock is `hashtext` of this name: the same on every instance, apart from other advisory locks. */
export const MAINTENANCE_LOCK_NAME = 'tinyfleet.device_events.maintenance';

/** device_events' range partitions with their bounds; DEFAULT (and any bound that is not a quoted time) has none. */
const RANGE_PARTITIONS_SQL = `
SELECT c.relname AS name, b[1]::timestamptz AS "from", b[2]::timestamptz AS "to"
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), $$FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$$) b
WHERE i.inhparent = 'device_events'::regclass AND b IS NOT NULL
ORDER BY 2`;

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * device_events' partitions and their rows' dedup keys (device_event_keys, deleted with the rows they
 * dedup): the DDL of partition maintenance, run by EventPartitionsExecutor.
 */
@Injectable()
export class EventPartitionsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /**
   * In one transaction under the maintenance advisory lock: reads the range partitions, asks
   * `plan` what to do with them and does it. Null when another session holds the lock (it is
   * doing the same work). The lock is released with the transaction, also when a session dies.
   */
  maintain(plan: (existing: EventPartition[]) => PartitionPlan): Promise<PartitionPlan | null> {
    return this.m.transaction(async (tx) => {
      const [{ locked }]: Array<{ locked: boolean }> = await tx.query(
        `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
        [MAINTENANCE_LOCK_NAME],
      );
      if (!locked) return null;
      // DDL on a partition waits for the parent's lock behind in-flight inserts; give up (the next tick retries) rather than queue ingest behind it.
      await tx.query(`SET LOCAL lock_timeout = '10s'`);
      const existing: EventPartition[] = await tx.query(RANGE_PARTITIONS_SQL);
      const todo = plan(existing);
      for (const p of todo.create) await this.createPartition(tx, p);
      // The parent's lock first, as DROP would take it anyway: with no ingest statement running, none
      // holds a key row the deletes below need (an ingest waiting on a key while holding the table deadlocks).
      if (todo.drop.length > 0) await tx.query(`LOCK TABLE device_events IN ACCESS EXCLUSIVE MODE`);
      for (const name of todo.drop) {
        // Each key goes with its event: a key is (device_id, seq) only and points into exactly one partition.
        await tx.query(
          `DELETE FROM device_event_keys k USING ${quoteIdent(name)} e WHERE k.device_id = e.device_id AND k.seq = e.seq`,
        );
        await tx.query(`DROP TABLE ${quoteIdent(name)}`);
      }
      if (todo.prunedBefore) {
        await tx.query(
          `WITH gone AS (DELETE FROM device_events_default WHERE received_at < $1 RETURNING device_id, seq)
           DELETE FROM device_event_keys k USING gone WHERE k.device_id = gone.device_id AND k.seq = gone.seq`,
          [todo.prunedBefore],
        );
      }
      return todo;
    });
  }

  /** Creates a partition; rows DEFAULT took for its range meanwhile move into it (PostgreSQL refuses the partition otherwise). */
  private async createPartition(tx: EntityManager, p: EventPartition): Promise<void> {
    const range = [p.from, p.to];
    const [{ stray }]: Array<{ stray: boolean }> = await tx.query(
      `SELECT EXISTS (SELECT 1 FROM device_events_default WHERE received_at >= $1 AND received_at < $2) AS stray`,
      range,
    );
    if (stray) {
      await tx.query(`CREATE TEMP TABLE device_events_moving (LIKE device_events) ON COMMIT DROP`);
      await tx.query(
        `WITH moved AS (DELETE FROM device_events_default WHERE received_at >= $1 AND received_at < $2 RETURNING *)
         INSERT INTO device_events_moving SELECT * FROM moved`,
        range,
      );
    }
    await tx.query(
      `CREATE TABLE ${quoteIdent(p.name)} PARTITION OF device_events
         FOR VALUES FROM ('${p.from.toISOString()}') TO ('${p.to.toISOString()}')`,
    );
    if (stray) {
      await tx.query(`INSERT INTO device_events SELECT * FROM device_events_moving`);
      await tx.query(`DROP TABLE device_events_moving`);
    }
  }
}
