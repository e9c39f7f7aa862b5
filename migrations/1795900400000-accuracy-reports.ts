import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On-device accuracy (up/accuracy): one row per model of each report, cumulative since boot, so
 * (device, boot, seq, model tag) is unique and a re-delivered report stores nothing. The model id and
 * version are resolved from the device's last status at ingest, as for inference events.
 */
export class AccuracyReports1795900400000 implements MigrationInterface {
  name = 'AccuracyReports1795900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accuracy_reports (
        id             bigserial PRIMARY KEY,
        device_id      text NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        boot_id        bigint NOT NULL,
        seq            bigint NOT NULL,
        model_tag      bigint NOT NULL,
        device_time    timestamptz NOT NULL,
        received_at    timestamptz NOT NULL DEFAULT now(),
        model_id       text NULL,
        model_version  text NULL,
        inferences     bigint NOT NULL,
        correct        bigint NOT NULL,
        CONSTRAINT accuracy_reports_device_boot_seq_tag_key UNIQUE (device_id, boot_id, seq, model_tag),
        CONSTRAINT accuracy_reports_counts_check CHECK (correct >= 0 AND correct <= inferences)
      )`);
    // Health gates: a rollout side's devices, one model tag, by the platform clock.
    await q.query(
      `CREATE INDEX accuracy_reports_device_tag_received_idx ON accuracy_reports (device_id, model_tag, received_at)`,
    );
    // Energy report: the devices in scope over a range of device time.
    await q.query(`CREATE INDEX accuracy_reports_device_time_idx ON accuracy_reports (device_id, device_time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accuracy_reports`);
  }
}
