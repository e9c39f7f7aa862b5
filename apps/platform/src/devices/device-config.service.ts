import { Injectable, Logger, NotFoundException, OnModuleInit } from '@nestjs/common';
import { DeviceConfigV1, deviceDownlinkTopic, encodeDeviceConfigV1 } from '@tinyfleet/wire';
import { BrokerPort } from '../broker/broker.port';
import { BatchedLookup } from '../common/batched-lookup';
import { PlatformEvents } from '../common/platform-events';
import { DevicesRepository } from './devices.repository';
import { DeviceConfigDto, DeviceConfigStateDto } from './dto/device-config.dto';

/** What a device runs with until an operator says otherwise: heartbeat hourly, energy every 15 min. */
export const DEFAULT_DEVICE_CONFIG: DeviceConfigV1 = {
  statusIntervalS: 3600,
  energyIntervalS: 900,
  eventPolicy: 'on-change',
  scoreThresholdQ: 0,
};

/**
 * A device's runtime configuration. It is pushed on `down/config` whenever it changes and whenever
 * the device can hear it again (a resumed session or a new subscription to its downlink), so a
 * device never runs on stale settings for long. An external broker or NATS cluster does not report sessions: there
 * the device's first status since this process started stands in for its connect.
 */
@Injectable()
export class DeviceConfigService implements OnModuleInit {
  private readonly log = new Logger(DeviceConfigService.name);
  /** Devices configured since this process started (external broker: we learn of them by their status). */
  private readonly configuredSinceBoot = new Set<string>();
  /** Read at every device CONNECT (the push): the devices connecting at the same moment share a statement. */
  private readonly configs = new BatchedLookup((ids: string[]) => this.devices.findConfigs(ids), 256);

  constructor(
    private readonly devices: DevicesRepository,
    private readonly broker: BrokerPort,
    private readonly events: PlatformEvents,
  ) {}

  onModuleInit(): void {
    this.events.on('downlink-ready', (deviceId) => void this.push(deviceId));
    this.events.on('device-status', (deviceId) => {
      if (this.broker.mode === 'embedded' || this.configuredSinceBoot.has(deviceId)) return;
      void this.push(deviceId);
    });
  }

  async get(deviceId: string): Promise<DeviceConfigStateDto> {
    const config = await this.configs.get(deviceId);
    if (config === undefined) throw new NotFoundException(`device ${deviceId} not found`);
    return config
      ? { ...(config as unknown as DeviceConfigV1), custom: true }
      : { ...DEFAULT_DEVICE_CONFIG, custom: false };
  }

  async set(deviceId: string, dto: DeviceConfigDto): Promise<DeviceConfigStateDto> {
    const config: DeviceConfigV1 = {
      statusIntervalS: dto.statusIntervalS,
      energyIntervalS: dto.energyIntervalS,
      eventPolicy: dto.eventPolicy,
      scoreThresholdQ: dto.scoreThresholdQ,
    };
    if (!(await this.devices.setConfig(deviceId, { ...config })))
      throw new NotFoundException(`device ${deviceId} not found`);
    await this.push(deviceId);
    return { ...config, custom: true };
  }

  /** Sends the device its current configuration (QoS 1; delivered when it is next online if it has a session). */
  async push(deviceId: string): Promise<void> {
    this.configuredSinceBoot.add(deviceId);
    const { custom: _custom, ...config } = await this.get(deviceId).catch(() => ({
      ...DEFAULT_DEVICE_CONFIG,
      custom: false,
    }));
    await this.broker
      .publish(deviceDownlinkTopic(deviceId, 'config'), encodeDeviceConfigV1(config), 1)
      .catch((err: unknown) => {
        this.log.warn(`could not send config to ${deviceId}: ${String(err)}`);
      });
  }
}
