import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A claim's registration rate limit as a token bucket in its own row, so every platform instance
 * on the database draws from the same bucket (it was a per-process map). `rate_tokens` is what was
 * left at `rate_refilled_at`; both NULL mean a full bucket (existing claims, new claims). The
 * registration statement refills, checks and takes a token in the same UPDATE that counts `uses`.
 */
export class ClaimRateBuckets1796000500000 implements MigrationInterface {
  name = 'ClaimRateBuckets1796000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE claims ADD COLUMN rate_tokens double precision NULL, ADD COLUMN rate_refilled_at timestamptz NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE claims DROP COLUMN rate_tokens, DROP COLUMN rate_refilled_at`);
  }
}
