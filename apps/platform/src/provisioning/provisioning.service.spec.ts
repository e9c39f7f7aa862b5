import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ProvisionRequestV1, ProvisionResponseV1 } from '@tinyfleet/wire';
import { DataSource } from 'typeorm';
import { createTestDatabase, DatabaseKind, TestDatabase } from '../../../../test/support/test-database';
import { CredentialHasher, credentialKeyId } from '../common/credential-hasher';
import { PlatformEvents } from '../common/platform-events';
import { ENTITIES, MIGRATIONS } from '../database/entities';
import { DevicesRepository } from '../devices/devices.repository';
import { MetricsService } from '../metrics/metrics.service';
import { Claim } from './claim.entity';
import { ClaimsService } from './claims.service';
import { ProvisioningAttempt } from './provisioning-attempt.entity';
import { MAX_REGISTRATIONS_IN_FLIGHT, ProvisioningService } from './provisioning.service';
import { NewRegistration, RegistrationsRepository } from './registrations.repository';

const request = (hardwareId: string): ProvisionRequestV1 => ({
  hardwareId,
  mcuProfile: 'nrf52840',
  radioProfile: 'nrf52840-ble-1m',
  firmwareVersion: '1.0.0',
  sensorStream: 'soil',
  interpreterVersion: '0.1.0',
});

const outcomes = (responses: ProvisionResponseV1[]): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const r of responses) {
    const k = r.status === 'refused' ? `refused:${r.reason}` : r.status;
    n[k] = (n[k] ?? 0) + 1;
  }
  return n;
};

/**
 * Registrations of one claim at once, as a fleet's first boot makes them, against a real database of
 * each kind: the quota and the rate limit hold exactly, with two platform instances (two services on
 * their own connection pools) sharing one claim.
 */
