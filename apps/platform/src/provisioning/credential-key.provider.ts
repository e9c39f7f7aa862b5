import type { FactoryProvider } from '@nestjs/common';
import { getEntityManagerToken } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CREDENTIAL_KEY_MIN_BYTES, CredentialHasher, credentialKeyId } from '../common/credential-hasher';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/**
 * The hasher every instance on one database agrees on. With CREDENTIAL_KEY set, that key hashes;
 * the database's generated key (if an earlier boot made one) still verifies what it hashed, and
 * those hashes move to the configured key at the devices' next login. Without it, the first
 * instance to boot generates the key (`ON CONFLICT DO NOTHING` on a one-row table: instances
 * booting together read back the same winner).
 */
export const credentialHasherProvider: FactoryProvider<CredentialHasher> = {
  provide: CredentialHasher,
  inject: [getEntityManagerToken(), APP_CONFIG],
  useFactory: async (m: EntityManager, config: AppConfig) => {
    if (!config.credentials.key) {
      await m.query(`INSERT INTO credential_key (key_bytes) VALUES ($1) ON CONFLICT DO NOTHING`, [
        randomBytes(CREDENTIAL_KEY_MIN_BYTES),
      ]);
    }
    const rows: Array<{ key_bytes: Buffer }> = await m.query(`SELECT key_bytes FROM credential_key`);
    const stored = rows[0] ? { id: credentialKeyId(rows[0].key_bytes), bytes: rows[0].key_bytes } : undefined;
    if (!config.credentials.key) return new CredentialHasher(stored!);
    const configured = { id: credentialKeyId(config.credentials.key), bytes: config.credentials.key };
    return new CredentialHasher(configured, stored ? [stored] : []);
  },
};
