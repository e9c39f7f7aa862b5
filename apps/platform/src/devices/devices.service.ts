import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, ILike, LessThan, Repository } from 'typeorm';
import { DeviceEvent } from '../ingest/device-event.entity';
import { Device } from './device.entity';
import {
  DeviceDetailDto,
  DeviceDto,
  DeviceEventDto,
  DevicePageDto,
  ListDevicesQueryDto,
  ListEventsQueryDto,
} from './dto/device.dto';

@Injectable()
export class DevicesService {
  constructor(
    @InjectRepository(Device) private readonly devices: Repository<Device>,
    @InjectRepository(DeviceEvent) private readonly events: Repository<DeviceEvent>,
  ) {}

  async list(query: ListDevicesQueryDto): Promise<DevicePageDto> {
    const base: FindOptionsWhere<Device> = {};
    if (query.stream) base.sensorStream = query.stream;
    if (query.mcuProfile) base.mcuProfile = query.mcuProfile;
    if (query.lifecycle) base.lifecycle = query.lifecycle;
    if (query.connectivity) base.connectivity = query.connectivity;
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : undefined;
    const where = pattern
      ? [
          { ...base, id: ILike(pattern) },
          { ...base, hardwareId: ILike(pattern) },
        ]
      : base;
    const limit = query.limit ?? 100;
    const offset = query.offset ?? 0;
    const [rows, total] = await this.devices.findAndCount({
      where,
      order: { [query.sort ?? 'id']: query.order ?? 'asc', id: 'asc' },
      take: limit,
      skip: offset,
    });
    return { items: rows.map(toDeviceDto), total, limit, offset };
  }

  async get(id: string): Promise<DeviceDetailDto> {
    const d = await this.devices.findOneBy({ id });
    if (!d) throw new NotFoundException(`device ${id} not found`);
    return { ...toDeviceDto(d), lastStatus: d.lastStatus, lastStatusAt: d.lastStatusAt?.toISOString() ?? null };
  }

  /**
   * Operator action: release the hardware id from the claims it is bound to, so the next claim it
   * registers through adopts it (and that claim's re-registration policy applies).
   */
  async releaseProvisioning(id: string): Promise<DeviceDetailDto> {
    const res = await this.devices.update({ id }, { provisioningScope: null });
    if (!res.affected) throw new NotFoundException(`device ${id} not found`);
    return this.get(id);
  }

  /** Records a broker connect/disconnect; the first connect turns a PROVISIONED device ACTIVE. */
  async markConnectivity(id: string, state: 'ONLINE' | 'OFFLINE'): Promise<void> {
    await this.devices.query(
      `UPDATE devices SET connectivity = $2, last_seen_at = now(), updated_at = now(),
         lifecycle = CASE WHEN lifecycle = 'PROVISIONED' AND $2 = 'ONLINE' THEN 'ACTIVE' ELSE lifecycle END
       WHERE id = $1`,
      [id, state],
    );
  }

  async markAllOffline(): Promise<void> {
    await this.devices.query(
      `UPDATE devices SET connectivity = 'OFFLINE', updated_at = now() WHERE connectivity = 'ONLINE'`,
    );
  }

  async listEvents(id: string, query: ListEventsQueryDto): Promise<DeviceEventDto[]> {
    if (!(await this.devices.existsBy({ id }))) throw new NotFoundException(`device ${id} not found`);
    const rows = await this.events.find({
      where:
        query.beforeSeq !== undefined ? { deviceId: id, seq: LessThan(String(query.beforeSeq)) } : { deviceId: id },
      order: { seq: 'DESC' },
      take: query.limit ?? 100,
    });
    return rows.map((e) => ({
      seq: Number(e.seq),
      deviceTime: e.deviceTime.toISOString(),
      receivedAt: e.receivedAt.toISOString(),
      modelTag: Number(e.modelTag),
      modelId: e.modelId,
      modelVersion: e.modelVersion,
      label: e.label,
      scoreQ: e.scoreQ,
      latencyUs: Number(e.latencyUs),
      energyUj: Number(e.energyUj),
    }));
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
    connectivity: d.connectivity,
    eventsCount: Number(d.eventsCount),
    lastEventSeq: d.lastEventSeq === null ? null : Number(d.lastEventSeq),
    lastEventAt: d.lastEventAt?.toISOString() ?? null,
    rejectedCount: Number(d.rejectedCount),
    lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}
