import type { DeviceManifest } from '@tinyfleet/artifact';
import { MCU_PROFILES, McuProfile, modelBudget } from '@tinyfleet/energy';
import { INTERPRETER_VERSION } from '@tinyfleet/tinyml';
import { decodeOtaChunkRequestV1, decodeOtaChunkV1, parseTopic } from '@tinyfleet/wire';
import { createHash, KeyObject } from 'node:crypto';
import { DeviceConnection } from '../../device-sim/src/mqtt/device-connection';
import { provisionByClaim } from '../../device-sim/src/mqtt/provision-by-claim';
import { OtaAgent, OtaSlots, PowerLossError } from '../../device-sim/src/ota/ota-agent';
import { provisionRequest } from './devices';

interface Slot {
  bytes: Uint8Array;
  manifest: DeviceManifest;
  sha256Hex: string;
}

/** Two model slots in memory, sized by a real MCU profile. */
export class MemorySlots implements OtaSlots {
  slots: [Slot | null, Slot | null];
  active: 0 | 1 = 0;
  powerLossOnNextWrite = false;

  constructor(
    private readonly mcu: McuProfile,
    initial: { bytes: Uint8Array; manifest: DeviceManifest },
  ) {
    this.slots = [{ ...initial, sha256Hex: sha(initial.bytes) }, null];
  }

  activeSha256Hex(): string | null {
    return this.slots[this.active]?.sha256Hex ?? null;
  }
  inactive() {
    return this.slots[this.active === 0 ? 1 : 0];
  }
  activeBytes(): Uint8Array | null {
    return this.slots[this.active]?.bytes ?? null;
  }
  flashBytesForModel(): number {
    return modelBudget(this.mcu, this.slots[this.active]?.bytes.length ?? 0).flashBytesForModel;
  }
  ramBytesForArena(): number {
    return modelBudget(this.mcu).ramBytesForArena;
  }
  writeInactive(bytes: Uint8Array, manifest: DeviceManifest): void {
    const target = this.active === 0 ? 1 : 0;
    this.slots[target] = null; // erased first: a power cut leaves nothing usable there
    if (this.powerLossOnNextWrite) {
      this.powerLossOnNextWrite = false;
      throw new PowerLossError('power lost while writing the inactive slot');
    }
    this.slots[target] = { bytes, manifest, sha256Hex: sha(bytes) };
  }
  activateInactive(): void {
    this.active = this.active === 0 ? 1 : 0;
  }
}

export interface OtaTestDevice {
  conn: DeviceConnection;
  agent: OtaAgent;
  slots: MemorySlots;
  /** Chunk indexes the platform sent, in order. */
  chunksSeen: number[];
  /** The agent's chunk requests, in order. */
  requests: Array<{ firstChunk: number; chunkCount: number }>;
  /** Transforms incoming OTA payloads (to corrupt a chunk or a signature in transit). */
  tamper?: (kind: string, payload: Uint8Array) => Uint8Array;
  publishStatus(): Promise<unknown>;
}

/** A device that registers by claim, reports its slots, and runs the real device-side OTA agent. */
export async function otaDevice(
  mqttUrl: string,
  claim: { claimId: string; claimSecret: string },
  hardwareId: string,
  opts: {
    initial: { bytes: Uint8Array; manifest: DeviceManifest };
    trustedKeys: Map<string, KeyObject>;
    mcuProfile?: keyof typeof MCU_PROFILES;
    interpreterVersion?: string;
    stream?: string;
    /** Where the device connects as itself, when not where it registers (an external broker). */
    deviceUrl?: string;
  },
): Promise<OtaTestDevice> {
  const mcuProfile = opts.mcuProfile ?? 'nrf52840';
  const res = await provisionByClaim(
    mqttUrl,
    claim,
    provisionRequest(hardwareId, {
      mcuProfile,
      interpreterVersion: opts.interpreterVersion ?? INTERPRETER_VERSION,
      sensorStream: opts.stream ?? 'soil',
    }),
  );
  if (res.status === 'refused' || !res.deviceSecret) throw new Error(`registration failed: ${JSON.stringify(res)}`);
  const conn = await DeviceConnection.open(opts.deviceUrl ?? mqttUrl, {
    deviceId: res.deviceId,
    secret: res.deviceSecret,
  });
  const slots = new MemorySlots(MCU_PROFILES[mcuProfile], opts.initial);
  const requests: OtaTestDevice['requests'] = [];
  const publish = (kind: 'ota-status' | 'ota-request', payload: Uint8Array) => {
    if (kind === 'ota-request') requests.push(decodeOtaChunkRequestV1(payload));
    return conn.publishEncoded(kind, payload);
  };
  const agent = new OtaAgent({ publish }, slots, { trustedKeys: opts.trustedKeys, chunksPerRequest: 4 });
  const device: OtaTestDevice = {
    conn,
    agent,
    slots,
    chunksSeen: [],
    requests,
    publishStatus: () =>
      conn.publishStatus({
        timestampMs: Date.now(),
        firmwareVersion: '1.0.0',
        interpreterVersion: opts.interpreterVersion ?? INTERPRETER_VERSION,
        uptimeS: 1,
        batteryPct: 90,
        batteryMv: 3000,
        activeSlot: slots.active,
        slots: slots.slots.map((s) =>
          s
            ? {
                modelId: s.manifest.modelId,
                modelVersion: s.manifest.modelVersion,
                sha256: Buffer.from(s.sha256Hex, 'hex'),
                sizeBytes: s.bytes.length,
              }
            : null,
        ) as never,
        bufferedEvents: 0,
        droppedEvents: 0,
      }),
  };
  // One message at a time, in arrival order, as a device's single MQTT task would.
  let queue = Promise.resolve();
  conn.client.on('message', (topic, raw) => {
    const parsed = parseTopic(topic);
    if (parsed?.scope !== 'device' || parsed.direction !== 'down') return;
    const payload = device.tamper ? device.tamper(parsed.kind, new Uint8Array(raw)) : new Uint8Array(raw);
    queue = queue
      .then(async () => {
        if (parsed.kind === 'ota-offer') await agent.onOffer(payload);
        else if (parsed.kind === 'ota-chunk') {
          try {
            device.chunksSeen.push(decodeOtaChunkV1(new Uint8Array(raw)).index);
          } catch {
            // a chunk corrupted in transit: the agent deals with it below
          }
          await agent.onChunk(payload);
        } else if (parsed.kind === 'ota-cancel') await agent.onCancel(payload);
      })
      .catch((err) => {
        console.error(`ota device ${res.deviceId}:`, err);
      });
  });
  await device.publishStatus();
  return device;
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
