import { Inject, Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { decodeOpSetBytes, opSetId, OpSetFormatError } from '@tinyfleet/tinyml';
import { modelTagOf, WireError, type DeviceCapabilitiesV1, type StatusV1 } from '@tinyfleet/wire';
import { GroupCommitQueue } from '../common/group-commit-queue';
import { PlatformEvents } from '../common/platform-events';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IllegalTransitionError, StaleTransitionError } from '../common/state-machine';
import { EventsRepository } from '../ingest/events.repository';
import { Device } from './device.entity';
import { allowedDeviceActions, DEVICE_OPERATOR_ACTIONS, DeviceOperatorAction } from './device-lifecycle';
import { ConnectivityChange, DevicesRepository, ModelSlot } from './devices.repository';
import {
  DeviceCapabilitiesDto,
  DeviceDetailDto,
  DeviceDto,
  DeviceEventDto,
  DevicePageDto,
  ListDevicesQueryDto,
  ListEventsQueryDto,
} from './dto/device.dto';

/** Devices whose first status this process has seen, at most (a bound on the set below; past it, it starts over). */
const SEEN_SINCE_BOOT_MAX = 100_000;
/** Connects and disconnects per statement at most (a few kB of parameters). */
const CONNECTIVITY_BATCH_MAX = 500;

@Injectable()
export class DevicesService implements OnModuleInit {
  private readonly log = new Logger(DevicesService.name);
  /** Devices activated (or found active) since this process started: only a cache of the lifecycle in the database. */
  private readonly seenSinceBoot = new Set<string>();
  private readonly connectivity = new GroupCommitQueue<ConnectivityChange>(
    (changes) => this.devices.recordConnectivity(changes),
    CONNECTIVITY_BATCH_MAX,
  );

