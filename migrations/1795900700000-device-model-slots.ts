import { MigrationInterface, QueryRunner } from 'typeorm';

const SLOT_COLUMNS = [
  'model_id text',
  'model_version text',
  'model_sha256 text',
  'model_tag bigint',
  'model_bytes bigint',
];

/**
 * A device's two model slots as columns (`active_*`: the model it runs, `inactive_*`: the other A/B
 * slot), written with every status heartbeat, instead of JSON paths into `last_status` wherever
 * the platform asks what a device runs (admission, gates, event tags, reports). `status_device_ms`
 * is the device clock of that heartbeat (an older re-delivered one must not overwrite a newer one).
 * Sizes are bigint: the wire admits any uint32. Back-filled from the heartbeats already stored; `last_status` stays as the device sent it.
 */
export class DeviceModelSlots1795900700000 implements MigrationInterface {
  name = 'DeviceModelSlots1795900700000';

  async up(q: QueryRunner): Promise<void> {
    const add = ['active', 'inactive'].flatMap((side) => SLOT_COLUMNS.map((c) => `ADD COLUMN ${side}_${c} NULL`));
    await q.query(`ALTER TABLE devices ADD COLUMN status_device_ms bigint NULL, ${add.join(', ')}`);
    const slot = (side: string, index: string) => {
      const s = `(last_status->'slots'->(${index}))`;
      return `${side}_model_id = ${s}->>'modelId', ${side}_model_version = ${s}->>'modelVersion',
        ${side}_model_sha256 = ${s}->>'sha256', ${side}_model_tag = (${s}->>'tag')::bigint,
        ${side}_model_bytes = (${s}->>'sizeBytes')::bigint`;
    };
    const active = `COALESCE((last_status->>'activeSlot')::int, 0)`;
    await q.query(
      `UPDATE devices SET status_device_ms = (last_status->>'timestampMs')::bigint,
         ${slot('active', active)}, ${slot('inactive', `1 - ${active}`)}
       WHERE last_status IS NOT NULL`,
    );
    await q.query(`CREATE INDEX devices_active_model ON devices (active_model_id, active_model_version)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX devices_active_model`);
    const drop = ['active', 'inactive'].flatMap((side) =>
      SLOT_COLUMNS.map((c) => `DROP COLUMN ${side}_${c.split(' ')[0]}`),
    );
    await q.query(`ALTER TABLE devices DROP COLUMN status_device_ms, ${drop.join(', ')}`);
  }
}
