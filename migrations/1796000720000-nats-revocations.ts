import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the platform needs to revoke device JWTs on a NATS cluster (docs/scale-out.md, "Revoking
 * device JWTs"): the subject (user public key) of the JWT each device was last issued; the keys of
 * JWTs a re-registration replaced, which stay revoked for good (a JWT has no expiry); and the `iat`
 * of the account JWT last pushed, as every node keeps only the newest one, so the next push must be
 * later even from an instance whose clock is behind.
 */
export class NatsRevocations1796000720000 implements MigrationInterface {
  name = 'NatsRevocations1796000720000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE devices ADD COLUMN nats_user_key text NULL`);
    await q.query(
      `CREATE TABLE nats_replaced_keys (user_key text PRIMARY KEY, device_id text NOT NULL, replaced_at_s bigint NOT NULL)`,
    );
    await q.query(`CREATE TABLE nats_account_pushes (account text PRIMARY KEY, issued_at_s bigint NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE nats_account_pushes`);
    await q.query(`DROP TABLE nats_replaced_keys`);
    await q.query(`ALTER TABLE devices DROP COLUMN nats_user_key`);
  }
}
