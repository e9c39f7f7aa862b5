import { encodeOpSetBytes } from '@tinyfleet/tinyml';
import { FAR_FUTURE_OP_CODE, opSetWithUnknownCodes } from '../../../../libs/tinyml/src/testing/op-set-fixtures';
import { modelTagOf, WireError, type StatusV1 } from '@tinyfleet/wire';
import { PlatformEvents } from '../common/platform-events';
import { IllegalTransitionError } from '../common/state-machine';
import type { AppConfig } from '../config/app-config';
import type { EventsRepository } from '../ingest/events.repository';
import type { Device } from './device.entity';
import { DeviceLifecycle, deviceLifecycleMachine } from './device-lifecycle';
import type { DevicesRepository, StatusRecord } from './devices.repository';
import { DevicesService } from './devices.service';

/**
 * The devices table as a map: the repository port DevicesService uses, with the same guarded
 * lifecycle move (the real table, applied only where the row is still in the state seen).
 */
class InMemoryDevices {
  readonly rows = new Map<string, Device>();
  readonly statuses: Array<{ id: string; record: StatusRecord }> = [];

  add(id: string, lifecycle: DeviceLifecycle): void {
    this.rows.set(id, {
      id,
      hardwareId: `hw-${id}`,
      lifecycle,
      connectivity: 'OFFLINE',
      tags: [],
      eventsCount: '0',
      rejectedCount: '0',
      lastEventSeq: null,
      lastEventAt: null,
      lastSeenAt: null,
      lastStatus: null,
      lastStatusAt: null,
      opSet: null,
      capabilitiesDeviceMs: null,
      capabilitiesAt: null,
      createdAt: new Date(0),
    } as unknown as Device);
  }

  async findById(id: string) {
    const d = this.rows.get(id);
    return d ? { ...d } : null;
  }

  readonly connectivityBatches: number[] = [];

  /** The repository's batch: in order, a connect activates a PROVISIONED device. */
  async recordConnectivity(changes: Array<{ id: string; state: 'ONLINE' | 'OFFLINE' }>) {
    this.connectivityBatches.push(changes.length);
    for (const { id, state } of changes) {
      const d = this.rows.get(id);
      if (!d) continue;
      d.connectivity = state;
      if (state === 'ONLINE' && d.lifecycle === 'PROVISIONED') d.lifecycle = 'ACTIVE';
    }
  }

  async transitionLifecycle(id: string, from: DeviceLifecycle, to: DeviceLifecycle) {
    await deviceLifecycleMachine.transition(`device ${id}`, from, to, async () => {
      const d = this.rows.get(id);
      if (!d || d.lifecycle !== from) return 0;
      d.lifecycle = to;
      return 1;
    });
  }

  async recordStatus(id: string, record: StatusRecord) {
    this.statuses.push({ id, record });
  }

  async recordCapabilities(id: string, r: { opSet: Uint8Array; deviceTimeMs: number }) {
    const d = this.rows.get(id);
    const ms = Number(d?.capabilitiesDeviceMs ?? -1);
    if (!d || ms > r.deviceTimeMs) return false;
    Object.assign(d, {
      opSet: Buffer.from(r.opSet),
      capabilitiesDeviceMs: String(r.deviceTimeMs),
      capabilitiesAt: new Date(r.deviceTimeMs),
    });
    return true;
  }
}

