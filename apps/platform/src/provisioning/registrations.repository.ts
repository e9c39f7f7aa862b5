import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { EntityManager, QueryFailedError } from 'typeorm';
import type { Device } from '../devices/device.entity';
import type { DeviceLifecycle } from '../devices/device-lifecycle';
import { DevicesRepository } from '../devices/devices.repository';
import { StaleTransitionError } from '../common/state-machine';
import type { Claim } from './claim.entity';
import { ProvisioningAttempt } from './provisioning-attempt.entity';

export type AttemptRecord = Pick<ProvisioningAttempt, 'claimId' | 'hardwareId' | 'outcome' | 'reason' | 'deviceId'>;

/** What a claim must allow at the moment of a registration: it is usable then and admits the device's profile. */
export interface ClaimGate {
  claimId: string;
  now: Date;
  mcuProfile: string;
  sensorStream: string;
}

/** A claim as one registration saw it, with the tokens its rate bucket held at that moment. */
export type ClaimFacts = Pick<
  Claim,
  | 'id'
  | 'groupName'
  | 'mcuProfile'
  | 'sensorStream'
  | 'maxUses'
  | 'uses'
  | 'expiresAt'
  | 'revokedAt'
  | 'reregistrationPolicy'
  | 'rateLimitPerMinute'
  | 'tags'
> & { rateTokens: number };

/** The device that already has the hardware id, as far as the registration policies need it. */
export type HardwareFacts = Pick<Device, 'id' | 'provisioningScope' | 'lifecycle'>;

/** One snapshot of what a registration depends on; null: no such claim / no device with that hardware id. */
export interface RegistrationFacts {
  claim: ClaimFacts | null;
  device: HardwareFacts | null;
}

export interface NewDevice {
  id: string;
  hardwareId: string;
  description: Pick<Device, 'mcuProfile' | 'radioProfile' | 'sensorStream' | 'firmwareVersion' | 'interpreterVersion'>;
  secretHash: string;
  brokerHash: string;
  evidenceKey: Uint8Array;
}

/** The re-registration of `seen` through a claim: new description and scope, new credentials unless reused. */
export interface Reregistration {
  seen: HardwareFacts;
  fields: Pick<
    Device,
    | 'claimId'
    | 'provisioningScope'
    | 'mcuProfile'
    | 'radioProfile'
    | 'sensorStream'
    | 'firmwareVersion'
    | 'interpreterVersion'
  >;
  credential: { secretHash: string; brokerHash: string; evidenceKey: Uint8Array } | null;
  attempt: AttemptRecord;
}

/** A new device in a batch of registrations; `registered` is set once the batch's statement registered it. */
export interface NewRegistration {
  gate: ClaimGate;
  device: NewDevice;
  registered: boolean;
}

/** `registerNew` did not register: what it saw instead, or a conflict with a concurrent registration (nothing written). */
export type NotRegistered = { kind: 'seen'; facts: RegistrationFacts } | { kind: 'conflict' };

/**
 * The claim's side of a registration, without a lock held across round trips: the claim row is the
 * gate, and every statement that counts a use or takes a rate token re-checks the claim in the same
 * UPDATE (`uses < max_uses`, not revoked or expired, profile admitted, a token in the bucket). Under
 * concurrency PostgreSQL re-evaluates that WHERE on the newest row version, so `uses` never exceeds
 * `max_uses` and the bucket never goes below zero, whatever the number of platform instances; the row
 * is locked only from that UPDATE to the end of its own statement's commit. A gate that does not
 * pass leaves the decision to the caller, with the facts the statement saw.
 */
@Injectable()
export class RegistrationsRepository {
  constructor(
    @InjectEntityManager() private readonly m: EntityManager,
    private readonly devices: DevicesRepository,
  ) {}

