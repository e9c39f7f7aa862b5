import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { helloWorldVersions, newSigningKey } from './support/artifacts';
import { statusesStored } from './support/devices';
import { freePort } from './support/free-port';
import { MosquittoProcess, startMosquitto } from './support/mosquitto';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { spawnPlatform, waitForExit } from './support/platform-process';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { bootTimeout, itBooting, waitUntil } from './support/wait';

interface Instance {
  process: ChildProcess;
  env: Record<string, string>;
  http: string;
  id: string;
  provisioningUrl: string;
}

/**
 * Two platform processes on one real PostgreSQL and one Mosquitto (their consumers share one
 * `$share` group): a running rollout is driven by the instance holding its lease, and only that
 * one writes its jobs' server transitions; when that instance is killed (SIGKILL, no clean
 * hand-over), the other takes the rollout once the lease ran out and finishes it. Uplinks are shared
 * by four consumer sessions over the two instances, so a device's reports on one job are applied by
 * both instances, each guarded by the job's state.
 */
describe('two platform instances on one database', () => {
  let db: TestDatabase;
  let mosquitto: MosquittoProcess;
  const dirs: string[] = [];
  const instances: Instance[] = [];
  const devices: OtaTestDevice[] = [];
  afterAll(async () => {
    // Killed, not stopped: the database and the broker are thrown away next.
    for (const i of instances) {
      i.process.kill('SIGKILL');
      await waitForExit(i.process);
    }
    await Promise.all(devices.map((d) => d.conn.close(true)));
    await mosquitto?.stop();
    await db?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, bootTimeout());

  itBooting(2, 'drive each rollout from one instance and hand it over when that one dies', async () => {
    [db, mosquitto] = await Promise.all([createTestDatabase('postgres'), startMosquitto()]);
    const shared = {
      DATABASE_URL: db.url,
      MQTT_URL: mosquitto.platformUrl,
      MQTT_DEVICE_URL: mosquitto.url,
      MQTT_USERNAME: 'tinyfleet-platform',
      MQTT_PASSWORD: randomBytes(16).toString('hex'),
      MQTT_SHARE_GROUP: 'tinyfleet-scale-test',
      MQTT_CONSUMERS: '2',
      MOSQUITTO_AUTH_DIR: mosquitto.authDir,
      MOSQUITTO_PID: String(mosquitto.pid),
      OTA_TICK_MS: '200',
      // Short, so the hand-over after the kill is quick; still many ticks long.
      OTA_LEASE_MS: '3000',
      OTA_CHUNK_BYTES: '512',
    };
    // One after the other: the first creates the schema (migrations), the second finds it done.
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-scale-'));
      dirs.push(dir);
      const env = {
        ...shared,
        PORT: String(await freePort()),
        MQTT_PORT: String(await freePort()),
        MQTT_CLIENT_ID: `tf-scale-${i}`,
        TINYFLEET_DATA_DIR: dir,
      };
      const process = await spawnPlatform(env);
      const http = `http://127.0.0.1:${env.PORT}`;
      const health = await (await fetch(`${http}/health`)).json();
      instances.push({ process, env, http, id: health.instanceId, provisioningUrl: health.provisioningUrl });
    }
    expect(instances[0]!.id).not.toBe(instances[1]!.id);

    const api = async (at: Instance, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${at.http}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json();
    };
    const [a, b] = instances as [Instance, Instance];
    const key = newSigningKey();
    const { v1, v2 } = helloWorldVersions(key, 'scale');
    // Written through one instance, read through the other: nothing lives in either process.
    await api(a, 'POST', '/api/keys', {
      name: 'k',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    for (const art of [v1, v2]) await api(b, 'POST', '/api/models', art.upload);
    const claim = await api(a, 'POST', '/api/claims', { name: 'scale' });
    for (let i = 0; i < 6; i++) {
      const via = instances[i % 2]!;
      devices.push(
        await otaDevice(via.provisioningUrl, { claimId: claim.id, claimSecret: claim.secret }, `scale-${i}`, {
          initial: { bytes: v1.model, manifest: v1.deviceManifest },
          trustedKeys: new Map([[key.keyId, key.publicKey]]),
          deviceUrl: mosquitto.url,
        }),
      );
    }
    await statusesStored(
      b.http,
      devices.map((d) => d.conn.deviceId),
    );

    const rollout = await api(b, 'POST', '/api/rollouts', {
      name: 'two instances',
      model: { name: 'hello', version: '2.0.0' },
      target: { stream: 'soil' },
      jobTimeoutS: 4,
      maxAttempts: 10,
      groups: [{ count: 3 }, { percent: 100 }],
    });
    expect(rollout.id).toEqual(expect.any(Number));
    // Until the holder is killed, the second group's devices do not hear their offers.
    let hold = true;
    const groupOf = async () => (await api(a, 'GET', `/api/rollouts/${rollout.id}`)).groups;
    const groups = await waitUntil(groupOf, (g) => g[1].jobs.QUEUED === 3 || g[1].jobs.NOTIFIED > 0);
    const secondGroup = new Set<string>();
    for (const j of await api(a, 'GET', '/api/ota-jobs')) if (j.groupId === groups[1].id) secondGroup.add(j.deviceId);
    for (const d of devices)
      d.tamper = (kind, payload) =>
        hold && kind === 'ota-offer' && secondGroup.has(d.conn.deviceId) ? new Uint8Array([0]) : payload;
    const held = await waitUntil(groupOf, (g) => g[0].jobs.SUCCEEDED === 3 && g[1].jobs.NOTIFIED === 3, 90_000, 100);
    expect([held[0].jobs, held[1].jobs]).toEqual([{ SUCCEEDED: 3 }, { NOTIFIED: 3 }]);

    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const owner = async () =>
        (await pg.query(`SELECT lease_owner FROM rollouts WHERE id = $1`, [rollout.id])).rows[0].lease_owner;
      const holderId = await owner();
      const holder = instances.find((i) => i.id === holderId)!;
      const survivor = instances.find((i) => i.id !== holderId)!;
      expect(holder).toBeDefined();
      // Both instances tick all along; only the holder has written the jobs' server transitions.
      const serverActors = async (sinceId = '0') =>
        (
          await pg.query(
            `SELECT e.id, e.actor FROM ota_job_events e JOIN ota_jobs j ON j.id = e.job_id
             WHERE j.rollout_id = $1 AND e.source = 'server' AND e.id > $2 ORDER BY e.id`,
            [rollout.id, sinceId],
          )
        ).rows as Array<{ id: string; actor: string }>;
      const before = await serverActors();
      expect(before.length).toBeGreaterThanOrEqual(6);
      expect(new Set(before.map((e) => e.actor))).toEqual(new Set([holderId]));

      holder.process.kill('SIGKILL');
      await waitForExit(holder.process);
      const lastBeforeKill = before.at(-1)!.id;
      const killedHolderWrote = await serverActors(lastBeforeKill);
      // The survivor takes the rollout over once the dead holder's lease has run out.
      expect(await waitUntil(owner, (o) => o === survivor.id, 60_000, 100)).toBe(survivor.id);
      // Mosquitto keeps routing a share of the devices' uplinks to the dead instance's persistent
      // consumer sessions (docs/external-broker.md): it comes back under the same client ids to take
      // them. It is a new instance, and the survivor's lease keeps the rollout with the survivor.
      // The second group hears its offers only then: a report parked in a dead session for longer
      // than the job timeout times an APPLYING job out (docs/external-broker.md).
      holder.process = await spawnPlatform(holder.env);
      holder.id = (await (await fetch(`${holder.http}/health`)).json()).instanceId;
      hold = false;

      const state = await waitUntil(
        async () => (await api(survivor, 'GET', `/api/rollouts/${rollout.id}`)).state,
        (s) => s === 'FINISHED',
        60_000,
        100,
      );
      expect(state).toBe('FINISHED');
      expect(await owner()).toBe(survivor.id);
      for (const d of devices) expect(d.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
      const jobs = (await api(survivor, 'GET', '/api/ota-jobs')).filter(
        (j: { rolloutId: number }) => j.rolloutId === rollout.id,
      );
      expect(jobs.map((j: { state: string }) => j.state)).toEqual(Array(6).fill('SUCCEEDED'));
      // After the kill, the survivor alone moved the jobs on (the holder's last writes may have landed as it died).
      const after = (await serverActors(lastBeforeKill)).filter((e) => !killedHolderWrote.some((k) => k.id === e.id));
      expect(after.length).toBeGreaterThanOrEqual(3);
      expect(new Set(after.map((e) => e.actor))).toEqual(new Set([survivor.id]));
      expect(holder.id).not.toBe(holderId);
    } finally {
      await pg.end();
    }
  });
});
