import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { AccuracyReportV1, deviceUplinkTopic, encodeAccuracyReportV1, ModelSlotV1 } from '@tinyfleet/wire';
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { AccuracyIngestService } from '../apps/platform/src/accuracy/accuracy-ingest.service';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact, TestArtifact } from './support/artifacts';
import { event, registerDevice } from './support/devices';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

const sha256 = (text: string) => createHash('sha256').update(text).digest();
/** The tag devices put in events and accuracy reports: the first 4 bytes of the model's sha256. */
const tagOf = (hash: Uint8Array | string) =>
  Buffer.from(typeof hash === 'string' ? Buffer.from(hash, 'hex') : hash).readUInt32BE(0);

/**
 * On-device accuracy end to end over real MQTT and a real PostgreSQL: devices publish up/accuracy
 * (cumulative counts since boot per model tag); the platform stores each report once, refuses
 * malformed ones, shows per-model accuracy in the energy report, and a rollout whose updated group
 * is less accurate than the devices still on the old model breaches `maxAccuracyDropPct` and is
 * rolled back.
 */
describe('on-device accuracy reports', () => {
  let platform: TestPlatform;
  let sql: Client;
  let claim: { claimId: string; claimSecret: string };
  const closeLater: DeviceConnection[] = [];

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', OTA_CHUNK_BYTES: '256' });
    sql = new Client({ connectionString: platform.databaseUrl });
    await sql.connect();
    claim = await platform.createClaim();
  }, bootTimeout());
  afterAll(async () => {
    await Promise.all(closeLater.map((c) => c.close(true)));
    await sql?.end();
    await platform?.stop();
  });

  const publishAccuracy = (conn: DeviceConnection, report: AccuracyReportV1) =>
    conn.publishEncoded('accuracy', encodeAccuracyReportV1(report));
  const rows = async (deviceId: string) =>
    (
      await sql.query(
        `SELECT boot_id::text AS boot, seq::int AS seq, model_tag::float8 AS tag, model_id, model_version, inferences::int AS n, correct::int AS ok
       FROM accuracy_reports WHERE device_id = $1 ORDER BY boot_id, seq, model_tag`,
        [deviceId],
      )
    ).rows;

  describe('ingest and the energy report', () => {
    const t0 = 1_790_000_000_000;
    const slot = (modelId: string, modelVersion: string, hash: Buffer): ModelSlotV1 => ({
      modelId,
      modelVersion,
      sha256: hash,
      sizeBytes: 2_000,
    });
    const A = sha256('soil model a');
    const B = sha256('soil model b');
    const unknownTag = tagOf(sha256('a model no status names'));
    let device: DeviceConnection;

    // boot 11: 10/9 at t0, then 40/30 on A and 8/2 on B a minute later; a reboot (boot 12): 20/18 on A two minutes in.
    const reports: AccuracyReportV1[] = [
      { bootId: 11, seq: 1, timestampMs: t0, models: [{ modelTag: tagOf(A), inferences: 10, correct: 9 }] },
      {
        bootId: 11,
        seq: 2,
        timestampMs: t0 + 60_000,
        models: [
          { modelTag: tagOf(A), inferences: 40, correct: 30 },
          { modelTag: tagOf(B), inferences: 8, correct: 2 },
        ],
      },
      {
        bootId: 12,
        seq: 1,
        timestampMs: t0 + 120_000,
        models: [
          { modelTag: tagOf(A), inferences: 20, correct: 18 },
          { modelTag: unknownTag, inferences: 5, correct: 5 },
        ],
      },
    ];

    beforeAll(async () => {
      device = await registerDevice(platform, claim, 'acc-ingest');
      closeLater.push(device);
      await device.publishStatus({
        timestampMs: t0,
        firmwareVersion: '1.0.0',
        interpreterVersion: '0.1.0',
        uptimeS: 1,
        batteryPct: 90,
        batteryMv: 3000,
        activeSlot: 0,
        slots: [slot('soil-a', '1.0.0', A), slot('soil-a', '2.0.0', B)],
        bufferedEvents: 0,
        droppedEvents: 0,
      });
    });

    it('stores one row per model of each report, once, with the model named from the last status', async () => {
      for (const r of reports) await publishAccuracy(device, r);
      // QoS 1 re-deliveries and device re-sends, one after another and all at once
      await publishAccuracy(device, reports[1]!);
      await Promise.all([...reports, ...reports].map((r) => publishAccuracy(device, r)));
      expect(await rows(device.deviceId)).toEqual([
        { boot: '11', seq: 1, tag: tagOf(A), model_id: 'soil-a', model_version: '1.0.0', n: 10, ok: 9 },
        ...[
          { boot: '11', seq: 2, tag: tagOf(A), model_id: 'soil-a', model_version: '1.0.0', n: 40, ok: 30 },
          { boot: '11', seq: 2, tag: tagOf(B), model_id: 'soil-a', model_version: '2.0.0', n: 8, ok: 2 },
        ].sort((x, y) => x.tag - y.tag),
        ...[
          { boot: '12', seq: 1, tag: tagOf(A), model_id: 'soil-a', model_version: '1.0.0', n: 20, ok: 18 },
          { boot: '12', seq: 1, tag: unknownTag, model_id: null, model_version: null, n: 5, ok: 5 },
        ].sort((x, y) => x.tag - y.tag),
      ]);
      await expect(metric('tinyfleet_uplink_messages_total{kind="accuracy"}')).resolves.toBe(10);
    });

    it('acknowledges and drops malformed, wrongly shaped and oversized reports; nothing changes', async () => {
      const before = await rows(device.deviceId);
      const topic = deviceUplinkTopic(device.deviceId, 'accuracy');
      const rejectedBefore = (await platform.api('GET', `/api/devices/${device.deviceId}`)).body.rejectedCount;
      await device.client.publishAsync(topic, Buffer.from([0xff, 0x00, 0x13]), { qos: 1 }); // not CBOR
      // [bootId 11, seq 3, ts 1, [[tag 1, inferences 2, correct 3]]]: more correct than inferences
      await device.client.publishAsync(topic, Buffer.from([0x84, 0x0b, 0x03, 0x01, 0x81, 0x83, 0x01, 0x02, 0x03]), {
        qos: 1,
      });
      // the same tag twice
      await device.client.publishAsync(
        topic,
        Buffer.from([0x84, 0x0b, 0x04, 0x01, 0x82, 0x83, 0x01, 0x02, 0x01, 0x83, 0x01, 0x02, 0x01]),
        { qos: 1 },
      );
      await device.client.publishAsync(topic, Buffer.alloc(300, 0x01), { qos: 1 }); // over the 256-byte limit
      expect(await rows(device.deviceId)).toEqual(before);
      expect((await platform.api('GET', `/api/devices/${device.deviceId}`)).body.rejectedCount).toBe(
        rejectedBefore + 4,
      );
      await expect(metric('tinyfleet_rejected_total{reason="schema"}')).resolves.toBe(2);
      await expect(metric('tinyfleet_rejected_total{reason="oversized"}')).resolves.toBe(1);
      await expect(metric('tinyfleet_rejected_total{reason="malformed"}')).resolves.toBeGreaterThanOrEqual(1);
      // a report of a device the platform does not know is dropped without an error
      await platform.app.get(AccuracyIngestService).submit('dev-nobody-knows', reports[0]!);
      expect(
        Number(
          (await sql.query(`SELECT count(*) AS n FROM accuracy_reports WHERE device_id = 'dev-nobody-knows'`)).rows[0]
            .n,
        ),
      ).toBe(0);
    });

    it('the energy report shows accuracy per model version over its range, with the counts behind it', async () => {
      for (let seq = 0; seq < 3; seq++)
        await device.publishEvent(event(seq, { timestampMs: t0 + seq * 1000, modelTag: tagOf(A) }));
      const report = async (query = '') =>
        (await platform.api('GET', `/api/energy/report?format=json&deviceId=${device.deviceId}${query}`)).body;
      const accuracyOf = (r: {
        modelVersions: Array<{
          modelId: string | null;
          modelVersion: string | null;
          accuracyPct: number | null;
          accuracyInferences: number;
          events: number;
        }>;
      }) =>
        Object.fromEntries(
          r.modelVersions.map((m) => [
            m.modelId ? `${m.modelId}@${m.modelVersion}` : 'unresolved',
            [m.accuracyPct, m.accuracyInferences, m.events],
          ]),
        );
      // all time: A = boot 11's 40/30 + boot 12's 20/18 = 48 of 60; B = 2 of 8 (no event: a row from the reports alone)
      expect(accuracyOf(await report())).toEqual({
        'soil-a@1.0.0': [80, 60, 3],
        'soil-a@2.0.0': [25, 8, 0],
        unresolved: [100, 5, 0],
      });
      // from t0+30 s: boot 11 counts from its 10/9 at t0 (30/21), boot 12 started inside (20/18): 39 of 50
      const from = new Date(t0 + 30_000).toISOString();
      expect(accuracyOf(await report(`&from=${from}`))['soil-a@1.0.0']).toEqual([78, 50, 0]);
      // up to t0+90 s: boot 11 only, 30 of 40; the reboot's report is after the range
      const to = new Date(t0 + 90_000).toISOString();
      expect(accuracyOf(await report(`&to=${to}`))).toEqual({
        'soil-a@1.0.0': [75, 40, 3],
        'soil-a@2.0.0': [25, 8, 0],
      });
    });
  });

  describe('the maxAccuracyDropPct health gate', () => {
    let key: SigningKey;
    let v1: TestArtifact;
    let v2: TestArtifact;
    let clock = 0;
    const tick = async (advanceS: number) => {
      clock += advanceS * 1000;
      await platform.app.get(RolloutExecutor).tick(new Date(clock));
    };
    const status = async (id: number) => (await platform.api('GET', `/api/rollouts/${id}`)).body;
    const until = async (what: () => Promise<boolean>, label: string) => {
      if (!(await waitUntil(what))) throw new Error(`timed out waiting for ${label}`);
    };

    beforeAll(async () => {
      key = newSigningKey();
      const input = referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin');
      const output = referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin');
      const base = { key, recipe: 'soil', selfTestInput: input, selfTestOutput: output };
      v1 = signedArtifact({ ...base, name: 'acc-hello', version: '1.0.0', model: helloWorldVariant('acc hello v1') });
      v2 = signedArtifact({ ...base, name: 'acc-hello', version: '2.0.0', model: helloWorldVariant('acc hello v2') });
      expect(
        (
          await platform.api('POST', '/api/keys', {
            name: 'accuracy test key',
            publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
          })
        ).status,
      ).toBe(201);
      for (const a of [v1, v2]) expect((await platform.api('POST', '/api/models', a.upload)).status).toBe(201);
    });

    it('pauses and rolls back a group whose on-device accuracy falls too far below the old model', async () => {
      const trustedKeys = new Map([[key.keyId, key.publicKey]]);
      const fleet: OtaTestDevice[] = [];
      for (let i = 0; i < 6; i++)
        fleet.push(
          await otaDevice(platform.mqttUrl, claim, `acc-gate-${i}`, {
            initial: { bytes: v1.model, manifest: v1.deviceManifest },
            trustedKeys,
          }),
        );
      closeLater.push(...fleet.map((d) => d.conn));
      const [tag1, tag2] = [tagOf(v1.manifest.model.sha256), tagOf(v2.manifest.model.sha256)];
      // Before the rollout: every device has checked 100 inferences on v1, 90 right (acknowledged = committed).
      for (const [i, d] of fleet.entries())
        await publishAccuracy(d.conn, {
          bootId: 100 + i,
          seq: 1,
          timestampMs: Date.now(),
          models: [{ modelTag: tag1, inferences: 100, correct: 90 }],
        });
      // The gate window runs on the platform clock (received_at): the fake clock starts now, so the
      // reports above fall before the group starts and the ones below inside its window.
      clock = Date.now();
      const res = await platform.api('POST', '/api/rollouts', {
        name: 'v2 behind an accuracy gate',
        model: { name: 'acc-hello', version: '2.0.0' },
        target: { deviceIds: fleet.map((d) => d.conn.deviceId) },
        groups: [{ count: 3 }, { percent: 100 }],
        gates: { soakS: 60, maxAccuracyDropPct: 10, autoRollback: true },
      });
      expect(res.status).toBe(201);
      const id = res.body.id;
      // the defaults (3 devices, 30 inferences per side) are stored with the rollout; the dashboard shows them next to the readings
      expect((await status(id)).gates).toEqual({
        minDevicesPerSide: 3,
        soakS: 60,
        maxAccuracyDropPct: 10,
        minAccuracyInferences: 30,
        autoRollback: true,
      });
      await tick(0);
      await until(async () => (await status(id)).groups[0].jobs.SUCCEEDED === 3, 'group 1 updated');
      const updated = fleet.filter((d) => d.slots.activeSha256Hex() === v2.manifest.model.sha256);
      const control = fleet.filter((d) => !updated.includes(d));
      expect(updated).toHaveLength(3);
      for (const d of updated) await d.publishStatus(); // the slots now name v2, so its tag resolves
      for (const d of fleet)
        for (let seq = 0; seq < 3; seq++)
          await d.conn.publishEvent(event(seq, { modelTag: updated.includes(d) ? tag2 : tag1 }));

      await tick(61); // soak over, but no inference checked on v2 yet: accuracy is not judged, the group waits
      const waiting = await status(id);
      expect(waiting.state).toBe('RUNNING');
      expect(waiting.groups[0].gateReadings).toMatchObject({
        pass: null,
        breaches: [],
        updated: { devices: 3, accuracyInferences: 0 },
        control: { devices: 3, accuracyInferences: 0 },
      });
      expect(waiting.groups[0].gateReadings.notJudged).toEqual([
        'on-device accuracy: not enough devices reporting it (0 updated, 0 control; at least 3 per side)',
      ]);

      // v2 gets 25 of 50 right on each updated device (v1's counts there stay as they were);
      // the control devices get 55 of another 60 right on v1.
      for (const [i, d] of fleet.entries()) {
        const models = updated.includes(d)
          ? [
              { modelTag: tag1, inferences: 100, correct: 90 },
              { modelTag: tag2, inferences: 50, correct: 25 },
            ]
          : [{ modelTag: tag1, inferences: 160, correct: 145 }];
        await publishAccuracy(d.conn, { bootId: 100 + i, seq: 2, timestampMs: Date.now(), models });
      }
      await tick(600);
      const judged = await status(id);
      // updated: 75 of 150 = 50 %; control: 165 of 180 = 91.67 %; a drop of 41.67 points > 10
      expect(judged.state).toBe('ROLLED_BACK');
      expect(judged.stateReason).toMatch(
        /^automatic rollback: group 1 health gates: on-device accuracy 50 % vs 91\.67 % on the old model \(drop 41\.67 pts, limit 10 pts\): rollouts #\d+$/,
      );
      expect(judged.groups[0].gateReadings).toMatchObject({
        pass: false,
        notJudged: [],
        updated: { devices: 3, accuracyInferences: 150, accuracyCorrect: 75, accuracyPct: 50 },
        control: { devices: 3, accuracyInferences: 180, accuracyCorrect: 165 },
      });
      const rollbackId = Number(/#(\d+)$/.exec(judged.stateReason)![1]);
      await tick(1);
      await until(async () => (await status(rollbackId)).groups[0].jobs.SUCCEEDED === 3, 'the rollback');
      for (const d of updated) expect(d.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);
      for (const d of control) expect(d.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);

      // The energy report's before/after view: the rollout's six devices on v1 (3 × 90/100 + 3 × 145/160
      // = 705 of 780) against v2 on the updated three (75 of 150).
      const report = (await platform.api('GET', '/api/energy/report?format=json')).body;
      expect(report.rollouts.find((r: { rolloutId: number }) => r.rolloutId === id)).toMatchObject({
        model: 'acc-hello@2.0.0',
        accuracyBeforePct: 90.38,
        accuracyBeforeInferences: 780,
        accuracyAfterPct: 50,
        accuracyAfterInferences: 150,
      });
      expect(
        report.modelVersions.find(
          (m: { modelId: string; modelVersion: string }) => m.modelId === 'acc-hello' && m.modelVersion === '2.0.0',
        ),
      ).toMatchObject({ accuracyPct: 50, accuracyInferences: 150 });
    });
  });

  async function metric(series: string): Promise<number> {
    const text = (await platform.api('GET', '/metrics')).body as string;
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(' ')[1]) : 0;
  }
});