  /**
   * A device that is new to the platform, in one statement: gate (counting one use and taking one
   * token), device row, evidence key and audit entry commit together or not at all. Returns null once
   * registered; otherwise what the statement saw (the gate did not pass: the claim refuses, the
   * hardware id is known, or another registration changed the claim in between) or `conflict` (a
   * concurrent registration inserted the same hardware id, the random device id exists, or
   * PostgreSQL broke a lock cycle with a re-registration of that hardware id).
   */
  async registerNew(gate: ClaimGate, d: NewDevice): Promise<NotRegistered | null> {
    try {
      const [row]: FactsRow[] = await this.m.query(
        `WITH seen AS (${SEEN_SQL}),
         counted AS (
           UPDATE claims c SET uses = c.uses + 1, ${TAKE_TOKEN_SQL}
           WHERE c.id = $1 AND ${GATE_SQL} AND NOT EXISTS (SELECT 1 FROM devices WHERE hardware_id = $3)
           RETURNING c.id, c.tags, ${PROVISIONING_SCOPE_SQL} AS scope),
         device AS (
           INSERT INTO devices (id, hardware_id, claim_id, provisioning_scope, mcu_profile, radio_profile, sensor_stream,
             firmware_version, interpreter_version, tags, lifecycle, connectivity, secret_hash, broker_hash)
           SELECT $6, $3, counted.id, counted.scope, $4, $7, $5, $8, $9, counted.tags, 'PROVISIONED', 'OFFLINE', $10, $11
           FROM counted RETURNING id),
         evidence_key AS (INSERT INTO device_evidence_keys (device_id, key) SELECT id, $12 FROM device),
         attempt AS (
           INSERT INTO provisioning_attempts (claim_id, hardware_id, outcome, device_id)
           SELECT $1, $3, 'registered', id FROM device)
         SELECT EXISTS (SELECT 1 FROM device) AS registered, seen.* FROM seen`,
        [
          ...gateParams(gate, d.hardwareId),
          d.id,
          d.description.radioProfile,
          d.description.firmwareVersion,
          d.description.interpreterVersion,
          d.secretHash,
          d.brokerHash,
          Buffer.from(d.evidenceKey),
        ],
      );
      return row!.registered ? null : { kind: 'seen', facts: toFacts(row!) };
    } catch (err) {
      if (isConflict(err)) return { kind: 'conflict' };
      throw err;
    }
  }

  /**
   * `registerNew`'s common case for many devices in one statement (group commit). The batch's claims
   * are locked in id order and read as they are now; per claim, the requests its gate admits (usable
   * at the request's time, profile admitted, hardware id unknown and first in the batch) register in
   * batch order up to the uses left and the whole tokens in the bucket, counted and taken in one
   * UPDATE, with their device rows, evidence keys and audit entries. Every other request is left
   * unregistered, nothing written for it, for `registerNew` to decide on its own; so is the whole
   * batch on a conflict (a concurrent insert of the same hardware id, a deadlock PostgreSQL broke).
   */
  async registerNewBatch(batch: NewRegistration[]): Promise<void> {
    const cols = batch.map(({ gate: g, device: d }) => [
      g.claimId,
      g.now,
      d.hardwareId,
      g.mcuProfile,
      g.sensorStream,
      d.id,
      d.description.radioProfile,
      d.description.firmwareVersion,
      d.description.interpreterVersion,
      d.secretHash,
      d.brokerHash,
      Buffer.from(d.evidenceKey),
    ]);
    try {
      const rows: Array<{ id: string }> = await this.m.query(
        REGISTER_NEW_BATCH_SQL,
        cols[0]!.map((_, i) => cols.map((c) => c[i])),
      );
      const registered = new Set(rows.map((r) => r.id));
      for (const r of batch) r.registered = registered.has(r.device.id);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }

  /** The claim and the hardware id's device as they are now (no gate: for a request refused before any write). */
  async seen(gate: ClaimGate, hardwareId: string): Promise<RegistrationFacts> {
    const [row]: FactsRow[] = await this.m.query(SEEN_SQL, gateParams(gate, hardwareId).slice(0, 3));
    return toFacts(row!);
  }

  /**
   * An attempt that takes a rate token, with the token in the same statement (a request refused for
   * its hardware id still counts against the claim's rate). False: the gate did not pass, nothing written.
   */
  async auditTakingToken(gate: ClaimGate, attempt: AttemptRecord): Promise<boolean> {
    return auditTakingToken(this.m, gate, attempt);
  }

  /**
   * A known hardware id registering again, in one transaction: the device row changes only if it is
   * still as `r.seen` describes it, the lifecycle moves through the table, and the claim gate (a rate
   * token) comes last, so the claim row is locked only for the commit. False: something changed since
   * `r.seen` (the device, or the claim refuses now); nothing was written.
   */
  async reregister(gate: ClaimGate, r: Reregistration): Promise<boolean> {
    try {
      await this.m.transaction(async (tx) => {
        const devices = this.devices.within(tx);
        const credential = r.credential && { secretHash: r.credential.secretHash, brokerHash: r.credential.brokerHash };
        if (!(await devices.reregister(r.seen.id, r.seen, r.fields, credential))) throw new Contended();
        if (r.credential) await devices.setEvidenceKey(r.seen.id, r.credential.evidenceKey);
        // Registered again, it is PROVISIONED until it connects with what it got (a suspended one stays
        // suspended: re-registering is no way around the operator).
        if (r.seen.lifecycle === 'ACTIVE') await devices.transitionLifecycle(r.seen.id, 'ACTIVE', 'PROVISIONED');
        if (!(await auditTakingToken(tx, gate, r.attempt))) throw new Contended();
      });
      return true;
    } catch (err) {
      if (err instanceof Contended || err instanceof StaleTransitionError || isConflict(err)) return false;
      throw err;
    }
  }

  /** An attempt that changed nothing (refused before any write, or a request that could not be read). */
  async audit(attempt: AttemptRecord): Promise<void> {
    await this.m.getRepository(ProvisioningAttempt).insert(attempt);
  }
}

async function auditTakingToken(m: EntityManager, gate: ClaimGate, a: AttemptRecord): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `WITH taken AS (UPDATE claims c SET ${TAKE_TOKEN_SQL} WHERE c.id = $1 AND ${GATE_SQL} RETURNING c.id)
     INSERT INTO provisioning_attempts (claim_id, hardware_id, outcome, reason, device_id)
     SELECT taken.id, $3, $6, $7, $8 FROM taken RETURNING id`,
    [...gateParams(gate, a.hardwareId!), a.outcome, a.reason, a.deviceId],
  );
  return rows.length > 0;
}