describe('DevicesService against its repository port', () => {
  let devices: InMemoryDevices;
  let events: PlatformEvents;
  let service: DevicesService;
  const emitted: string[] = [];

  beforeEach(() => {
    devices = new InMemoryDevices();
    events = new PlatformEvents();
    emitted.length = 0;
    events.on('device-lifecycle', (id, lifecycle) => emitted.push(`${id} ${lifecycle}`));
    events.on('credentials-changed', () => emitted.push('credentials-changed'));
    service = new DevicesService(
      devices as unknown as DevicesRepository,
      {} as EventsRepository, // not reached by these cases
      events,
      { mqtt: { mode: 'embedded' } } as AppConfig,
    );
  });

  it('on a broker that reports no sessions, activates a device at its first status only', async () => {
    const onCluster = new DevicesService(devices as unknown as DevicesRepository, {} as EventsRepository, events, {
      mqtt: { mode: 'nats' },
    } as AppConfig);
    onCluster.onModuleInit();
    devices.add('d1', 'PROVISIONED');
    devices.add('d2', 'SUSPENDED');
    events.emit('device-status', 'd1');
    events.emit('device-status', 'd2');
    await new Promise((r) => setImmediate(r));
    expect(devices.rows.get('d1')!.lifecycle).toBe('ACTIVE');
    expect(devices.rows.get('d2')!.lifecycle).toBe('SUSPENDED');
    // Suspended afterwards: a later status does not activate it again (the first one was seen).
    await onCluster.act('d1', 'suspend');
    events.emit('device-status', 'd1');
    await new Promise((r) => setImmediate(r));
    expect(devices.rows.get('d1')!.lifecycle).toBe('SUSPENDED');
  });

  it('records connects that arrive together in one batch, and settles each once it is written', async () => {
    devices.add('d1', 'PROVISIONED');
    devices.add('d2', 'SUSPENDED');
    await Promise.all([
      service.markConnectivity('d1', 'ONLINE'),
      service.markConnectivity('d1', 'ONLINE'),
      service.markConnectivity('d2', 'ONLINE'),
    ]);
    expect(devices.connectivityBatches).toEqual([3]);
    expect(devices.rows.get('d1')).toMatchObject({ lifecycle: 'ACTIVE', connectivity: 'ONLINE' });
    expect(devices.rows.get('d2')).toMatchObject({ lifecycle: 'SUSPENDED', connectivity: 'ONLINE' });
  });

  it('suspends, resumes and decommissions through the table, telling the broker each time', async () => {
    devices.add('d1', 'ACTIVE');
    expect((await service.act('d1', 'suspend')).allowedActions).toEqual(['resume', 'decommission']);
    expect((await service.act('d1', 'resume')).lifecycle).toBe('ACTIVE');
    expect((await service.act('d1', 'decommission')).allowedActions).toEqual([]);
    expect(emitted).toEqual([
      'credentials-changed',
      'd1 SUSPENDED',
      'credentials-changed',
      'd1 ACTIVE',
      'credentials-changed',
      'd1 DECOMMISSIONED',
    ]);
  });

  it('refuses an action its lifecycle does not allow, naming the rule, and changes nothing', async () => {
    devices.add('d1', 'PROVISIONED');
    await expect(service.act('d1', 'suspend')).rejects.toThrow(
      new IllegalTransitionError('device d1 is PROVISIONED: suspend applies to ACTIVE devices'),
    );
    await expect(service.act('nobody', 'suspend')).rejects.toThrow('device nobody not found');
    expect(devices.rows.get('d1')!.lifecycle).toBe('PROVISIONED');
    expect(emitted).toEqual([]);
  });

  it('stores the active and the inactive slot of a heartbeat as the columns it records', async () => {
    const sha = (b: number) => new Uint8Array(32).fill(b);
    const status = {
      firmwareVersion: '1.2.0',
      interpreterVersion: '0.1.0',
      timestampMs: 1_790_000_000_000,
      activeSlot: 1,
      slots: [
        { modelId: 'soil', modelVersion: '1.0.0', sha256: sha(0xaa), sizeBytes: 100 },
        { modelId: 'soil', modelVersion: '2.0.0', sha256: sha(0xbb), sizeBytes: 120 },
      ],
    } as unknown as StatusV1;
    await service.recordStatus('d1', status);
    const [{ record }] = devices.statuses;
    expect(record.active).toEqual({
      modelId: 'soil',
      modelVersion: '2.0.0',
      sha256: 'bb'.repeat(32),
      tag: modelTagOf(sha(0xbb)),
      sizeBytes: 120,
    });
    expect(record.inactive).toMatchObject({ modelVersion: '1.0.0', sha256: 'aa'.repeat(32) });
    expect(record.deviceTimeMs).toBe(1_790_000_000_000);
    expect((record.status.slots as unknown[])[0]).toMatchObject({ sha256: 'aa'.repeat(32) });
  });

  it("stores a device's op set and shows it decoded, with codes newer than the platform by number", async () => {
    devices.add('d1', 'ACTIVE');
    expect((await service.get('d1')).capabilities).toBeNull();
    // SOFTMAX int8-only, RESHAPE any type, and an op code only a newer firmware knows.
    const opSet = opSetWithUnknownCodes([{ op: 'SOFTMAX', types: ['int8'] }, { op: 'RESHAPE' }], [FAR_FUTURE_OP_CODE]);
    await service.recordCapabilities('d1', { timestampMs: 7_000, interpreterVersion: '0.3.0', opSet });
    const caps = (await service.get('d1')).capabilities!;
    expect(caps.ops).toEqual([
      { op: 'RESHAPE', types: null },
      { op: 'SOFTMAX', types: ['int8'] },
    ]);
    expect(caps.unknownOpCodes).toEqual([FAR_FUTURE_OP_CODE]);
    expect(caps.opSetId).toMatch(/^ops-[0-9a-f]{12}$/);
    expect(caps.reportedAt).toBe(new Date(7_000).toISOString());
  });

  it('refuses a malformed op set as a schema error and stores nothing', async () => {
    devices.add('d1', 'ACTIVE');
    const good = encodeOpSetBytes([{ op: 'ADD' }]);
    await service.recordCapabilities('d1', { timestampMs: 1_000, interpreterVersion: '0.3.0', opSet: good });
    // A type mask for an op whose bit is not set.
    const bad = Uint8Array.from([1, 1, 0x01, 0x02, 1, 0]);
    const err = await service
      .recordCapabilities('d1', { timestampMs: 2_000, interpreterVersion: '0.3.0', opSet: bad })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WireError);
    expect(err).toMatchObject({ reason: 'schema' });
    expect((await service.get('d1')).capabilities!.ops).toEqual([{ op: 'ADD', types: null }]);
  });
});
