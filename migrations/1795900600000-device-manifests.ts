import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Artifacts are signed through their device manifest (TFDM/1, libs/artifact device-manifest.ts):
 * the compact CBOR a device receives ahead of the model instead of the pretty-printed manifest.json.
 * Artifacts registered before carry no device manifest (NULL) and can no longer be delivered: their
 * signature covers a manifest layout devices no longer take. Push them again after rebuilding.
 */
export class DeviceManifests1795900600000 implements MigrationInterface {
  name = 'DeviceManifests1795900600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_artifacts ADD COLUMN device_manifest bytea NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE model_artifacts DROP COLUMN device_manifest`);
  }
}
