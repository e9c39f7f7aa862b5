import {
  encodeAccuracyReportV1,
  encodeEnergySnapshotV1,
  encodeInferenceEventV1,
  encodeOtaChunkRequestV1,
  encodeOtaStatusV1,
  encodeStatusV1,
  type UplinkKind,
} from '@tinyfleet/wire';
import { prng, VALID_MESSAGES } from '@tinyfleet/wire/testing/arbitrary-messages';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { registerDevice } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

const SEED = 20261202;
const MESSAGES_PER_KIND = 40;

/** Every uplink kind, with a generator of contract-valid payloads (boundary values included). */
const UPLINKS: Array<[UplinkKind, (rng: ReturnType<typeof prng>) => Uint8Array]> = [
  ['event', (r) => encodeInferenceEventV1(VALID_MESSAGES.InferenceEventV1(r))],
  ['status', (r) => encodeStatusV1(VALID_MESSAGES.StatusV1(r))],
  ['energy', (r) => encodeEnergySnapshotV1(VALID_MESSAGES.EnergySnapshotV1(r))],
  ['accuracy', (r) => encodeAccuracyReportV1(VALID_MESSAGES.AccuracyReportV1(r))],
  ['ota-status', (r) => encodeOtaStatusV1(VALID_MESSAGES.OtaStatusV1(r))],
  ['ota-request', (r) => encodeOtaChunkRequestV1(VALID_MESSAGES.OtaChunkRequestV1(r))],
];

/**
 * Property: whatever the wire contract admits (docs/protocol.md CDDL), the platform either stores
 * and then serves through every read path, or acknowledges and drops with a counted reason — never
 * a stored row that an API or view cannot show (a timestamp of 8640000000000001 once made the
 * device's event listing answer HTTP 500). Seeded: a failure names the seed and the kind.
 */
describe('any contract-valid uplink is readable through every API and view', () => {
  let platform: TestPlatform;
  let device: DeviceConnection;

  beforeAll(async () => {
    platform = await bootTestPlatform('pglite');
    device = await registerDevice(platform, await platform.createClaim(), 'hw-property');
  }, bootTimeout());
  afterAll(async () => {
    await device?.close(true);
    await platform?.stop();
  });

  const readPaths = (id: string) => [
    '/health',
    '/metrics',
    '/api/devices',
    `/api/devices?sort=lastSeenAt&order=desc`,
    `/api/devices/${id}`,
    `/api/devices/${id}/events`,
    `/api/devices/${id}/events?limit=1000`,
    `/api/devices/${id}/config`,
    `/api/ota-jobs?deviceId=${id}`,
    '/api/dashboard/summary',
    '/api/energy/report',
    '/api/energy/report?format=csv',
    '/api/energy/report?format=html',
    '/api/rollouts',
    '/api/models',
  ];

  it.each(UPLINKS.map(([kind, make]) => [kind, make] as const))(
    `%s: ${MESSAGES_PER_KIND} seeded messages, then every read path answers`,
    async (kind, make) => {
      const rng = prng(SEED + UPLINKS.findIndex(([k]) => k === kind));
      // QoS 1: the PUBACK comes once the platform has stored (or counted and dropped) each message.
      for (let i = 0; i < MESSAGES_PER_KIND; i++) await device.publishEncoded(kind, make(rng));
      for (const path of readPaths(device.deviceId)) {
        const res = await platform.api('GET', path);
        if (res.status !== 200) {
          throw new Error(
            `seed ${SEED}, ${kind}: GET ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`,
          );
        }
      }
      // The device was never cut off by a payload the contract admits.
      expect(device.client.connected).toBe(true);
    },
  );
});
