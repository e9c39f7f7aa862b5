import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { decodeOtaOfferV1, encodeOtaOfferV1 } from '@tinyfleet/wire';
import { Client } from 'pg';
import { otaJobMachine } from '../apps/platform/src/ota/jobs/ota-job.state-machine';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { rolloutGroupMachine, rolloutMachine } from '../apps/platform/src/ota/rollouts/rollout.state-machine';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact, TestArtifact } from './support/artifacts';
import { statusesStored } from './support/devices';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

/**
 * OTA end to end over real MQTT and a real PostgreSQL: signed artifacts in the registry, rollouts in
 * groups driven by the executor's tick(now) with a fake clock, and devices running the real
 * device-side agent (download by chunks, hash and signature checks, self-test, A/B switch).
 */
describe('OTA rollouts of quantized models', () => {
  let platform: TestPlatform;
  let key: SigningKey;
  let v1: TestArtifact;
  let v2: TestArtifact;
  let broken: TestArtifact;
  let v4: TestArtifact;
  let v5: TestArtifact;
  let claim: { claimId: string; claimSecret: string };
  let clock = Date.parse('2026-11-27T10:00:00Z');
  const devices: OtaTestDevice[] = [];
  const tick = async (advanceS = 1) => {
    clock += advanceS * 1000;
    await platform.app.get(RolloutExecutor).tick(new Date(clock));
  };
  const status = async (id: number) => (await platform.api('GET', `/api/rollouts/${id}`)).body;
  const until = async (what: () => Promise<boolean>, label: string) => {
    if (!(await waitUntil(what))) throw new Error(`timed out waiting for ${label}`);
  };

  /** Every rollout and group move the platform made, in order, as the state machines applied them. */
  const moves: Array<{ what: string; from: string; to: string }> = [];

  beforeAll(async () => {
    // Observe, not replace: each applied transition is recorded after the real one succeeded.
    for (const machine of [rolloutMachine, rolloutGroupMachine] as const) {
      const apply = machine.transition.bind(machine);
      jest.spyOn(machine, 'transition').mockImplementation(async (what, from, to, write) => {
        await apply(what, from as never, to as never, write);
        moves.push({ what, from, to });
      });
    }
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', OTA_CHUNK_BYTES: '256' });
    key = newSigningKey();
    const input = referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin');
    const output = referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin');
    const base = { key, recipe: 'soil', selfTestInput: input, selfTestOutput: output };
    v1 = signedArtifact({ ...base, name: 'hello', version: '1.0.0', model: helloWorldVariant('hello v1') });
    v2 = signedArtifact({ ...base, name: 'hello', version: '2.0.0', model: helloWorldVariant('hello v2') });
    broken = signedArtifact({
      ...base,
      name: 'hello',
      version: '3.0.0',
      model: helloWorldVariant('hello v3'),
      selfTestOutput: new Uint8Array([output[0]! ^ 0x40]),
    });
    v4 = signedArtifact({ ...base, name: 'hello', version: '4.0.0', model: helloWorldVariant('hello v4') });
    v5 = signedArtifact({ ...base, name: 'hello', version: '5.0.0', model: helloWorldVariant('hello v5') });
    claim = await platform.createClaim();
  }, bootTimeout());
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.conn.close(true)));
    await platform?.stop();
  });

  it('refuses artifacts from unknown keys or with any byte changed, and keeps versions immutable', async () => {
    expect((await platform.api('POST', '/api/models', v1.upload)).body.message).toMatch(/unknown signing key/);
    const trusted = await platform.api('POST', '/api/keys', {
      name: 'test key',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    expect(trusted.body).toMatchObject({ keyId: key.keyId });
    const flipped = Buffer.from(v1.model);
    flipped[100] ^= 1;
    expect(
      (await platform.api('POST', '/api/models', { ...v1.upload, model: flipped.toString('base64') })).body.message,
    ).toMatch(/sha256 .* does not match the manifest|signature does not match/);
    expect(
      (
        await platform.api('POST', '/api/models', {
          ...v1.upload,
          manifest: v1.manifestText.replace('"1.0.0"', '"1.0.1"'),
        })
      ).body.message,
    ).toMatch(/signature does not match/);
    for (const a of [v1, v2, broken, v4, v5])
      expect((await platform.api('POST', '/api/models', a.upload)).status).toBe(201);
    expect((await platform.api('POST', '/api/models', v2.upload)).status).toBe(409);
    const list = (await platform.api('GET', '/api/models?name=hello')).body;
    expect(list.map((m: { version: string }) => m.version)).toEqual(['5.0.0', '4.0.0', '3.0.0', '2.0.0', '1.0.0']);
  });

  it('rolls out in groups, skipping devices that cannot take the model, with every transition recorded', async () => {
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    for (let i = 0; i < 4; i++)
      devices.push(
        await otaDevice(platform.mqttUrl, claim, `ota-${i}`, {
          initial: { bytes: v1.model, manifest: v1.deviceManifest },
          trustedKeys,
        }),
      );
    const old = await otaDevice(platform.mqttUrl, claim, 'ota-old', {
      initial: { bytes: v1.model, manifest: v1.deviceManifest },
      trustedKeys,
      interpreterVersion: '0.0.1',
    });
    devices.push(old);
    await statusesStored(
      platform.httpUrl,
      devices.map((d) => d.conn.deviceId),
    );

    const created = await platform.api('POST', '/api/rollouts', {
      name: 'hello v2',
      model: { name: 'hello', version: '2.0.0' },
      target: { stream: 'soil', currentModelId: 'hello' },
      groups: [
        { count: 1, successThresholdPct: 100, errorThresholdPct: 50 },
        { percent: 100, successThresholdPct: 100, errorThresholdPct: 50 },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.skipped).toEqual([
      { deviceId: old.conn.deviceId, reason: 'interpreter 0.0.1 < required 0.1.0' },
    ]);
    expect(created.body.groups.map((g: { jobs: Record<string, number> }) => g.jobs)).toEqual([
      { QUEUED: 1 },
      { QUEUED: 3 },
    ]);

    await tick();
    await until(async () => (await status(id)).groups[0].jobs.SUCCEEDED === 1, 'group 1 to succeed');
    expect((await status(id)).groups[1].jobs).toEqual({ QUEUED: 3 }); // group 2 waits for group 1
    await tick(); // group 1 finished
    await tick(); // group 2 starts: notified
    await until(async () => (await status(id)).groups[1].jobs.SUCCEEDED === 3, 'group 2 to succeed');
    await tick();
    await tick();
    expect(await status(id)).toMatchObject({
      state: 'FINISHED',
      groups: [{ state: 'FINISHED' }, { state: 'FINISHED' }],
    });
    for (const d of devices.slice(0, 4)) expect(d.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
    expect(old.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);

    const history = (await platform.api('GET', `/api/ota-jobs?deviceId=${devices[0]!.conn.deviceId}`)).body[0];
    // v1 → v2 differ in a few bytes: the delta against the model the device runs is the smallest form
    expect(history.form).toBe('delta');
    expect(history.chunksTotal).toBeLessThan(Math.ceil((v2.deviceManifestBytes.length + v2.model.length) / 256));
    expect(history.events.map((e: { toState: string; source: string }) => `${e.source}:${e.toState}`)).toEqual([
      'server:NOTIFIED',
      'device:DOWNLOADING',
      'device:DOWNLOADED',
      'device:VERIFIED',
      'device:APPLYING',
      'device:SUCCEEDED',
    ]);
  });

  it('resumes a download after a disconnect from the first missing chunk, and re-fetches a corrupted chunk', async () => {
    // two devices running a model the registry does not know: no delta is possible, the full form goes
    const unknown = helloWorldVariant('unregistered');
    const unknownManifest = {
      ...v1.deviceManifest,
      modelVersion: '0.9.0',
      modelSha256: new Uint8Array(require('node:crypto').createHash('sha256').update(unknown).digest()),
    };
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    const a = await otaDevice(platform.mqttUrl, claim, 'ota-resume-a', {
      initial: { bytes: unknown, manifest: unknownManifest },
      trustedKeys,
    });
    const b = await otaDevice(platform.mqttUrl, claim, 'ota-resume-b', {
      initial: { bytes: unknown, manifest: unknownManifest },
      trustedKeys,
    });
    devices.push(a, b);
    a.chunksSeen.length = 0;
    a.requests.length = 0;
    // a: drop the connection once half the chunks are in; b: one chunk arrives with a flipped byte
    let cut = false;
    let aChunks = 0;
    a.tamper = (kind, payload) => {
      if (kind === 'ota-chunk' && !cut && ++aChunks >= 6) {
        cut = true;
        a.conn.client.stream.destroy();
      }
      return payload;
    };
    let corrupted = false;
    let bChunks = 0;
    b.tamper = (kind, payload) => {
      if (kind !== 'ota-chunk' || corrupted || ++bChunks !== 3) return payload;
      corrupted = true;
      const copy = new Uint8Array(payload);
      copy[copy.length - 1]! ^= 0xff;
      return copy;
    };
    a.conn.client.on('connect', () => void a.agent.resume());
    await statusesStored(platform.httpUrl, [a.conn.deviceId, b.conn.deviceId]);
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'v4',
      model: { name: 'hello', version: '4.0.0' },
      target: { deviceIds: [a.conn.deviceId, b.conn.deviceId] },
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
    });
    expect(res.body.skipped).toEqual([]);
    await tick();
    await until(async () => (await status(res.body.id)).groups[0].jobs.SUCCEEDED === 2, 'both devices to succeed');
    expect(cut && corrupted).toBe(true);
    const aJob = (await platform.api('GET', `/api/ota-jobs?deviceId=${a.conn.deviceId}`)).body[0];
    expect(aJob).toMatchObject({
      form: 'full',
      chunksTotal: Math.ceil((v4.deviceManifestBytes.length + v4.model.length) / 256),
    });
    expect(new Set(a.chunksSeen).size).toBe(aJob.chunksTotal);
    // never from zero: only the first request starts at chunk 0; after the cut it asks from its first gap
    expect(a.requests.filter((r) => r.firstChunk === 0)).toHaveLength(1);
    const bHistory = (await platform.api('GET', `/api/ota-jobs?deviceId=${b.conn.deviceId}`)).body[0];
    expect(bHistory.state).toBe('SUCCEEDED');
    expect(bHistory.events.map((e: { reason: string | null }) => e.reason)).toContain('corrupt-chunk');
    a.tamper = b.tamper = undefined;
  });

  it('a model whose self-test fails stays off the device, and the error threshold pauses the rollout', async () => {
    for (const d of devices.slice(0, 4)) await d.publishStatus();
    const target = devices.slice(2, 4).map((d) => d.conn.deviceId);
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'broken',
      model: { name: 'hello', version: '3.0.0' },
      target: { deviceIds: target },
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 50 }],
    });
    const before = devices[2]!.slots.activeSha256Hex();
    await tick();
    await until(async () => (await status(res.body.id)).groups[0].jobs.FAILED === 2, 'both to fail');
    expect(devices[2]!.slots.activeSha256Hex()).toBe(before); // the old slot stays active
    await tick();
    const s = await status(res.body.id);
    expect(s.state).toBe('PAUSED');
    expect(s.stateReason).toBe('group 1: 2 of 2 devices failed (100 % ≥ error threshold 50 %)');
    const job = (await platform.api('GET', `/api/ota-jobs?deviceId=${target[0]}`)).body[0];
    expect(job).toMatchObject({ state: 'FAILED', reason: 'self-test-failed' });
  });

  it('a bad signature in transit is rejected by the device; a silent device is retried, then timed out', async () => {
    for (const d of devices.slice(0, 4)) await d.publishStatus();
    const [dev] = devices.slice(2, 3) as [OtaTestDevice];
    dev.tamper = (kind, payload) => {
      if (kind !== 'ota-offer') return payload;
      const offer = decodeOtaOfferV1(payload);
      offer.signature[0]! ^= 1;
      return encodeOtaOfferV1(offer);
    };
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'v5',
      model: { name: 'hello', version: '5.0.0' },
      target: { deviceIds: [dev.conn.deviceId] },
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
    });
    await tick();
    await until(async () => (await status(res.body.id)).groups[0].jobs.REJECTED === 1, 'rejection');
    expect((await platform.api('GET', `/api/ota-jobs?deviceId=${dev.conn.deviceId}`)).body[0]).toMatchObject({
      state: 'REJECTED',
      reason: 'signature-invalid',
    });
    dev.tamper = undefined;

    // a device that never answers: its offers are swallowed
    const silent = devices[3]!;
    silent.tamper = (kind, payload) => (kind === 'ota-offer' ? new Uint8Array([0]) : payload);
    const quiet = await platform.api('POST', '/api/rollouts', {
      name: 'to a silent device',
      model: { name: 'hello', version: '5.0.0' },
      target: { deviceIds: [silent.conn.deviceId] },
      jobTimeoutS: 60,
      maxAttempts: 2,
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 100 }],
    });
    await tick(); // offer 1
    await tick(61); // offer 2
    await tick(61); // out of attempts
    const job = (await platform.api('GET', `/api/ota-jobs?deviceId=${silent.conn.deviceId}`)).body[0];
    expect(job).toMatchObject({ state: 'TIMED_OUT', attempts: 2 });
    expect(job.events.map((e: { toState: string }) => e.toState)).toEqual(['NOTIFIED', 'NOTIFIED', 'TIMED_OUT']);
    await tick();
    expect((await status(quiet.body.id)).state).toBe('PAUSED');
    silent.tamper = undefined;
  });

  it("skips a device whose RAM cannot hold the interpreter's memory, with the numbers", async () => {
    const person = signedArtifact({
      key,
      name: 'doorbell',
      version: '1.0.0',
      recipe: 'doorbell',
      model: referenceFile('person_detection', 'person_detect.tflite'),
      selfTestInput: referenceFile('person_detection', 'test_inputs', 'person.bin'),
      selfTestOutput: referenceFile('person_detection', 'expected', 'person.out.bin'),
    });
    expect((await platform.api('POST', '/api/models', person.upload)).status).toBe(201);
    const tiny = await otaDevice(platform.mqttUrl, claim, 'ota-avr', {
      initial: { bytes: v1.model, manifest: v1.deviceManifest },
      trustedKeys: new Map(),
      mcuProfile: 'atmega328p',
      stream: 'doorbell',
    });
    devices.push(tiny);
    await statusesStored(platform.httpUrl, [tiny.conn.deviceId]);
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'person model to the AVR',
      model: { name: 'doorbell', version: '1.0.0' },
      target: { deviceIds: [tiny.conn.deviceId] },
      groups: [{ percent: 100 }],
    });
    expect(res.body.skipped).toHaveLength(1);
    expect(res.body.skipped[0].reason).toMatch(
      /^flash: model 300568 B > \d+ B free .* on atmega328p; RAM: interpreter memory 82300 B > 1280 B free \(2048 B − firmware 768 B\) on atmega328p/,
    );
  });

  it('a health gate catches a model that behaves worse and rolls the group back to the old model', async () => {
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    const fleet: OtaTestDevice[] = [];
    for (let i = 0; i < 6; i++)
      fleet.push(
        await otaDevice(platform.mqttUrl, claim, `gate-${i}`, {
          initial: { bytes: v1.model, manifest: v1.deviceManifest },
          trustedKeys,
          stream: 'soil',
        }),
      );
    devices.push(...fleet);
    await statusesStored(
      platform.httpUrl,
      fleet.map((d) => d.conn.deviceId),
    );
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'v2 behind a gate',
      model: { name: 'hello', version: '2.0.0' },
      target: { deviceIds: fleet.map((d) => d.conn.deviceId) },
      groups: [{ count: 3 }, { percent: 100 }],
      gates: { minDevicesPerSide: 3, soakS: 60, maxScoreShiftQ: 20, autoRollback: true },
    });
    const id = res.body.id;
    await tick();
    await until(async () => (await status(id)).groups[0].jobs.SUCCEEDED === 3, 'group 1 updated');
    // the updated devices now report low scores, the ones still on v1 high ones
    const updated = fleet.filter((d) => d.slots.activeSha256Hex() === v2.manifest.model.sha256);
    expect(updated).toHaveLength(3);
    for (const d of fleet) {
      for (let seq = 0; seq < 5; seq++)
        await d.conn.publishEvent({
          seq,
          timestampMs: clock,
          modelTag: 1,
          label: 1,
          scoreQ: updated.includes(d) ? -90 : 100,
          latencyUs: 900,
          energyUj: 30,
        });
    }
    await tick(30); // soak time not over: no verdict yet
    expect((await status(id)).state).toBe('RUNNING');
    await tick(31);
    const paused = await status(id);
    expect(paused.state).toBe('ROLLED_BACK');
    expect(paused.stateReason).toMatch(
      /^automatic rollback: group 1 health gates: mean score -90 vs 100 \(shift -190 q, limit ±20\): rollouts #\d+$/,
    );
    expect(paused.groups[0].gateReadings).toMatchObject({
      pass: false,
      updated: { devices: 3 },
      control: { devices: 3 },
    });
    const rollbackId = Number(/#(\d+)/.exec(paused.stateReason)![1]);
    await tick();
    await until(async () => (await status(rollbackId)).groups[0].jobs.SUCCEEDED === 3, 'rollback to finish');
    for (const d of updated) expect(d.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);
    const job = (await platform.api('GET', `/api/ota-jobs?deviceId=${updated[0]!.conn.deviceId}`)).body;
    expect(job.map((j: { state: string }) => j.state)).toEqual(['SUCCEEDED', 'ROLLED_BACK']); // the rollback job, then the original
    // the rollback needed no download: the old model was still in the other slot
    expect(job[0].events.map((e: { toState: string }) => e.toState)).toEqual([
      'NOTIFIED',
      'VERIFIED',
      'APPLYING',
      'SUCCEEDED',
    ]);
  });

  it('a power cut while writing the slot leaves the old model running; the retry then succeeds', async () => {
    const d = await otaDevice(platform.mqttUrl, claim, 'ota-power', {
      initial: { bytes: v1.model, manifest: v1.deviceManifest },
      trustedKeys: new Map([[key.keyId, key.publicKey]]),
    });
    devices.push(d);
    d.slots.powerLossOnNextWrite = true;
    await statusesStored(platform.httpUrl, [d.conn.deviceId]);
    const res = await platform.api('POST', '/api/rollouts', {
      name: 'through a power cut',
      model: { name: 'hello', version: '2.0.0' },
      target: { deviceIds: [d.conn.deviceId] },
      groups: [{ percent: 100 }],
      maxAttempts: 2,
    });
    await tick();
    await until(async () => (await status(res.body.id)).groups[0].jobs.FAILED === 1, 'the power cut');
    expect(d.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);
    await tick(); // 'power-loss' is worth another offer
    await until(async () => (await status(res.body.id)).groups[0].jobs.SUCCEEDED === 1, 'the retry');
    expect(d.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
    const job = (await platform.api('GET', `/api/ota-jobs?deviceId=${d.conn.deviceId}`)).body[0];
    expect(job.events.map((e: { toState: string; reason: string | null }) => e.reason ?? e.toState)).toContain(
      'power-loss',
    );
    expect(job.attempts).toBe(2);
  });

  it('every state change stays inside its table: the recorded moves explain every stored state', async () => {
    // An operator aborts the paused rollout whose only group failed: the failed group stays FAILED.
    const paused = (await platform.api('GET', '/api/rollouts')).body.find((r: { name: string }) => r.name === 'broken');
    expect(paused).toMatchObject({ state: 'PAUSED', allowedActions: ['resume', 'abort', 'rollback'] });
    const aborted = await platform.api('POST', `/api/rollouts/${paused.id}/abort`);
    expect(aborted.body).toMatchObject({ state: 'ABORTED', allowedActions: [], groups: [{ state: 'FAILED' }] });
    // Not a move the table has: a conflict that says so, and nothing changes.
    const again = await platform.api('POST', `/api/rollouts/${paused.id}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/ABORTED → RUNNING is not allowed/);

    const sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    try {
      // Rollouts and groups: each one's moves form one chain from READY, each step in its table,
      // ending in the state the database holds — so no write went around the machine.
      const stored = [
        ...(await sql.query(`SELECT 'rollout ' || id AS what, state FROM rollouts`)).rows,
        ...(await sql.query(`SELECT 'rollout group ' || id AS what, state FROM rollout_groups`)).rows,
      ] as Array<{ what: string; state: string }>;
      expect(stored.length).toBeGreaterThan(10);
      for (const { what, state } of stored) {
        const machine = what.startsWith('rollout group') ? rolloutGroupMachine : rolloutMachine;
        const chain = moves.filter((m) => m.what === what);
        let at = 'READY';
        for (const m of chain) {
          expect({ what, from: m.from }).toEqual({ what, from: at });
          expect(machine.canTransition(m.from as never, m.to as never)).toBe(true);
          at = m.to;
        }
        expect({ what, state }).toEqual({ what, state: at });
      }
      expect(moves.map((m) => `${m.from}→${m.to}`)).toEqual(
        expect.arrayContaining([
          'READY→RUNNING',
          'RUNNING→PAUSED',
          'RUNNING→FINISHED',
          'RUNNING→FAILED',
          'PAUSED→ABORTED',
        ]),
      );
      // Jobs: every transition is in ota_job_events; the same chain rule, from QUEUED (or SKIPPED, untouched).
      const jobs = (await sql.query(`SELECT id, state FROM ota_jobs`)).rows as Array<{ id: number; state: string }>;
      const events = (await sql.query(`SELECT job_id, from_state, to_state FROM ota_job_events ORDER BY id`))
        .rows as Array<{ job_id: number; from_state: string; to_state: string }>;
      for (const job of jobs) {
        let at = job.state === 'SKIPPED' ? 'SKIPPED' : 'QUEUED';
        for (const e of events.filter((x) => x.job_id === job.id)) {
          expect({ job: job.id, from: e.from_state }).toEqual({ job: job.id, from: at });
          expect(otaJobMachine.canTransition(e.from_state as never, e.to_state as never)).toBe(true);
          at = e.to_state;
        }
        expect({ job: job.id, state: job.state }).toEqual({ job: job.id, state: at });
      }
    } finally {
      await sql.end();
    }
  });
});
