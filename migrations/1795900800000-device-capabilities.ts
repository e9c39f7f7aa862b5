import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A device's latest up/capabilities: its op set as the wire carries it (bytea, decoded on read, so a platform
 * that learns new op codes names them without a data migration), the device clock of that report (an older,
 * late re-delivered report must not overwrite a newer one) and when the platform stored it. All null until
 * a device reports: admission then admits it on the platform's op list, as before capabilities existed.
 */
export class DeviceCapabilities1795900800000 implements MigrationInterface {
  name = 'DeviceCapabilities1795900800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE devices ADD COLUMN op_set bytea NULL, ADD COLUMN capabilities_device_ms bigint NULL,
         ADD COLUMN capabilities_at timestamptz NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE devices DROP COLUMN op_set, DROP COLUMN capabilities_device_ms, DROP COLUMN capabilities_at`,
    );
  }
}
