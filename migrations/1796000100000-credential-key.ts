import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The generated HMAC key device and claim secrets are stored under, when CREDENTIAL_KEY is not set
 * (see credential-hasher.ts). At most one row (the primary key is a constant), so platform
 * instances starting together on one database all end up with the same key. Existing scrypt
 * hashes need no column to say their scheme: every stored hash names it in its first field.
 */
export class CredentialKey1796000100000 implements MigrationInterface {
  name = 'CredentialKey1796000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE credential_key (
        singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        key_bytes   bytea NOT NULL CHECK (octet_length(key_bytes) >= 32),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE credential_key`);
  }
}