describe.each<DatabaseKind>(['postgres', 'pglite'])('ProvisioningService under concurrency on %s', (kind) => {
  let db: TestDatabase;
  const sources: DataSource[] = [];
  let instances: ProvisioningService[];
  let claims: ClaimsService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']); // every refusal is logged as a warning; dozens are the point here
    db = await createTestDatabase(kind);
    const key = randomBytes(32);
    const hasher = new CredentialHasher({ id: credentialKeyId(key), bytes: key });
    for (let i = 0; i < 2; i++) {
      const ds = new DataSource({
        type: 'postgres',
        url: db.url,
        entities: ENTITIES,
        migrations: MIGRATIONS,
        migrationsTransactionMode: 'all',
        logging: false,
        // PGlite serves one connection; PostgreSQL gets as many as the platform's pool.
        extra: { max: kind === 'pglite' ? 1 : 10 },
      });
      await ds.initialize();
      if (i === 0) await ds.runMigrations();
      sources.push(ds);
    }
    instances = sources.map(
      (ds) =>
        new ProvisioningService(
          new RegistrationsRepository(ds.manager, new DevicesRepository(ds.manager)),
          new MetricsService(),
          new PlatformEvents(),
          hasher,
        ),
    );
    claims = new ClaimsService(
      sources[0]!.getRepository(Claim),
      sources[0]!.getRepository(ProvisioningAttempt),
      new PlatformEvents(),
      hasher,
    );
  }, 120_000);

  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    await db?.dispose();
  });

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    Number((await sources[0]!.query(sql, params))[0].n);

  it('lets exactly max_uses of N concurrent registrations through; the rest are refused claim-exhausted', async () => {
    const claim = await claims.create({ name: 'quota', maxUses: 30 });
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => instances[i % 2]!.register(claim.id, request(`hw-quota-${i}`))),
    );
    expect(outcomes(responses)).toEqual({ registered: 30, 'refused:claim-exhausted': 10 });
    expect((await claims.get(claim.id)).uses).toBe(30);
    expect(await count(`SELECT count(*) AS n FROM devices WHERE claim_id = $1`, [claim.id])).toBe(30);
    expect(
      await count(
        `SELECT count(*) AS n FROM device_evidence_keys k JOIN devices d ON d.id = k.device_id WHERE claim_id = $1`,
        [claim.id],
      ),
    ).toBe(30);
    const audited = await sources[0]!.query(
      `SELECT outcome, reason, count(*)::int AS n FROM provisioning_attempts WHERE claim_id = $1 GROUP BY 1, 2 ORDER BY 1`,
      [claim.id],
    );
    expect(audited).toEqual([
      { outcome: 'refused', reason: 'claim-exhausted', n: 10 },
      { outcome: 'registered', reason: null, n: 30 },
    ]);
  });

  it('shares one rate bucket between instances: a burst gets exactly a minute’s worth, then rate-limited with a hint', async () => {
    const claim = await claims.create({ name: 'rate', rateLimitPerMinute: 12 });
    // One instant for every request: no token refills during the burst, so the count is exact.
    const now = new Date();
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % 2]!.register(claim.id, request(`hw-rate-${i}`), now)),
    );
    expect(outcomes(responses)).toEqual({ registered: 12, 'refused:rate-limited': 18 });
    for (const r of responses) if (r.status === 'refused') expect(r.retryAfterS).toBe(5); // one token per 60/12 s
    // Five seconds on, one token is back.
    const later = new Date(now.getTime() + 5_000);
    expect(await instances[1]!.register(claim.id, request('hw-rate-late-1'), later)).toMatchObject({
      status: 'registered',
    });
    expect(await instances[0]!.register(claim.id, request('hw-rate-late-2'), later)).toMatchObject({
      status: 'refused',
      reason: 'rate-limited',
    });
  });

  it('sheds what it cannot serve at once: over MAX_REGISTRATIONS_IN_FLIGHT, overloaded with a retry hint, before any work', async () => {
    const claim = await claims.create({ name: 'shed' });
    // Called in one turn of the event loop: the first MAX_REGISTRATIONS_IN_FLIGHT are in flight when the next arrives.
    const responses = await Promise.all(
      Array.from({ length: MAX_REGISTRATIONS_IN_FLIGHT + 1 }, (_, i) =>
        instances[0]!.registerUnlessOverloaded(claim.id, request(`hw-shed-${i}`)),
      ),
    );
    expect(outcomes(responses)).toEqual({ registered: MAX_REGISTRATIONS_IN_FLIGHT, 'refused:overloaded': 1 });
    expect(responses[MAX_REGISTRATIONS_IN_FLIGHT]).toEqual({
      status: 'refused',
      reason: 'overloaded',
      retryAfterS: expect.any(Number),
    });
    expect((responses[MAX_REGISTRATIONS_IN_FLIGHT] as { retryAfterS: number }).retryAfterS).toBeGreaterThanOrEqual(1);
    // Shed before any work: the claim's audit trail has only what was served.
    expect(await count(`SELECT count(*) AS n FROM provisioning_attempts WHERE claim_id = $1`, [claim.id])).toBe(
      MAX_REGISTRATIONS_IN_FLIGHT,
    );
  });

  it('registers a batch in one statement: per claim within its uses and tokens, in batch order; the rest untouched', async () => {
    const quota = await claims.create({ name: 'batch quota', maxUses: 2 });
    const rate = await claims.create({ name: 'batch rate', rateLimitPerMinute: 1 });
    const gateOf = await claims.create({ name: 'batch gate', mcuProfile: 'rp2040' });
    await instances[0]!.register(quota.id, request('hw-batch-known'));
    const now = new Date();
    const registrations = new RegistrationsRepository(sources[0]!.manager, new DevicesRepository(sources[0]!.manager));
    const item = (claimId: string, hardwareId: string, i: number): NewRegistration => ({
      gate: { claimId, now, mcuProfile: 'nrf52840', sensorStream: 'soil' },
      device: {
        id: `dev-batch${i}`,
        hardwareId,
        description: {
          mcuProfile: 'nrf52840',
          radioProfile: 'nrf52840-ble-1m',
          sensorStream: 'soil',
          firmwareVersion: '1.0.0',
          interpreterVersion: '0.1.0',
        },
        secretHash: `hash-${i}`,
        brokerHash: `broker-${i}`,
        evidenceKey: new Uint8Array(32).fill(i),
      },
      registered: false,
    });
    const batch = [
      item(quota.id, 'hw-batch-known', 0), // a known hardware id: registerNew decides it
      item(quota.id, 'hw-batch-1', 1), // the last use left
      item(rate.id, 'hw-batch-2', 2), // the one token
      item(quota.id, 'hw-batch-3', 3), // no use left
      item(rate.id, 'hw-batch-4', 4), // no token left
      item(rate.id, 'hw-batch-2', 5), // the same hardware id again: only the first copy
      item(gateOf.id, 'hw-batch-6', 6), // the claim admits another MCU profile
    ];
    await registrations.registerNewBatch(batch);
    expect(batch.map((b) => b.registered)).toEqual([false, true, true, false, false, false, false]);
    expect((await claims.get(quota.id)).uses).toBe(2);
    expect((await claims.get(rate.id)).uses).toBe(1);
    expect((await claims.get(gateOf.id)).uses).toBe(0);
    const rows = await sources[0]!.query(
      `SELECT d.id, d.hardware_id, d.secret_hash, d.provisioning_scope, get_byte(k.key, 0) AS key_byte, a.outcome
       FROM devices d JOIN device_evidence_keys k ON k.device_id = d.id JOIN provisioning_attempts a ON a.device_id = d.id
       WHERE d.id LIKE 'dev-batch%' ORDER BY d.id`,
      [],
    );
    expect(
      rows.map((r: Record<string, unknown>) => [
        r.id,
        r.hardware_id,
        r.secret_hash,
        r.provisioning_scope,
        r.key_byte,
        r.outcome,
      ]),
    ).toEqual([
      ['dev-batch1', 'hw-batch-1', 'hash-1', `claim:${quota.id}`, 1, 'registered'],
      ['dev-batch2', 'hw-batch-2', 'hash-2', `claim:${rate.id}`, 2, 'registered'],
    ]);
    // The bucket is empty now: the next request of the rate claim is refused with the refill hint.
    expect(await instances[1]!.register(rate.id, request('hw-batch-late'), now)).toMatchObject({
      status: 'refused',
      reason: 'rate-limited',
    });
  });

  it('registers one device when the same hardware id registers many times at once; the others replace it', async () => {
    const claim = await claims.create({ name: 'same hardware', reregistrationPolicy: 'replace' });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => instances[i % 2]!.register(claim.id, request('hw-twin'))),
    );
    expect(outcomes(responses)).toEqual({ registered: 1, replaced: 9 });
    const ids = new Set(responses.map((r) => (r.status === 'refused' ? null : r.deviceId)));
    expect(ids.size).toBe(1);
    expect((await claims.get(claim.id)).uses).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM devices WHERE hardware_id = 'hw-twin'`, [])).toBe(1);
    expect(await count(`SELECT credentials_version AS n FROM devices WHERE hardware_id = 'hw-twin'`, [])).toBe(10);
  });
});
