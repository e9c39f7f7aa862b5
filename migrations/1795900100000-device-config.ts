import { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-device runtime configuration set by an operator (NULL: the platform defaults apply). */
export class DeviceConfig1795900100000 implements MigrationInterface {
  name = 'DeviceConfig1795900100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices ADD COLUMN config jsonb NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices DROP COLUMN config`);
  }
}