class Contended extends Error {}

/** $1 claim id, $2 now, $3 hardware id, $4 MCU profile, $5 sensor stream: what every statement here starts with. */
function gateParams(g: ClaimGate, hardwareId: string): [string, Date, string, string, string] {
  return [g.claimId, g.now, hardwareId, g.mcuProfile, g.sensorStream];
}

/** Tokens in the bucket of claims row `c` at `at`: what was left, refilled at rate_limit_per_minute, capped at one minute's worth. */
const tokensAt = (at: string) => `LEAST(c.rate_limit_per_minute::float8, COALESCE(c.rate_tokens
  + GREATEST(0, EXTRACT(EPOCH FROM (${at} - c.rate_refilled_at))::float8) * c.rate_limit_per_minute / 60,
  c.rate_limit_per_minute::float8))`;
const TOKENS_SQL = tokensAt('$2::timestamptz');

/** One token out of the bucket. Instances' clocks differ a little: the bucket's time never moves back. */
const TAKE_TOKEN_SQL = `rate_tokens = ${TOKENS_SQL} - 1, rate_refilled_at = GREATEST(c.rate_refilled_at, $2::timestamptz)`;

/**
 * The claim may register the device at $2: the SQL twin of `claimState(...) === 'active'`, the
 * profile rule of ProvisioningService, and a token in the bucket (an empty string means unset, as there).
 */
const GATE_SQL = `c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > $2::timestamptz)
  AND (c.max_uses IS NULL OR c.uses < c.max_uses)
  AND (NULLIF(c.mcu_profile, '') IS NULL OR c.mcu_profile = $4)
  AND (NULLIF(c.sensor_stream, '') IS NULL OR c.sensor_stream = $5)
  AND ${TOKENS_SQL} >= 1`;

/** The SQL twin of `provisioningScope(claim)` (claim.entity.ts), for the statement that inserts the device. */
const PROVISIONING_SCOPE_SQL = `CASE WHEN NULLIF(c.group_name, '') IS NOT NULL THEN 'group:' || c.group_name ELSE 'claim:' || c.id END`;

/**
 * registerNewBatch's statement: one array per column, a row per request. `ct` is each claim as its
 * row lock saw it, with its tokens at the batch's latest time for that claim; `e` the requests its
 * gate admits but for uses and tokens, ranked in batch order; `a` those within the uses left and
 * the whole tokens. The twin of registerNew's statement for k requests of one claim at once.
 */
