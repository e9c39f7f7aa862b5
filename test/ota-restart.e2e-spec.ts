import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helloWorldVersions, newSigningKey } from './support/artifacts';
import { statusesStored } from './support/devices';
import { freePort } from './support/free-port';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { spawnPlatform, waitForExit } from './support/platform-process';
import { itBooting, waitUntil } from './support/wait';

/**
 * Rollout state lives in the database: the platform is killed (SIGKILL) mid-rollout and started
 * again on the same data folder; its executor picks the rollout up where it was and finishes it.
 */
describe('a platform restart mid-rollout', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-ota-restart-'));
  const devices: OtaTestDevice[] = [];
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.conn.close(true)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  itBooting(2, 'continues the rollout to the end', async () => {
    const env = {
      PORT: String(await freePort()),
      MQTT_PORT: String(await freePort()),
      TINYFLEET_DATA_DIR: dataDir,
      OTA_TICK_MS: '200',
      OTA_CHUNK_BYTES: '512',
    };
    const http = `http://127.0.0.1:${env.PORT}`;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${http}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json();
    };
    let platform = await spawnPlatform(env);
    try {
      const key = newSigningKey();
      const { v1, v2 } = helloWorldVersions(key, 'restart');
      await api('POST', '/api/keys', {
        name: 'k',
        publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      });
      for (const a of [v1, v2]) await api('POST', '/api/models', a.upload);
      const claim = await api('POST', '/api/claims', { name: 'restart' });
      const mqttUrl = `mqtt://127.0.0.1:${env.MQTT_PORT}`;
      for (let i = 0; i < 4; i++) {
        devices.push(
          await otaDevice(mqttUrl, { claimId: claim.id, claimSecret: claim.secret }, `restart-${i}`, {
            initial: { bytes: v1.model, manifest: v1.deviceManifest },
            trustedKeys: new Map([[key.keyId, key.publicKey]]),
          }),
        );
      }
      // Until the restart, devices in the second group do not hear their offers.
      let hold = true;
      await statusesStored(
        http,
        devices.map((d) => d.conn.deviceId),
      );
      const rollout = await api('POST', '/api/rollouts', {
        name: 'across a restart',
        model: { name: 'hello', version: '2.0.0' },
        target: { stream: 'soil' },
        jobTimeoutS: 3,
        maxAttempts: 5,
        groups: [{ count: 2 }, { percent: 100 }],
      });
      const secondGroup = new Set<string>();
      for (const d of devices)
        d.tamper = (kind, payload) =>
          hold && kind === 'ota-offer' && secondGroup.has(d.conn.deviceId) ? new Uint8Array([0]) : payload;
      const groupOf = async () => (await api('GET', `/api/rollouts/${rollout.id}`)).groups;
      const groups = await groupOf();
      for (const j of await api('GET', '/api/ota-jobs')) if (j.groupId === groups[1].id) secondGroup.add(j.deviceId);
      await waitUntil(groupOf, (groups) => groups[1].jobs.NOTIFIED === 2);
      expect(secondGroup.size).toBe(2);
      expect((await groupOf())[0].jobs).toEqual({ SUCCEEDED: 2 });
      type JobView = { deviceId: string; state: string; events: Array<{ toState: string; source: string }> };
      const secondJobs = async (): Promise<JobView[]> =>
        ((await api('GET', '/api/ota-jobs')) as JobView[]).filter((j) => secondGroup.has(j.deviceId));
      // Offered before the crash, and unheard: no word from the device yet.
      for (const j of await secondJobs()) {
        expect(j.events.some((e) => e.toState === 'NOTIFIED')).toBe(true);
        expect(j.events.filter((e) => e.source === 'device')).toEqual([]);
      }

      platform.kill('SIGKILL');
      await waitForExit(platform);
      hold = false;
      platform = await spawnPlatform(env);

      const state = await waitUntil(
        async () => (await api('GET', `/api/rollouts/${rollout.id}`)).state,
        (s) => s === 'FINISHED',
        60_000,
        100,
      );
      expect(state).toBe('FINISHED');
      for (const d of devices) expect(d.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
      // Offered again after the restart — at the device's reconnect (no attempt spent) or at the job's deadline,
      // whichever comes first — heard, then done.
      for (const j of await secondJobs()) {
        expect(j.state).toBe('SUCCEEDED');
        expect(j.events.filter((e) => e.source === 'device').map((e) => e.toState)).toContain('SUCCEEDED');
      }
    } finally {
      platform.kill('SIGTERM');
      await waitForExit(platform);
    }
  });
});