  constructor(
    private readonly devices: DevicesRepository,
    private readonly events: EventsRepository,
    private readonly platformEvents: PlatformEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * An external broker or a NATS cluster reports no sessions, so there a device's first stored
   * status is its first connect: a PROVISIONED device becomes ACTIVE (and can be suspended).
   */
  onModuleInit(): void {
    if (this.config.mqtt.mode === 'embedded') return;
    this.platformEvents.on('device-status', (id) => {
      if (this.seenSinceBoot.has(id)) return;
      if (this.seenSinceBoot.size >= SEEN_SINCE_BOOT_MAX) this.seenSinceBoot.clear();
      this.seenSinceBoot.add(id);
      this.devices.transitionLifecycle(id, 'PROVISIONED', 'ACTIVE').catch((err: unknown) => {
        if (!(err instanceof StaleTransitionError)) this.log.warn(`could not activate ${id}: ${String(err)}`);
      });
    });
  }

  async list(query: ListDevicesQueryDto): Promise<DevicePageDto> {
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.devices.page({
      stream: query.stream,
      mcuProfile: query.mcuProfile,
      lifecycle: query.lifecycle,
      connectivity: query.connectivity,
      q: query.q,
      sort: query.sort ?? 'id',
      order: query.order ?? 'asc',
      limit,
      offset,
    });
    return { items: rows.map(toDeviceDto), total, limit, offset };
  }

  async get(id: string): Promise<DeviceDetailDto> {
    const d = await this.devices.findById(id);
    if (!d) throw new NotFoundException(`device ${id} not found`);
    return {
      ...toDeviceDto(d),
      lastStatus: d.lastStatus,
      capabilities: toCapabilitiesDto(d),
    };
  }

  /**
   * Operator action: release the hardware id from the claims it is bound to, so the next claim it
   * registers through adopts it (and that claim's re-registration policy applies).
   */
  async releaseProvisioning(id: string): Promise<DeviceDetailDto> {
    if (!(await this.devices.releaseProvisioning(id))) throw new NotFoundException(`device ${id} not found`);
    return this.get(id);
  }

  /**
   * Operator actions on the lifecycle (suspend, resume, decommission). A device that may no longer
   * connect loses its credentials at the broker at once (its session is closed, the Mosquitto
   * export leaves it out); its events, reports and OTA history stay.
   */
  async act(id: string, action: DeviceOperatorAction): Promise<DeviceDetailDto> {
    const d = await this.devices.findById(id);
    if (!d) throw new NotFoundException(`device ${id} not found`);
    const move = DEVICE_OPERATOR_ACTIONS[action];
    if (!allowedDeviceActions(d.lifecycle).includes(action))
      throw new IllegalTransitionError(
        `device ${id} is ${d.lifecycle}: ${action} applies to ${move.from.join(' or ')} devices`,
      );
    await this.devices.transitionLifecycle(id, d.lifecycle, move.to);
    this.platformEvents.emit('credentials-changed');
    this.platformEvents.emit('device-lifecycle', id, move.to);
    this.log.log(`device ${id}: ${d.lifecycle} → ${move.to} (${action} by the operator)`);
    return this.get(id);
  }

  /**
   * Records a broker connect/disconnect; the first connect turns a PROVISIONED device ACTIVE. Connects
   * and disconnects arriving while a batch is written go into the next one: a registration storm
   * costs a statement per batch, not two per device.
   */
  markConnectivity(id: string, state: 'ONLINE' | 'OFFLINE'): Promise<void> {
    return this.connectivity.submit({ id, state });
  }

  /** Stores a status heartbeat, its model slots as columns. */
  async recordStatus(id: string, status: StatusV1): Promise<void> {
    const slot = (s: StatusV1['slots'][number]): ModelSlot | null =>
      s === null
        ? null
        : {
            modelId: s.modelId,
            modelVersion: s.modelVersion,
            sha256: hex(s.sha256),
            tag: modelTagOf(s.sha256),
            sizeBytes: s.sizeBytes,
          };
    const slots = status.slots.map(slot);
    await this.devices.recordStatus(id, {
      status: { ...status, slots },
      deviceTimeMs: status.timestampMs,
      firmwareVersion: status.firmwareVersion,
      interpreterVersion: status.interpreterVersion,
      active: slots[status.activeSlot] ?? null,
      inactive: slots[1 - status.activeSlot] ?? null,
    });
  }

  /**
   * Stores an up/capabilities report. The op set is decoded tolerantly (a newer firmware registers op codes
   * this platform cannot name; none can be needed by a model built here) but a malformed one is refused as a
   * schema error, so the router drops and counts it like any other bad uplink and nothing is stored.
   */
  async recordCapabilities(id: string, c: DeviceCapabilitiesV1): Promise<void> {
    try {
      decodeOpSetBytes(c.opSet, { tolerant: true });
    } catch (err) {
      if (err instanceof OpSetFormatError) throw new WireError('schema', `capabilities.opSet: ${err.message}`);
      throw err;
    }
    await this.devices.recordCapabilities(id, { opSet: c.opSet, deviceTimeMs: c.timestampMs });
  }

  /** Counts a refused message against its device; never fails (a lost increment only loses a statistic). */
  async countRejected(id: string): Promise<void> {
    await this.devices.countRejected(id).catch((err: unknown) => {
      this.log.warn(`could not count a rejected message for ${id}: ${String(err)}`);
    });
  }

  markAllOffline(): Promise<void> {
    return this.devices.markAllOffline();
  }

  async listEvents(id: string, query: ListEventsQueryDto): Promise<DeviceEventDto[]> {
    if (!(await this.devices.exists(id))) throw new NotFoundException(`device ${id} not found`);
    return this.events.page(id, query.limit ?? 100, query.beforeSeq);
  }
}

function toDeviceDto(d: Device): DeviceDto {
  return {
    id: d.id,
    hardwareId: d.hardwareId,
    claimId: d.claimId,
    provisioningScope: d.provisioningScope,
    mcuProfile: d.mcuProfile,
    radioProfile: d.radioProfile,
    sensorStream: d.sensorStream,
    firmwareVersion: d.firmwareVersion,
    interpreterVersion: d.interpreterVersion,
    tags: d.tags,
    lifecycle: d.lifecycle,
    allowedActions: allowedDeviceActions(d.lifecycle),
    connectivity: d.connectivity,
    eventsCount: Number(d.eventsCount),
    lastEventSeq: d.lastEventSeq === null ? null : Number(d.lastEventSeq),
    lastEventAt: d.lastEventAt?.toISOString() ?? null,
    rejectedCount: Number(d.rejectedCount),
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    lastStatusAt: d.lastStatusAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}

function toCapabilitiesDto(d: Device): DeviceCapabilitiesDto | null {
  if (d.opSet === null || d.capabilitiesAt === null) return null;
  const bytes = new Uint8Array(d.opSet);
  // Stored only after a tolerant decode succeeded, so this decodes; the platform may since know more codes.
  const decoded = decodeOpSetBytes(bytes, { tolerant: true });
  return {
    opSetId: opSetId(bytes),
    ops: decoded.entries.map((e) => ({ op: e.op, types: e.types ? [...e.types] : null })),
    unknownOpCodes: decoded.unknownOps,
    reportedAt: d.capabilitiesAt.toISOString(),
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
