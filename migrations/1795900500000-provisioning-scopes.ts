import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whose devices a claim may re-register. A device is bound to the provisioning scope it registered
 * in: its claim's group if the claim has one, else the claim itself (`group:<name>` / `claim:<id>`).
 * Re-registration through a claim of another scope is refused (`hardware-id-bound`) unless an
 * operator released the device (scope NULL). Existing devices are bound to the claim they came
 * through. Claims no longer need a Mosquitto password hash: they register at the platform's own
 * endpoint. An unreadable provisioning request is audited too, without a hardware id.
 */
export class ProvisioningScopes1795900500000 implements MigrationInterface {
  name = 'ProvisioningScopes1795900500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims ADD COLUMN group_name text NULL`);
    await q.query(`ALTER TABLE claims DROP COLUMN broker_hash`);
    await q.query(`ALTER TABLE devices ADD COLUMN provisioning_scope text NULL`);
    await q.query(`UPDATE devices SET provisioning_scope = 'claim:' || claim_id WHERE claim_id IS NOT NULL`);
    await q.query(`ALTER TABLE provisioning_attempts ALTER COLUMN hardware_id DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM provisioning_attempts WHERE hardware_id IS NULL`);
    await q.query(`ALTER TABLE provisioning_attempts ALTER COLUMN hardware_id SET NOT NULL`);
    await q.query(`ALTER TABLE devices DROP COLUMN provisioning_scope`);
    await q.query(`ALTER TABLE claims ADD COLUMN broker_hash text NOT NULL DEFAULT ''`);
    await q.query(`ALTER TABLE claims DROP COLUMN group_name`);
  }
}
