import {
  decodeDeviceConfigV1,
  DeviceConfigV1,
  deviceDownlinkFilter,
  deviceDownlinkTopic,
  deviceUplinkTopic,
  encodeEnergySnapshotV1,
  encodeInferenceEventV1,
  encodeStatusV1,
  EnergySnapshotV1,
  InferenceEventV1,
  StatusV1,
  UplinkKind,
} from '@tinyfleet/wire';
import { IClientOptions, MqttClient } from 'mqtt';
import { connectRetryingRefusals } from './connect';

export interface DeviceCredential {
  deviceId: string;
  secret: string;
}

/**
 * A provisioned device's MQTT session: persistent (clean: false), so QoS 1 messages in flight when
 * the link drops are sent again on reconnect and the platform stores each once.
 */
export class DeviceConnection {
  private constructor(
    readonly deviceId: string,
    readonly client: MqttClient,
  ) {}

  static async open(
    mqttUrl: string,
    cred: DeviceCredential,
    options: Partial<IClientOptions> = {},
  ): Promise<DeviceConnection> {
    const client = await connectRetryingRefusals(mqttUrl, {
      clientId: cred.deviceId,
      username: cred.deviceId,
      password: cred.secret,
      clean: false,
      reconnectPeriod: 1000,
      connectTimeout: 15_000,
      ...options,
    });
    try {
      await client.subscribeAsync(deviceDownlinkFilter(cred.deviceId), { qos: 1 });
    } catch (err) {
      // A session without its downlink is no session: do not leave it connected (and reconnecting).
      await client.endAsync(true).catch(() => undefined);
      throw err;
    }
    return new DeviceConnection(cred.deviceId, client);
  }

  publishEvent(event: InferenceEventV1): Promise<unknown> {
    return this.publishEncoded('event', encodeInferenceEventV1(event));
  }

  publishStatus(status: StatusV1): Promise<unknown> {
    return this.publishEncoded('status', encodeStatusV1(status));
  }

  publishEnergy(snapshot: EnergySnapshotV1): Promise<unknown> {
    return this.publishEncoded('energy', encodeEnergySnapshotV1(snapshot));
  }

  /** An already encoded uplink payload (the simulator encodes first: it needs the size for the ledger). */
  publishEncoded(kind: UplinkKind, payload: Uint8Array): Promise<unknown> {
    return this.publish(deviceUplinkTopic(this.deviceId, kind), payload);
  }

  onConfig(listener: (config: DeviceConfigV1) => void): void {
    const topic = deviceDownlinkTopic(this.deviceId, 'config');
    this.client.on('message', (t, payload) => {
      if (t === topic) listener(decodeDeviceConfigV1(payload));
    });
  }

  close(force = false): Promise<void> {
    return this.client.endAsync(force);
  }

  private publish(topic: string, payload: Uint8Array): Promise<unknown> {
    return this.client.publishAsync(topic, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), {
      qos: 1,
    });
  }
}
