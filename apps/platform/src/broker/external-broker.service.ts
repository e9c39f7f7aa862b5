import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { allDeviceUplinksFilter, parseTopic } from '@tinyfleet/wire';
import { connectAsync, IPublishPacket, MqttClient } from 'mqtt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { BrokerPort } from './broker.port';
import { MosquittoAuthExporter } from './mosquitto-auth-exporter.service';
import { pipelinedAcks } from './pipelined-acks';
import { UplinkRouter } from './uplink-router.service';

/**
 * The platform as a client of an external broker (e.g. Mosquitto) that carries the devices'
 * sessions. The broker must enforce device credentials, client-id ownership and topic ACLs (see
 * MosquittoAuthExporter and docs/external-broker.md); the platform then trusts the device id in the
 * topic. Registration does not pass through it (see ProvisioningEndpoint). Several consumer sessions share one subscription
 * (`$share/<MQTT_SHARE_GROUP>/…`: one group per platform deployment, every instance in it), each with a persistent session (clean: false).
 * Each session stores up to MQTT_CONSUMER_WINDOW messages at once and sends each PUBACK after that
 * row is committed, in order (pipelinedAcks), so a message the platform did not store stays with the
 * broker and is delivered again. Downlinks go out on a connection of their own: MQTT.js reads nothing
 * more on a client while its window is full, so a handler awaiting the PUBACK of a publish on that
 * same client (a chunk request answered with chunks) could wait forever, and with it every uplink the
 * broker routes to that session.
 */
@Injectable()
export class ExternalBrokerService extends BrokerPort implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly mode = 'external' as const;
  private readonly log = new Logger('ExternalBroker');
  private clients: MqttClient[] = [];
  private downlinks?: MqttClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
    @Optional() private readonly authExporter?: MosquittoAuthExporter,
  ) {
    super();
  }

  url(): string {
    if (this.config.mqtt.mode !== 'external') return '';
    const u = new URL(this.config.mqtt.deviceUrl); // without credentials: this is shown to operators and devices
    return `${u.protocol === 'tcp:' ? 'mqtt:' : u.protocol}//${u.host}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.config.mqtt;
    if (cfg.mode !== 'external') return;
    await this.authExporter?.start();
    const shareGroup = `$share/${cfg.shareGroup}/`;
    const connect = (clientId: string): Promise<MqttClient> =>
      connectAsync(cfg.url, {
        clientId,
        username: cfg.username,
        password: cfg.password,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      });
    this.downlinks = await connect(`${cfg.clientId}-downlink`);
    this.downlinks.on('error', (err) => this.log.warn(`downlink connection: ${err.message}`));
    for (let i = 0; i < cfg.consumers; i++) {
      const client = await connect(`${cfg.clientId}-${i}`);
      pipelinedAcks(client, {
        window: cfg.consumerWindow,
        store: (packet) => this.store(packet),
        // Not stored: no PUBACK, and the connection is dropped so the broker delivers it again.
        onStoreFailed: (packet, err) =>
          this.log.error(`could not store ${packet.topic}: ${String(err)}; reconnecting for redelivery`),
      });
      client.on('error', (err) => this.log.warn(`consumer ${i}: ${err.message}`));
      // Devices only: claims provision at the platform's own endpoint (see ProvisioningEndpoint).
      await client.subscribeAsync(shareGroup + allDeviceUplinksFilter(), { qos: 1 });
      this.clients.push(client);
    }
    this.log.log(
      `consuming from external broker ${this.url()} with ${cfg.consumers} shared sessions, up to ${cfg.consumerWindow} messages in flight each`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
    this.clients = [];
    await this.downlinks?.endAsync().catch(() => undefined);
    this.downlinks = undefined;
  }

  async publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    const client = this.downlinks;
    if (!client) throw new Error('not connected to the external broker');
    await client.publishAsync(topic, Buffer.from(payload), { qos });
  }

  /** Resolves when the uplink is stored, or is one that can never be (counted and acknowledged). */
  private async store(packet: IPublishPacket): Promise<void> {
    const topic = parseTopic(packet.topic);
    if (!topic || topic.scope !== 'device' || topic.direction !== 'up') {
      this.metrics.reject('unknown-topic');
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    await this.router.route(topic, payload);
  }
}
