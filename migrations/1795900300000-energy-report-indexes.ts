import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The energy report reads snapshots and events per device over a time range (virtual time for
 * snapshots, device time for events), and each (device, boot)'s last snapshot before the range.
 */
export class EnergyReportIndexes1795900300000 implements MigrationInterface {
  name = 'EnergyReportIndexes1795900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX energy_snapshots_device_time_idx ON energy_snapshots (device_id, virtual_time_ms)`);
    await q.query(`CREATE INDEX device_events_device_time_idx ON device_events (device_id, device_time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX device_events_device_time_idx`);
    await q.query(`DROP INDEX energy_snapshots_device_time_idx`);
  }
}
