import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager } from 'typeorm';
import { CONNECTABLE_LIFECYCLES } from '../../devices/device-lifecycle';

/** The push advisory lock is `hashtext` of this name: the same on every instance, apart from other advisory locks. */
export const ACCOUNT_PUSH_LOCK_NAME = 'tinyfleet.nats.account-push';

/** A revoked user key and the unix time its JWTs are revoked as of (every JWT issued at or before it). */
export interface RevokedKey {
  userKey: string;
  revokedAtS: number;
}

/**
 * The facts a NATS account JWT's revocations are derived from (migration 1796000720000): the key
 * each device's current JWT names, the keys re-registrations replaced, and the last pushed `iat`.
 */
@Injectable()
export class NatsRevocationsRepository {
  constructor(@InjectEntityManager() private readonly m: EntityManager) {}

  /**
   * Records the key of the JWT just issued to a device. The key it replaces, if any, is kept as
   * revoked as of `nowS` in the same statement (the row lock orders two re-registrations of one
   * device: each revokes the one before) and returned.
   */
  async recordIssued(deviceId: string, userKey: string, nowS: number): Promise<string | null> {
    const [row]: Array<{ replaced: string | null }> = await this.m.query(
      `WITH old AS (SELECT nats_user_key AS key FROM devices WHERE id = $1 FOR UPDATE),
            issued AS (UPDATE devices SET nats_user_key = $2 WHERE id = $1),
            kept AS (
              INSERT INTO nats_replaced_keys (user_key, device_id, replaced_at_s)
              SELECT key, $1, $3 FROM old WHERE key IS NOT NULL AND key <> $2
              ON CONFLICT (user_key) DO NOTHING)
       SELECT (SELECT key FROM old WHERE key <> $2) AS replaced`,
      [deviceId, userKey, nowS],
    );
    return row?.replaced ?? null;
  }

  /**
   * Runs `fn` in a transaction holding the push lock, so two instances never push concurrently:
   * each reads every revocation committed before it, and the later push carries the later `iat`.
   */
  underPushLock<T>(fn: (tx: NatsRevocationsRepository) => Promise<T>): Promise<T> {
    return this.m.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [ACCOUNT_PUSH_LOCK_NAME]);
      return fn(new NatsRevocationsRepository(tx));
    });
  }

  /** Every revoked key: those replaced, and the current keys of devices that may not connect (as of `nowS`). */
  async revokedKeys(nowS: number): Promise<RevokedKey[]> {
    const rows: Array<{ user_key: string; at_s: string }> = await this.m.query(
      `SELECT user_key, replaced_at_s AS at_s FROM nats_replaced_keys
       UNION ALL
       SELECT nats_user_key, $1::bigint FROM devices WHERE nats_user_key IS NOT NULL AND lifecycle <> ALL($2::text[])`,
      [nowS, CONNECTABLE_LIFECYCLES],
    );
    return rows.map((r) => ({ userKey: r.user_key, revokedAtS: Number(r.at_s) }));
  }

  async lastPushedIssuedAtS(account: string): Promise<number | null> {
    const [row]: Array<{ issued_at_s: string }> = await this.m.query(
      `SELECT issued_at_s FROM nats_account_pushes WHERE account = $1`,
      [account],
    );
    return row ? Number(row.issued_at_s) : null;
  }

  async recordPush(account: string, issuedAtS: number): Promise<void> {
    await this.m.query(
      `INSERT INTO nats_account_pushes (account, issued_at_s) VALUES ($1, $2)
       ON CONFLICT (account) DO UPDATE SET issued_at_s = EXCLUDED.issued_at_s`,
      [account, issuedAtS],
    );
  }
}
