import { Client } from 'pg';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact } from '../support/artifacts';
import { PlatformInstance, startInstance } from '../support/cluster-fleet';
import { statusesStored } from '../support/devices';
import { NatsCluster, startNatsCluster } from '../support/nats-cluster';
import { otaDevice, OtaTestDevice } from '../support/ota-device';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { bootTimeout, waitUntil } from '../support/wait';

const DEVICES = 30;
const FIRST_GROUP = 6;
/** Second-group devices that do not hear their offers until the survivor holds the lease; the others are mid-transfer at the kill. */
const HELD = 12;
/** Registrations at once: below the platform's in-flight shedding, so none is refused as overloaded. */
const REGISTRATION_CONCURRENCY = 6;

interface RolloutView {
  state: string;
  groups: Array<{ id: number; jobs: Partial<Record<string, number>> }>;
}

/**
 * Proof point 3 of the cluster mode (docs/scale-out.md): 3 nats-server nodes, 2 platform instances
 * on one PostgreSQL, a rollout to 30 OTA test devices running the real device agent. Mid-rollout —
 * the first group updated, the second group's offers out, half of them mid-transfer — the instance
 * holding the rollout's lease (read from the database) is killed with SIGKILL. The other instance
 * takes the rollout once the lease runs out and finishes it: every job SUCCEEDED, each device
 * switched slots once and each job reached SUCCEEDED once, and after the kill only the survivor
 * wrote server transitions. The devices' reports the dead instance had pulled and not acknowledged
 * come back from JetStream to the survivor.
 */
