import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { deviceDownlinkFilter, mayPublish, maySubscribe, type Principal } from '@tinyfleet/wire';
import type { Aedes, AuthenticateError, Client, ConnackPacket } from 'aedes';
import { AddressInfo, createServer, Server } from 'node:net';
import { PlatformEvents } from '../common/platform-events';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONNECTABLE_LIFECYCLES } from '../devices/device-lifecycle';
import { DevicesService } from '../devices/devices.service';
import { MetricsService } from '../metrics/metrics.service';
import { BrokerPort } from './broker.port';
import { CredentialsService } from './credentials.service';
import { UplinkRouter } from './uplink-router.service';
import { embeddedDatabaseCapacityNote } from '../database/embedded-capacity';

const IDENTITY = Symbol('tinyfleet.identity');
type IdentifiedClient = Client & { [IDENTITY]?: Principal };

/**
 * CONNECTs authenticated at once. A check is a database read (and a hash on the libuv pool the first
 * time); a boot storm of thousands at once would queue them all until every client's CONNACK timed
 * out. Over the bound the broker answers at once with CONNACK 3 "server unavailable" (MQTT 3.1.1
 * §3.2.2.3), and the device retries with its own backoff. Per process, like the connections.
 */
export const MAX_AUTHENTICATIONS_IN_FLIGHT = 64;

/** MQTT 3.1.1 CONNACK return codes used for refusals. */
const RETURN_CODE = { 'bad-credentials': 4, 'not-authorized': 5 } as const;

/**
 * The platform's own MQTT listener (aedes, MQTT 3.1 and 3.1.1). With the embedded broker it is the
 * whole broker; next to an external broker it admits claim sessions only (provisioning). Every hook
 * denies by default through libs/wire's ACL: a device publishes only to its own uplink topics and
 * subscribes only to its own downlink topics, a claim session only to its own provisioning topics,
 * and no credential may use a client id it does not own. A QoS 1 publish is acknowledged only after
 * `UplinkRouter` has stored it (aedes sends PUBACK after authorizePublish calls back).
 */
