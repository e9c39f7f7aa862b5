import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several platform instances on one database: a running rollout is driven by the instance holding
 * its lease (`lease_owner` until `lease_until`, database time), taken with FOR UPDATE SKIP LOCKED
 * and renewed every tick; when the holder dies, another takes it once the lease has run out. Job
 * transitions record which instance wrote them (`actor`), so "driven by exactly one instance" can
 * be read from the history.
 */
export class RolloutLeases1796000200000 implements MigrationInterface {
  name = 'RolloutLeases1796000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE rollouts ADD COLUMN lease_owner text NULL, ADD COLUMN lease_until timestamptz NULL`);
    await q.query(`CREATE INDEX rollouts_running_idx ON rollouts (id) WHERE state = 'RUNNING'`);
    await q.query(`ALTER TABLE ota_job_events ADD COLUMN actor text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ota_job_events DROP COLUMN actor`);
    await q.query(`DROP INDEX rollouts_running_idx`);
    await q.query(`ALTER TABLE rollouts DROP COLUMN lease_until, DROP COLUMN lease_owner`);
  }
}