describe('NATS cluster: a rollout survives kill -9 of the instance holding its lease', () => {
  let cluster: NatsCluster;
  let db: TestDatabase;
  const instances: PlatformInstance[] = [];
  const devices: OtaTestDevice[] = [];
  let pg: Client | undefined;

  beforeAll(async () => {
    [cluster, db] = await Promise.all([startNatsCluster(), createTestDatabase('postgres')]);
    const env = {
      OTA_TICK_MS: '200',
      // Short, so the hand-over is quick; still many ticks long.
      OTA_LEASE_MS: '4000',
      // Many chunks per transfer, so the kill lands while transfers are running.
      OTA_CHUNK_BYTES: '256',
      NATS_ACK_WAIT_MS: '2000',
    };
    // a first: it runs the migrations; b then finds them done.
    instances.push(await startInstance('a', cluster, db.url, env));
    instances.push(await startInstance('b', cluster, db.url, env));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, bootTimeout(2));

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.conn.close(true)));
    await Promise.all(instances.map((i) => i.kill()));
    await pg?.end();
    await cluster?.stop();
    await db?.dispose();
  });

  it(
    'finishes the rollout under the other instance, every job terminal and none applied twice',
    async () => {
      const [a, b] = instances as [PlatformInstance, PlatformInstance];
      expect(a.instanceId).not.toBe(b.instanceId);
      const api = async (at: PlatformInstance, method: string, path: string, body?: unknown) => {
        const res = await fetch(`${at.httpUrl}${path}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        return res.json();
      };
      const key = newSigningKey();
      const base = {
        key,
        recipe: 'soil',
        selfTestInput: referenceFile('hello_world_int8', 'test_inputs', 'x_0.77_q-96.bin'),
        selfTestOutput: referenceFile('hello_world_int8', 'expected', 'x_0.77_q-96.out.bin'),
      };
      const v1 = signedArtifact({ ...base, name: 'hello', version: '1.0.0', model: helloWorldVariant('cluster v1') });
      const v2 = signedArtifact({ ...base, name: 'hello', version: '2.0.0', model: helloWorldVariant('cluster v2') });
      await api(a, 'POST', '/api/keys', {
        name: 'k',
        publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      });
      for (const art of [v1, v2]) await api(b, 'POST', '/api/models', art.upload);
      const claim = await api(a, 'POST', '/api/claims', { name: 'cluster rollout', maxUses: DEVICES });

      // Registered at either instance, connected to any of the three nodes.
      let next = 0;
      const register = async (): Promise<void> => {
        while (next < DEVICES) {
          const i = next++;
          devices.push(
            await otaDevice(
              instances[i % 2]!.provisioningUrl,
              { claimId: claim.id, claimSecret: claim.secret },
              `cluster-ota-${i}`,
              {
                initial: { bytes: v1.model, manifest: v1.deviceManifest },
                trustedKeys: new Map([[key.keyId, key.publicKey]]),
                deviceUrl: cluster.mqttUrls[i % cluster.mqttUrls.length],
              },
            ),
          );
        }
      };
      await Promise.all(Array.from({ length: REGISTRATION_CONCURRENCY }, register));
      await statusesStored(
        a.httpUrl,
        devices.map((d) => d.conn.deviceId),
      );
      // Each slot switch a device makes (the agent switches only after download, checks and self-test).
      const switches = new Map<string, number>();
      for (const d of devices) {
        const activate = d.slots.activateInactive.bind(d.slots);
        d.slots.activateInactive = () => {
          switches.set(d.conn.deviceId, (switches.get(d.conn.deviceId) ?? 0) + 1);
          activate();
        };
      }

      // Offers are dropped on the way in until the second group is known; then only its held
      // devices' are. (A first-group offer dropped meanwhile is simply offered again at its deadline.)
      let hold = true;
      let held: Set<string> | null = null;
      for (const d of devices)
        d.tamper = (kind, payload) =>
          hold && kind === 'ota-offer' && (held === null || held.has(d.conn.deviceId)) ? new Uint8Array([0]) : payload;

      const rollout = await api(b, 'POST', '/api/rollouts', {
        name: 'cluster failover',
        model: { name: 'hello', version: '2.0.0' },
        target: { stream: 'soil' },
        // Long enough that a report redelivered after the ack wait still lands before the deadline.
        jobTimeoutS: 10,
        maxAttempts: 10,
        groups: [{ count: FIRST_GROUP }, { percent: 100 }],
      });
      expect(rollout.id).toEqual(expect.any(Number));
      // Read through whichever instance is alive (a until the kill, the survivor after it).
      let reader = a;
      const view = async (): Promise<RolloutView> => api(reader, 'GET', `/api/rollouts/${rollout.id}`);
      const { groups } = await waitUntil(view, (r) => r.groups.length === 2);
      const jobsOf = async () =>
        (await api(reader, 'GET', '/api/ota-jobs')).filter(
          (j: { rolloutId: number }) => j.rolloutId === rollout.id,
        ) as Array<{
          id: number;
          deviceId: string;
          groupId: number;
          state: string;
        }>;
      const secondGroup = (await jobsOf()).filter((j) => j.groupId === groups[1]!.id).map((j) => j.deviceId);
      expect(secondGroup).toHaveLength(DEVICES - FIRST_GROUP);
      held = new Set(secondGroup.slice(0, HELD));

      // Mid-rollout: the first group done, every second-group offer out.
      const mid = await waitUntil(
        view,
        (r) => r.groups[0]!.jobs.SUCCEEDED === FIRST_GROUP && !r.groups[1]!.jobs.QUEUED,
        120_000,
        50,
      );
      expect(mid.groups[0]!.jobs).toEqual({ SUCCEEDED: FIRST_GROUP });
      expect(mid.state).toBe('RUNNING');
      const owner = async (): Promise<string | null> =>
        (await pg!.query(`SELECT lease_owner FROM rollouts WHERE id = $1`, [rollout.id])).rows[0].lease_owner;
      const holderId = await owner();
      const holder = instances.find((i) => i.instanceId === holderId)!;
      const survivor = instances.find((i) => i.instanceId !== holderId)!;
      expect(holder).toBeDefined();
      const serverEvents = async () =>
        (
          await pg!.query(
            `SELECT e.id, e.actor FROM ota_job_events e JOIN ota_jobs j ON j.id = e.job_id
             WHERE j.rollout_id = $1 AND e.source = 'server' ORDER BY e.id`,
            [rollout.id],
          )
        ).rows as Array<{ id: string; actor: string }>;
      const beforeKill = await serverEvents();
      expect(new Set(beforeKill.map((e) => e.actor))).toEqual(new Set([holderId]));

      await holder.kill();
      reader = survivor;
      // Writes the holder had in flight may have landed as it died: all of them are its own.
      const atKill = await serverEvents();
      expect(new Set(atKill.map((e) => e.actor))).toEqual(new Set([holderId]));
      const atKillState = await view();
      // Really mid-rollout: second-group jobs were not finished when the holder died.
      expect(atKillState.groups[1]!.jobs.SUCCEEDED ?? 0).toBeLessThan(DEVICES - FIRST_GROUP);
      // Context for the report: where the second group stood at the kill.
      console.log(JSON.stringify({ secondGroupAtKill: atKillState.groups[1]!.jobs }));
      // Its lease outlives it; the survivor takes the rollout once it has run out.
      expect(await owner()).toBe(holderId);
      expect(await waitUntil(owner, (o) => o === survivor.instanceId, 60_000, 100)).toBe(survivor.instanceId);
      hold = false;

      const done = await waitUntil(view, (r) => r.state !== 'RUNNING', 150_000, 200);
      expect(done.state).toBe('FINISHED');
      expect(await owner()).toBe(survivor.instanceId);
      const jobs = await jobsOf();
      expect(jobs).toHaveLength(DEVICES);
      expect(jobs.filter((j) => j.state !== 'SUCCEEDED')).toEqual([]);
      for (const d of devices) expect(d.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
      // None applied twice: each device switched once, and each job reached SUCCEEDED once.
      expect(devices.filter((d) => switches.get(d.conn.deviceId) !== 1).map((d) => d.conn.deviceId)).toEqual([]);
      const succeededOnce = await pg!.query(
        `SELECT e.job_id, count(*)::int AS n FROM ota_job_events e JOIN ota_jobs j ON j.id = e.job_id
         WHERE j.rollout_id = $1 AND e.to_state = 'SUCCEEDED' GROUP BY e.job_id`,
        [rollout.id],
      );
      expect(succeededOnce.rows).toHaveLength(DEVICES);
      expect(succeededOnce.rows.filter((r: { n: number }) => r.n !== 1)).toEqual([]);
      // After the kill the survivor alone moved the jobs on, and it had to (the held devices' offers).
      const afterKill = (await serverEvents()).filter((e) => !atKill.some((k) => k.id === e.id));
      expect(afterKill.length).toBeGreaterThanOrEqual(HELD);
      expect(new Set(afterKill.map((e) => e.actor))).toEqual(new Set([survivor.instanceId]));
      const metrics = await (await fetch(`${survivor.httpUrl}/metrics`)).text();
      console.log(
        JSON.stringify({
          survivorRedeliveredUplinks: Number(/^tinyfleet_uplinks_redelivered_total (\d+)$/m.exec(metrics)?.[1] ?? 0),
        }),
      );
    },
    bootTimeout(0, 300_000),
  );
});
