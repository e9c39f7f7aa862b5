import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { connectAsync, MqttClient } from 'mqtt';
import {
  AckPolicy,
  connect,
  ConsumerMessages,
  DeliverPolicy,
  JetStreamManager,
  JsMsg,
  jwtAuthenticator,
  nanos,
  NatsConnection,
} from 'nats';
import { APP_CONFIG, AppConfig, NatsBrokerConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { BrokerPort } from '../broker.port';
import { UplinkRouter } from '../uplink-router.service';
import { PlatformCreds, readCredsFile } from './nats-credentials';
import { MQTT_MESSAGES_STREAM, parseStoredUplink, uplinkConsumerFilter } from './nats-subjects';

/** How long boot waits for the cluster to create its MQTT streams (it does when the first MQTT client connects). */
const STREAM_WAIT_MS = 60_000;

/**
 * The platform on a NATS JetStream cluster's MQTT listeners (docs/scale-out.md). A device's QoS 1
 * PUBLISH is PUBACKed by the node once the cluster has stored it in `$MQTT_msgs` (replicated);
 * every platform instance pulls from one durable consumer on that stream, filtered on device
 * uplinks, and acknowledges a message only after UplinkRouter has committed it. An instance that
 * dies before acknowledging leaves the message to be redelivered (after `ackWaitMs`) to any
 * instance; the stores' unique keys absorb the second copy. Downlinks go over an MQTT connection
 * to the cluster: nats-server 2.9 hands a NATS-protocol publish to MQTT subscribers at QoS 0 only.
 * The cluster checks device credentials and topics itself (user JWTs, see nats-credentials.ts).
 */
@Injectable()
export class NatsBrokerService extends BrokerPort implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly mode = 'nats' as const;
  private readonly log = new Logger('NatsBroker');
  private nats?: NatsConnection;
  private downlinks?: MqttClient;
  private messages?: ConsumerMessages;
  private consuming?: Promise<void>;
  private inFlight = 0;
  private slotFreed?: () => void;
  private acked = 0;
  private closing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: UplinkRouter,
    private readonly metrics: MetricsService,
  ) {
    super();
  }

  private get cfg(): NatsBrokerConfig {
    if (this.config.mqtt.mode !== 'nats') throw new Error('NatsBrokerService needs the nats broker mode');
    return this.config.mqtt;
  }

  url(): string {
    return this.cfg.mqttUrls[0]!;
  }

  async onApplicationBootstrap(): Promise<void> {
    const cfg = this.cfg;
    const creds = readCredsFile(cfg.credsFile);
    this.nats = await connect({
      servers: cfg.natsUrls,
      authenticator: jwtAuthenticator(creds.jwt, creds.seed),
      name: `tinyfleet-platform-${process.pid}`,
      maxReconnectAttempts: -1,
    });
    // The MQTT connection first: the cluster creates the account's MQTT streams for the first MQTT client.
    this.downlinks = await this.connectDownlinks(cfg, creds);
    const jsm = await this.nats.jetstreamManager();
    await this.waitForStream(jsm);
    await this.ensureConsumer(jsm, cfg);
    this.consuming = this.consumeUntilShutdown(cfg);
    this.log.log(`consuming ${MQTT_MESSAGES_STREAM} as ${cfg.consumer} from ${cfg.natsUrls.length} NATS servers`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.messages?.stop();
    await this.consuming?.catch(() => undefined);
    await this.downlinks?.endAsync().catch(() => undefined);
    await this.nats?.drain().catch(() => undefined);
  }

  async publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    const client = this.downlinks;
    if (!client) throw new Error('not connected to the NATS cluster');
    await client.publishAsync(topic, Buffer.from(payload), { qos });
  }

  private async connectDownlinks(cfg: NatsBrokerConfig, creds: PlatformCreds): Promise<MqttClient> {
    const servers = cfg.mqttUrls.map((u) => {
      const url = new URL(u);
      return {
        host: url.hostname,
        port: Number(url.port || 1883),
        protocol: url.protocol === 'mqtts:' ? 'mqtts' : 'mqtt',
      } as const;
    });
    const client = await connectAsync({
      servers,
      // Random and with `_` (never a device id): in 2.9.10 any user presenting this client id would
      // take the session over, so nobody may be able to guess it.
      clientId: `tf_platform_${randomBytes(12).toString('hex')}`,
      username: 'tinyfleet-platform',
      password: creds.jwt,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    client.on('error', (err) => this.log.warn(`downlink connection: ${err.message}`));
    return client;
  }

  private async waitForStream(jsm: JetStreamManager): Promise<void> {
    const deadline = Date.now() + STREAM_WAIT_MS;
    for (;;) {
      try {
        await jsm.streams.info(MQTT_MESSAGES_STREAM);
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`the cluster has no ${MQTT_MESSAGES_STREAM} stream: ${String(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Every instance asks for the same durable; the first creates it and the rest find it. */
  private async ensureConsumer(jsm: JetStreamManager, cfg: NatsBrokerConfig): Promise<void> {
    try {
      await jsm.consumers.info(MQTT_MESSAGES_STREAM, cfg.consumer);
      return;
    } catch {
      // not there yet
    }
    await jsm.consumers
      .add(MQTT_MESSAGES_STREAM, {
        durable_name: cfg.consumer,
        filter_subject: uplinkConsumerFilter(),
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(cfg.ackWaitMs),
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 20_000,
      })
      .catch(async (err: unknown) => {
        // Another instance created it in the meantime.
        await jsm.consumers.info(MQTT_MESSAGES_STREAM, cfg.consumer).catch(() => {
          throw err;
        });
      });
  }

  /**
   * Pulls until shutdown. A pull subscription ends when the consumer's leader moves or a node goes
   * (the client reports it and stops): pull again after a moment rather than stop consuming.
   */
  private async consumeUntilShutdown(cfg: NatsBrokerConfig): Promise<void> {
    while (!this.closing) {
      try {
        const consumer = await this.nats!.jetstream().consumers.get(MQTT_MESSAGES_STREAM, cfg.consumer);
        // Short pulls with heartbeats: a pull parked on a node that died is noticed within seconds.
        this.messages = await consumer.consume({ max_messages: cfg.maxInFlight, expires: 5000 });
        if (this.closing) this.messages.stop();
        await this.consume(this.messages, cfg);
      } catch (err) {
        this.log.warn(`pulling from ${MQTT_MESSAGES_STREAM} stopped: ${String(err)}; pulling again`);
      }
      if (!this.closing) await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Routes pulled messages concurrently (the stores batch their commits), at most `maxInFlight` at once. */
  private async consume(messages: ConsumerMessages, cfg: NatsBrokerConfig): Promise<void> {
    for await (const m of messages) {
      if (this.inFlight >= cfg.maxInFlight) await new Promise<void>((r) => (this.slotFreed = r));
      this.inFlight++;
      void this.handle(m, cfg).finally(() => {
        this.inFlight--;
        const freed = this.slotFreed;
        this.slotFreed = undefined;
        freed?.();
      });
    }
  }

  private async handle(m: JsMsg, cfg: NatsBrokerConfig): Promise<void> {
    const topic = parseStoredUplink(m.subject);
    if (!topic) {
      // The filter admits only v1 uplink subjects; one that is not a topic can never become one.
      this.metrics.reject('unknown-topic');
      m.term();
      return;
    }
    if (m.redelivered) this.metrics.uplinksRedelivered.inc();
    try {
      await this.router.route(topic, m.data);
    } catch (err) {
      // Not stored: ask for it again (to any instance) a little later.
      this.log.error(`could not store ${topic.kind} from ${topic.deviceId}: ${String(err)}; redelivering`);
      m.nak(1000);
      return;
    }
    if (cfg.holdAcksAfter !== undefined && this.acked >= cfg.holdAcksAfter) {
      // Fault injection (kill tests): stored, and the acknowledgement withheld on purpose.
      process.stdout.write(`tinyfleet fault: stored ${topic.deviceId} without ack\n`);
      return;
    }
    m.ack();
    this.acked++;
  }
}
