import { EVIDENCE_KEY_LABEL, type InferenceEventV1, type ProvisionRequestV1 } from '@tinyfleet/wire';
import { createHmac } from 'node:crypto';
import { DeviceConnection } from '../../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../../device-sim/src/mqtt/provision-by-claim';
import type { TestPlatform } from './test-platform';
import { waitUntil } from './wait';

export function provisionRequest(hardwareId: string, overrides: Partial<ProvisionRequestV1> = {}): ProvisionRequestV1 {
  return {
    hardwareId,
    mcuProfile: 'nrf52840',
    radioProfile: 'nrf52840-ble-1m',
    firmwareVersion: '1.0.0',
    sensorStream: 'soil',
    interpreterVersion: '0.1.0',
    ...overrides,
  };
}

export function event(seq: number, overrides: Partial<InferenceEventV1> = {}): InferenceEventV1 {
  return {
    seq,
    timestampMs: 1_790_000_000_000 + seq * 1000,
    modelTag: 0xdeadbeef,
    label: seq % 3,
    scoreQ: 100 - (seq % 200),
    latencyUs: 1200,
    energyUj: 35,
    ...overrides,
  };
}

/** Where a device registers (the platform's provisioning endpoint) and where it then connects as itself. */
export interface MqttEndpoints {
  provisioningUrl: string;
  mqttUrl: string;
}

/** Registers a device by claim and opens its own session. */
export async function registerDevice(
  endpoints: MqttEndpoints,
  claim: { claimId: string; claimSecret: string },
  hardwareId: string,
): Promise<DeviceConnection> {
  // Like a device in a boot storm: a refusal that says "later" (overloaded, rate-limited) is retried after its hint.
  for (let attempt = 1; ; attempt++) {
    const res = await provisionByClaim(endpoints.provisioningUrl, claim, provisionRequest(hardwareId));
    const later = res.status === 'refused' && (res.reason === 'overloaded' || res.reason === 'rate-limited');
    if (later && attempt < 30) {
      await new Promise((r) => setTimeout(r, (res.retryAfterS ?? 1) * 1000 * (0.5 + Math.random())));
      continue;
    }
    if (res.status === 'refused' || !res.deviceSecret) throw new Error(`registration failed: ${JSON.stringify(res)}`);
    return DeviceConnection.open(endpoints.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret });
  }
}

/**
 * Resolves once the platform has stored a status report from each device: rollout targeting reads
 * the active model from it. (`otaDevice()` publishes one at QoS 1, acknowledged once handled; this
 * is the signal a test waits on rather than a pause.)
 */
export async function statusesStored(httpUrl: string, deviceIds: string[]): Promise<void> {
  const withoutStatus = async () => {
    const missing: string[] = [];
    for (const id of deviceIds) {
      const device = (await (await fetch(`${httpUrl}/api/devices/${id}`)).json()) as { lastStatusAt?: string | null };
      if (!device.lastStatusAt) missing.push(id);
    }
    return missing;
  };
  const missing = await waitUntil(withoutStatus, (m) => m.length === 0);
  if (missing.length) throw new Error(`the platform stored no status from ${missing.join(', ')}`);
}

/**
 * A device written from docs/protocol.md alone (no simulator code): registered by claim, connected
 * as itself, and once its status naming `model` in slot 0 is stored, a member of that model's cohort.
 */
export async function protocolDeviceRunning(
  platform: Pick<TestPlatform, 'mqttUrl' | 'httpUrl' | 'createClaim'>,
  hardwareId: string,
  model: { modelId: string; modelVersion: string; sha256: Uint8Array },
): Promise<{ conn: DeviceConnection; deviceId: string; secret: string }> {
  const res = await provisionByClaim(platform.mqttUrl, await platform.createClaim(), provisionRequest(hardwareId));
  if (res.status === 'refused' || !res.deviceSecret) throw new Error(`registration failed: ${JSON.stringify(res)}`);
  const conn = await DeviceConnection.open(platform.mqttUrl, { deviceId: res.deviceId, secret: res.deviceSecret });
  await conn.publishStatus({
    timestampMs: Date.now(),
    firmwareVersion: 'proto-1.0.0',
    interpreterVersion: '1.0.0',
    uptimeS: 60,
    batteryPct: 90,
    batteryMv: 3000,
    activeSlot: 0,
    slots: [{ ...model, sizeBytes: 1000 }, null],
    bufferedEvents: 0,
    droppedEvents: 0,
  });
  await statusesStored(platform.httpUrl, [res.deviceId]);
  return { conn, deviceId: res.deviceId, secret: res.deviceSecret };
}

/** The key a device signs its evidence windows with, derived from its secret (docs/protocol.md §12). */
export function evidenceKey(deviceSecret: string): Buffer {
  return createHmac('sha256', Buffer.from(deviceSecret, 'utf8')).update(EVIDENCE_KEY_LABEL).digest();
}
