import type { SigningKey } from '@tinyfleet/artifact/verify-node';
import { encodeOpSetBytes, INTERPRETER_VERSION, OP_SET_BUILDS } from '@tinyfleet/tinyml';
import { encodeDeviceCapabilitiesV1 } from '@tinyfleet/wire';
import { FAR_FUTURE_OP_CODE, opSetWithUnknownCodes } from '../libs/tinyml/src/testing/op-set-fixtures';
import { RolloutExecutor } from '../apps/platform/src/ota/rollouts/rollout-executor';
import { helloWorldVariant, newSigningKey, referenceFile, signedArtifact, TestArtifact } from './support/artifacts';
import { statusesStored } from './support/devices';
import { otaDevice, OtaTestDevice } from './support/ota-device';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

/**
 * Device op sets in admission, end to end over real MQTT and a real database: devices report up/capabilities,
 * the platform stores the latest, and a rollout skips the device whose firmware lacks an op the model needs,
 * naming the op, while the others update through the real device-side OTA agent.
 */
describe('rollout admission by the op set a device reports', () => {
  let platform: TestPlatform;
  let key: SigningKey;
  let v1: TestArtifact;
  let v2: TestArtifact;
  let clock = Date.parse('2026-12-02T10:00:00Z');
  const devices: OtaTestDevice[] = [];
  const tick = async () => {
    clock += 1000;
    await platform.app.get(RolloutExecutor).tick(new Date(clock));
  };
  const device = async (id: string) => (await platform.api('GET', `/api/devices/${id}`)).body;
  const capabilities = (timestampMs: number, opSet: Uint8Array) =>
    encodeDeviceCapabilitiesV1({ timestampMs, interpreterVersion: INTERPRETER_VERSION, opSet });

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite', { OTA_TICK_MS: '0', OTA_CHUNK_BYTES: '256' });
    key = newSigningKey();
    const input = referenceFile('hello_world_int8', 'test_inputs', 'x_1.57_q-63.bin');
    const output = referenceFile('hello_world_int8', 'expected', 'x_1.57_q-63.out.bin');
    const base = { key, recipe: 'soil', selfTestInput: input, selfTestOutput: output };
    v1 = signedArtifact({ ...base, name: 'hello', version: '1.0.0', model: helloWorldVariant('caps v1') });
    v2 = signedArtifact({ ...base, name: 'hello', version: '2.0.0', model: helloWorldVariant('caps v2') });
    const trusted = await platform.api('POST', '/api/keys', {
      name: 'caps key',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    expect(trusted.status).toBe(201);
    for (const a of [v1, v2]) expect((await platform.api('POST', '/api/models', a.upload)).status).toBe(201);
  }, bootTimeout());
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.conn.close(true)));
    await platform?.stop();
  });

  it('skips the device whose firmware lacks FULLY_CONNECTED for int8, naming it, and updates the others', async () => {
    const claim = await platform.createClaim();
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    const initial = { bytes: v1.model, manifest: v1.deviceManifest };
    for (const hw of ['caps-int16', 'caps-newer', 'caps-silent'])
      devices.push(await otaDevice(platform.mqttUrl, claim, hw, { initial, trustedKeys }));
    const [int16, newer, silent] = devices;
    const ids = devices.map((d) => d.conn.deviceId);
    await statusesStored(platform.httpUrl, ids);

    // A firmware that registered FULLY_CONNECTED for int16 activations only (and SOFTMAX for int8).
    const int16Only = encodeOpSetBytes([
      { op: 'FULLY_CONNECTED', types: ['int16'] },
      { op: 'SOFTMAX', types: ['int8'] },
    ]);
    // A newer firmware: the full build plus an op code this platform cannot name.
    const full = encodeOpSetBytes(OP_SET_BUILDS.full);
    const withNewOp = opSetWithUnknownCodes(OP_SET_BUILDS.full, [FAR_FUTURE_OP_CODE]);
    // QoS 1: each publish resolves once the platform has stored the report.
    await int16.conn.publishEncoded('capabilities', capabilities(2_000, int16Only));
    // A late re-delivery of an older report (the full build) does not overwrite the newer one.
    await int16.conn.publishEncoded('capabilities', capabilities(1_000, full));
    await newer.conn.publishEncoded('capabilities', capabilities(2_000, withNewOp));
    // A malformed op set (a type mask for an op whose bit is clear) is dropped and counted, nothing stored.
    const rejectedBefore = (await device(newer.conn.deviceId)).rejectedCount;
    await newer.conn.publishEncoded('capabilities', capabilities(3_000, Uint8Array.from([1, 1, 0x01, 0x02, 1, 0])));
    expect(await waitUntil(async () => (await device(newer.conn.deviceId)).rejectedCount === rejectedBefore + 1)).toBe(
      true,
    );

    const shown = await device(int16.conn.deviceId);
    expect(shown.capabilities).toMatchObject({
      opSetId: expect.stringMatching(/^ops-[0-9a-f]{12}$/),
      ops: [
        { op: 'FULLY_CONNECTED', types: ['int16'] },
        { op: 'SOFTMAX', types: ['int8'] },
      ],
      unknownOpCodes: [],
    });
    const newerShown = (await device(newer.conn.deviceId)).capabilities;
    expect(newerShown.unknownOpCodes).toEqual([FAR_FUTURE_OP_CODE]);
    expect(newerShown.ops).toHaveLength(OP_SET_BUILDS.full.length);
    expect((await device(silent.conn.deviceId)).capabilities).toBeNull();

    const created = await platform.api('POST', '/api/rollouts', {
      name: 'hello v2 by op set',
      model: { name: 'hello', version: '2.0.0' },
      target: { deviceIds: ids },
      groups: [{ percent: 100, successThresholdPct: 100, errorThresholdPct: 50 }],
    });
    expect(created.status).toBe(201);
    expect(created.body.skipped).toEqual([
      {
        deviceId: int16.conn.deviceId,
        reason: "ops the device's firmware lacks: FULLY_CONNECTED for int8 (has int16)",
      },
    ]);
    const id = created.body.id;
    await tick();
    const done = await waitUntil(
      async () => (await platform.api('GET', `/api/rollouts/${id}`)).body.groups[0].jobs.SUCCEEDED === 2,
    );
    expect(done).toBe(true);
    // The newer firmware and the device that never reported (admitted on the platform op list) took v2.
    expect(newer.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
    expect(silent.slots.activeSha256Hex()).toBe(v2.manifest.model.sha256);
    expect(int16.slots.activeSha256Hex()).toBe(v1.manifest.model.sha256);
  });
});
