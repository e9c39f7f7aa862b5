import { Logger } from '@nestjs/common';
import { connectAsync, ErrorWithReasonCode, MqttClient } from 'mqtt';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionByClaim } from '../../../../device-sim/src/mqtt/provision-by-claim';
import { provisionRequest } from '../../../../test/support/devices';
import { bootTestPlatform } from '../../../../test/support/test-platform';
import { BOOT_TIMEOUT_MS, bootTimeout, waitUntil, within } from '../../../../test/support/wait';
import { loadConfig } from '../config/app-config';
import { RunningPlatform, startPlatform } from '../platform';

const MAX_ONLINE_DEVICES = 3;
const BOUND_ENV = { EMBEDDED_DATABASE_MAX_ONLINE_DEVICES: String(MAX_ONLINE_DEVICES) };

interface Device {
  deviceId: string;
  secret: string;
}

/** Registers `count` devices by claim over the platform's own listener, as devices do. */
async function registerDevices(platform: RunningPlatform, count: number): Promise<Device[]> {
  const res = await fetch(new URL('/api/claims', platform.httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'capacity' }),
  });
  const body = (await res.json()) as { id: string; secret: string };
  const claim = { claimId: body.id, claimSecret: body.secret };
  const devices: Device[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await provisionByClaim(platform.provisioningUrl, claim, provisionRequest(`hw-capacity-${i}`));
    if (answer.status !== 'registered') throw new Error(`registration failed: ${JSON.stringify(answer)}`);
    devices.push({ deviceId: answer.deviceId, secret: answer.deviceSecret! });
  }
  return devices;
}

async function connectivity(platform: RunningPlatform, device: Device): Promise<string> {
  const res = await fetch(new URL(`/api/devices/${device.deviceId}`, platform.httpUrl));
  return ((await res.json()) as { connectivity: string }).connectivity;
}

const capacityWarnings = (warn: jest.SpyInstance) =>
  warn.mock.calls.map(([message]) => String(message)).filter((m) => m.startsWith('refusing device CONNECTs'));

/**
 * EMBEDDED_DATABASE_MAX_ONLINE_DEVICES on the wire: the embedded (PGlite) database's bound on
 * devices online, enforced at CONNECT by the embedded broker, and absent on PostgreSQL.
 */
describe('the embedded database bound on devices online', () => {
  const sessions: MqttClient[] = [];
  let warn: jest.SpyInstance;

  beforeEach(() => {
    // Nest's Logger instances all call the prototype's warn, which forwards to pino.
    warn = jest.spyOn(Logger.prototype, 'warn');
  });
  afterEach(() => warn.mockRestore());

  /** A device's CONNECT: 'admitted' (the session is kept, for the test to end), or the CONNACK return code. */
  const connect = (platform: RunningPlatform, device: Device): Promise<'admitted' | number> =>
    connectAsync(platform.mqttUrl, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.secret,
      reconnectPeriod: 0,
    }).then(
      (session) => (sessions.push(session), 'admitted' as const),
      (err: ErrorWithReasonCode) => {
        if (typeof err.code !== 'number') throw err;
        return err.code;
      },
    );

  it(
    'refuses the device beyond it with CONNACK 3 and says why in the log, and admits it once a device leaves',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'tinyfleet-capacity-'));
      let platform: RunningPlatform | undefined;
      try {
        const config = loadConfig({
          PORT: '0',
          MQTT_PORT: '0',
          LOG_LEVEL: 'error',
          TINYFLEET_DATA_DIR: dataDir,
          ...BOUND_ENV,
        });
        platform = await within(startPlatform(config), BOOT_TIMEOUT_MS, 'the embedded platform was not ready');
        const [first, second, third, fourth, fifth] = await registerDevices(platform, 5);
        for (const device of [first, second, third]) expect(await connect(platform, device)).toBe('admitted');

        expect(await connect(platform, fourth)).toBe(3);
        expect(capacityWarnings(warn)).toEqual([
          `refusing device CONNECTs: ${MAX_ONLINE_DEVICES} online; the embedded database holds up to ${MAX_ONLINE_DEVICES} devices online; set DATABASE_URL=postgres://… for a larger fleet`,
        ]);

        // The place is free once the broker has seen the session end, which the API shows as OFFLINE.
        await sessions.shift()!.endAsync(); // the first device's
        const running = platform;
        expect(
          await waitUntil(
            () => connectivity(running, first),
            (c) => c === 'OFFLINE',
          ),
        ).toBe('OFFLINE');
        expect(await connect(platform, fourth)).toBe('admitted');
        expect(await connect(platform, fifth)).toBe(3);
      } finally {
        await Promise.all(sessions.splice(0).map((s) => s.endAsync(true)));
        await platform?.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    bootTimeout(1),
  );

  it(
    'never applies on PostgreSQL (DATABASE_URL), whatever it is set to',
    async () => {
      const platform = await bootTestPlatform('postgres', BOUND_ENV);
      try {
        expect(platform.config.database.mode).toBe('external');
        const devices = await registerDevices(platform, MAX_ONLINE_DEVICES + 2);
        for (const device of devices) expect(await connect(platform, device)).toBe('admitted');
        expect(capacityWarnings(warn)).toEqual([]);
      } finally {
        await Promise.all(sessions.splice(0).map((s) => s.endAsync(true)));
        await platform.stop();
      }
    },
    bootTimeout(1),
  );
});