const REGISTER_NEW_BATCH_SQL = `
WITH r AS (
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[])
    WITH ORDINALITY AS r (claim_id, at, hardware_id, mcu_profile, sensor_stream, id, radio_profile, firmware_version,
      interpreter_version, secret_hash, broker_hash, evidence_key, ord)
), locked AS MATERIALIZED (
  SELECT c.* FROM claims c WHERE c.id IN (SELECT claim_id FROM r) ORDER BY c.id FOR UPDATE
), ct AS (
  SELECT c.*, t.at, ${tokensAt('t.at')} AS tokens
  FROM locked c JOIN (SELECT claim_id, max(at) AS at FROM r GROUP BY claim_id) t ON t.claim_id = c.id
), e AS (
  SELECT r.*, row_number() OVER (PARTITION BY r.claim_id ORDER BY r.ord) AS k
  FROM r JOIN ct c ON c.id = r.claim_id
  WHERE c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > r.at)
    AND (NULLIF(c.mcu_profile, '') IS NULL OR c.mcu_profile = r.mcu_profile)
    AND (NULLIF(c.sensor_stream, '') IS NULL OR c.sensor_stream = r.sensor_stream)
    AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.hardware_id = r.hardware_id)
    AND r.ord = (SELECT min(r2.ord) FROM r r2 WHERE r2.hardware_id = r.hardware_id)
), a AS (
  SELECT e.*, c.tags, ${PROVISIONING_SCOPE_SQL} AS scope
  FROM e JOIN ct c ON c.id = e.claim_id
  WHERE e.k <= LEAST(COALESCE(c.max_uses - c.uses, e.k), floor(c.tokens))
), counted AS (
  UPDATE claims c SET uses = c.uses + n.n, rate_tokens = ct.tokens - n.n,
    rate_refilled_at = GREATEST(c.rate_refilled_at, ct.at)
  FROM (SELECT claim_id, count(*)::int AS n FROM a GROUP BY claim_id) n JOIN ct ON ct.id = n.claim_id
  WHERE c.id = n.claim_id
  RETURNING c.id
), device AS (
  INSERT INTO devices (id, hardware_id, claim_id, provisioning_scope, mcu_profile, radio_profile, sensor_stream,
    firmware_version, interpreter_version, tags, lifecycle, connectivity, secret_hash, broker_hash)
  SELECT a.id, a.hardware_id, a.claim_id, a.scope, a.mcu_profile, a.radio_profile, a.sensor_stream, a.firmware_version,
    a.interpreter_version, a.tags, 'PROVISIONED', 'OFFLINE', a.secret_hash, a.broker_hash
  FROM a JOIN counted ON counted.id = a.claim_id
  RETURNING id
), evidence_key AS (
  INSERT INTO device_evidence_keys (device_id, key) SELECT a.id, a.evidence_key FROM a JOIN device ON device.id = a.id
), attempt AS (
  INSERT INTO provisioning_attempts (claim_id, hardware_id, outcome, device_id)
  SELECT a.claim_id, a.hardware_id, 'registered', a.id FROM a JOIN device ON device.id = a.id
)
SELECT id FROM device`;

/** The claim ($1) and the device with the hardware id ($3), one row either way. */
const SEEN_SQL = `SELECT c.id, c.group_name, c.mcu_profile, c.sensor_stream, c.max_uses, c.uses, c.expires_at, c.revoked_at,
    c.reregistration_policy, c.rate_limit_per_minute, c.tags, ${TOKENS_SQL} AS rate_tokens,
    d.id AS device_id, d.provisioning_scope AS device_scope, d.lifecycle AS device_lifecycle
  FROM (VALUES (1)) AS one (x) LEFT JOIN claims c ON c.id = $1 LEFT JOIN devices d ON d.hardware_id = $3`;

interface FactsRow {
  registered?: boolean;
  id: string | null;
  group_name: string | null;
  mcu_profile: string | null;
  sensor_stream: string | null;
  max_uses: number | null;
  uses: number;
  expires_at: Date | null;
  revoked_at: Date | null;
  reregistration_policy: Claim['reregistrationPolicy'];
  rate_limit_per_minute: number;
  tags: string[];
  rate_tokens: number;
  device_id: string | null;
  device_scope: string | null;
  device_lifecycle: DeviceLifecycle;
}

function toFacts(r: FactsRow): RegistrationFacts {
  return {
    claim:
      r.id === null
        ? null
        : {
            id: r.id,
            groupName: r.group_name,
            mcuProfile: r.mcu_profile,
            sensorStream: r.sensor_stream,
            maxUses: r.max_uses,
            uses: r.uses,
            expiresAt: r.expires_at,
            revokedAt: r.revoked_at,
            reregistrationPolicy: r.reregistration_policy,
            rateLimitPerMinute: r.rate_limit_per_minute,
            tags: r.tags,
            rateTokens: r.rate_tokens,
          },
    device:
      r.device_id === null
        ? null
        : { id: r.device_id, provisioningScope: r.device_scope, lifecycle: r.device_lifecycle },
  };
}

/**
 * A concurrent registration won: a unique key (23505), or a deadlock PostgreSQL broke (40P01: a new
 * device's insert waiting on a re-registration's row while that one waits for the claim row).
 */
function isConflict(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const code = (err.driverError as { code?: string }).code;
  return code === '23505' || code === '40P01';
}