@Injectable()
export class EmbeddedBrokerService extends BrokerPort implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly mode = 'embedded' as const;
  private readonly log = new Logger('EmbeddedBroker');
  private broker?: Aedes;
  private server?: Server;
  /** The live session per device; a late disconnect of a replaced session must not mark the device offline. */
  private readonly sessions = new Map<string, Client>();
  private closing = false;
  /** CONNECT credential checks running now (bounded by MAX_AUTHENTICATIONS_IN_FLIGHT). */
  private authenticating = 0;
  private capacityWarnedAtMs = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: CredentialsService,
    private readonly router: UplinkRouter,
    private readonly devices: DevicesService,
    private readonly metrics: MetricsService,
    private readonly events: PlatformEvents,
  ) {
    super();
  }

  /** Whether devices connect here, or only claim sessions (an external broker carries the devices). */
  private get admits(): 'devices-and-claims' | 'claims' {
    return this.config.mqtt.mode === 'embedded' ? 'devices-and-claims' : 'claims';
  }

  url(): string {
    const addr = this.server?.address() as AddressInfo | null;
    const host = this.config.mqtt.listener.host === '0.0.0.0' ? '127.0.0.1' : this.config.mqtt.listener.host;
    return `mqtt://${host}:${addr?.port ?? '?'}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    // Sessions do not survive the broker: whatever the last run left ONLINE is not.
    if (this.admits === 'devices-and-claims') await this.devices.markAllOffline();
    // aedes 1.x is ESM-only; Node 20.19+ loads it through require(esm).
    const { Aedes } = await import('aedes');
    const broker = await Aedes.createBroker({
      maxClientsIdLength: 64,
      authenticate: (client, username, password, done) => {
        if (this.authenticating >= MAX_AUTHENTICATIONS_IN_FLIGHT) {
          this.metrics.reject('connect-overloaded');
          return done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, false);
        }
        this.authenticating++;
        const settled = () => this.authenticating--;
        this.credentials
          .authenticate(client.id, username, password, this.admits)
          .finally(settled)
          .then(
            (result) => {
              if (typeof result === 'string') {
                this.metrics.reject('auth-failed');
                const err = Object.assign(new Error(result), { returnCode: RETURN_CODE[result] }) as AuthenticateError;
                return done(err, false);
              }
              if (result.kind === 'device' && this.overEmbeddedCapacity(result.deviceId)) {
                this.metrics.reject('connect-overloaded');
                return done(
                  Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError,
                  false,
                );
              }
              (client as IdentifiedClient)[IDENTITY] = result;
              done(null, true);
            },
            (err: unknown) => {
              this.log.error(`authentication failed with an error: ${String(err)}`);
              done(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, false);
            },
          );
      },
      authorizePublish: (client, packet, done) => {
        const identity = client ? (client as IdentifiedClient)[IDENTITY] : undefined;
        const topic = identity ? mayPublish(identity, packet.topic) : null;
        if (!identity || !topic) {
          this.metrics.reject('acl-publish');
          this.log.warn(`refused publish by ${client?.id ?? '(none)'} to ${packet.topic}`);
          return done(new Error('publish not authorized')); // aedes closes the connection, no PUBACK
        }
        this.router.route(topic, packet.payload as Buffer).then(
          (reply) => {
            done(null);
            if (reply) void this.publish(reply.topic, reply.payload, 1);
          },
          (err: unknown) => {
            this.log.error(`could not store ${packet.topic}: ${String(err)}`);
            done(err instanceof Error ? err : new Error(String(err))); // no PUBACK: the device re-sends
          },
        );
      },
      authorizeSubscribe: (client, sub, done) => {
        const identity = (client as IdentifiedClient)[IDENTITY];
        if (!identity || !maySubscribe(identity, sub.topic)) {
          this.metrics.reject('acl-subscribe');
          this.log.warn(`refused subscription by ${client.id} to ${sub.topic}`);
          return done(null, null); // SUBACK 0x80 for this filter
        }
        done(null, sub);
      },
    });
    broker.on('client', (client: Client) => this.onConnectivity(client, 'ONLINE'));
    broker.on('clientDisconnect', (client: Client) => this.onConnectivity(client, 'OFFLINE'));
    // A resumed session already holds the device's subscriptions: what it must hear now can go at once.
    broker.on('connackSent', (connack: ConnackPacket, client: Client) => {
      const identity = (client as IdentifiedClient)[IDENTITY];
      if (identity?.kind === 'device' && connack.sessionPresent) this.events.emit('downlink-ready', identity.deviceId);
    });
    // A new session is ready for downlinks once it has subscribed to them.
    broker.on('subscribe', (subscriptions: Array<{ topic: string }>, client: Client) => {
      const identity = (client as IdentifiedClient | null)?.[IDENTITY];
      if (identity?.kind === 'device' && subscriptions.some((s) => s.topic === deviceDownlinkFilter(identity.deviceId)))
        this.events.emit('downlink-ready', identity.deviceId);
    });
    this.broker = broker;
    // A device that may no longer connect loses its live session too, not only its next CONNECT.
    this.events.on('device-lifecycle', (deviceId, lifecycle) => {
      if (!CONNECTABLE_LIFECYCLES.includes(lifecycle)) this.sessions.get(deviceId)?.close();
    });

    const { host, port } = this.config.mqtt.listener;
    this.server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new Error(
                `MQTT port ${host}:${port} is already in use (another broker?); set MQTT_PORT to a free port, or MQTT_URL to use that broker`,
              )
            : err,
        ),
      );
      this.server!.listen(port, host, () => resolve());
    });
    this.log.log(
      this.admits === 'claims'
        ? `provisioning endpoint listening on ${this.url()}`
        : `embedded MQTT broker listening on ${this.url()}`,
    );
  }

  /** Before the database closes (onApplicationShutdown), so the sessions' end can still be recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.closing = true;
    // The broker first: it disconnects every client, without which server.close() would wait for
    // devices that keep their connections open.
    const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    await serverClosed;
    if (this.sessions.size > 0) await this.devices.markAllOffline();
    this.sessions.clear();
  }

  publish(topic: string, payload: Uint8Array, qos: 0 | 1): Promise<void> {
    const broker = this.broker;
    if (!broker) return Promise.reject(new Error('embedded broker not started'));
    return new Promise((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  /** On the embedded database, a device beyond its capacity is refused (and the log says why, once a minute). */
  private overEmbeddedCapacity(deviceId: string): boolean {
    const database = this.config.database;
    if (database.mode !== 'embedded' || this.sessions.has(deviceId)) return false;
    if (this.sessions.size < database.maxOnlineDevices) return false;
    if (Date.now() - this.capacityWarnedAtMs > 60_000) {
      this.capacityWarnedAtMs = Date.now();
      this.log.warn(
        `refusing device CONNECTs: ${this.sessions.size} online; the embedded database ${embeddedDatabaseCapacityNote(database.maxOnlineDevices)}`,
      );
    }
    return true;
  }

  private onConnectivity(client: Client, state: 'ONLINE' | 'OFFLINE'): void {
    const identity = (client as IdentifiedClient)[IDENTITY];
    if (identity?.kind !== 'device' || this.closing) return;
    if (state === 'ONLINE') {
      this.sessions.set(identity.deviceId, client);
    } else {
      if (this.sessions.get(identity.deviceId) !== client) return;
      this.sessions.delete(identity.deviceId);
    }
    this.metrics.connectedDevices.set(this.sessions.size);
    this.devices
      .markConnectivity(identity.deviceId, state)
      .then(() => this.events.emit('device-connectivity', identity.deviceId, state))
      .catch((err: unknown) => {
        this.log.warn(`could not record ${identity.deviceId} ${state}: ${String(err)}`);
      });
  }
}
