import { encodeInferenceEventV1, deviceUplinkTopic } from '@tinyfleet/wire';
import { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, MqttClient } from 'mqtt';
import { provisionByClaim } from '../../device-sim/src/mqtt/provision-by-claim';
import { event, provisionRequest } from './devices';
import { freePort } from './free-port';
import type { NatsCluster } from './nats-cluster';
import { spawnPlatform, waitForExit } from './platform-process';
import { WAIT_TIMEOUT_MS } from './wait';

/** One platform instance (`tinyfleet start` as a child process) on the NATS cluster. */
export interface PlatformInstance {
  name: string;
  child: ChildProcess;
  httpUrl: string;
  provisioningUrl: string;
  /** The id it writes as `lease_owner` and as the actor of its job transitions (from /health). */
  instanceId: string;
  /** Resolves when the instance prints `text` (after its banner). */
  printed(text: string): Promise<void>;
  kill(): Promise<void>;
}

/** Starts an instance against `databaseUrl` and the cluster; resolved once it prints its banner. */
export async function startInstance(
  name: string,
  cluster: NatsCluster,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<PlatformInstance> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const child = await spawnPlatform({
    ...cluster.platformEnv,
    PORT: String(httpPort),
    MQTT_PORT: String(mqttPort),
    DATABASE_URL: databaseUrl,
    TINYFLEET_DATA_DIR: mkdtempSync(join(tmpdir(), `tinyfleet-${name}-`)),
    ...env,
  });
  let output = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-100_000);
    for (const w of waiters.filter((x) => output.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const health = (await (await fetch(`${httpUrl}/health`)).json()) as { instanceId: string };
  return {
    name,
    child,
    httpUrl,
    instanceId: health.instanceId,
    provisioningUrl: `mqtt://127.0.0.1:${mqttPort}`,
    printed: (text) =>
      output.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
    kill: async () => {
      child.kill('SIGKILL');
      await waitForExit(child);
    },
  };
}

export interface FleetDevice {
  deviceId: string;
  /** Its NATS user JWT, issued at registration. */
  secret: string;
}

/** Registers `count` devices (hardware ids `<hardwarePrefix>-<i>`) by one new claim, spread over the instances' provisioning endpoints. */
export async function registerFleet(
  instances: PlatformInstance[],
  count: number,
  hardwarePrefix: string,
  concurrency = 8,
): Promise<FleetDevice[]> {
  const res = await fetch(`${instances[0]!.httpUrl}/api/claims`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'cluster fleet', maxUses: count, rateLimitPerMinute: 100_000 }),
  });
  if (res.status !== 201) throw new Error(`claim creation failed: ${res.status} ${await res.text()}`);
  const claim = (await res.json()) as { id: string; secret: string };
  const devices: FleetDevice[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const endpoint = instances[i % instances.length]!.provisioningUrl;
      const r = await provisionByClaim(
        endpoint,
        { claimId: claim.id, claimSecret: claim.secret },
        provisionRequest(`${hardwarePrefix}-${i}`),
      );
      if (r.status === 'refused' || !r.deviceSecret) throw new Error(`registration ${i} failed: ${JSON.stringify(r)}`);
      devices.push({ deviceId: r.deviceId, secret: r.deviceSecret });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return devices;
}

/**
 * Every device on its own MQTT connection to one node of the cluster (failing over to the others),
 * publishing `eventsPerDevice` QoS 1 events in sequence; each (device, seq) is recorded once its
 * PUBACK arrives. A PUBACK lost with a dying node is simply waited for again: mqtt.js re-sends the
 * in-flight PUBLISH on its next connection.
 */
export class FleetPublisher {
  readonly acked = new Set<string>();
  readonly ackLatencyMs: number[] = [];
  private clients: MqttClient[] = [];
  private listeners: Array<{ atLeast: number; resolve: () => void }> = [];

  constructor(
    private readonly devices: FleetDevice[],
    private readonly mqttUrls: string[],
  ) {}

  async connect(): Promise<void> {
    this.clients = await Promise.all(
      this.devices.map((d, i) => {
        const order = this.mqttUrls.map((_, k) => new URL(this.mqttUrls[(i + k) % this.mqttUrls.length]!));
        return connectAsync({
          servers: order.map((u) => ({ host: u.hostname, port: Number(u.port) })),
          clientId: d.deviceId,
          username: d.deviceId,
          password: d.secret,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 250,
          connectTimeout: WAIT_TIMEOUT_MS,
        });
      }),
    );
  }

  /** Resolves when at least `n` events have been acknowledged. */
  whenAcked(n: number): Promise<void> {
    if (this.acked.size >= n) return Promise.resolve();
    return new Promise((resolve) => this.listeners.push({ atLeast: n, resolve }));
  }

  async publish(eventsPerDevice: number): Promise<void> {
    await Promise.all(
      this.clients.map(async (client, i) => {
        const deviceId = this.devices[i]!.deviceId;
        const topic = deviceUplinkTopic(deviceId, 'event');
        for (let seq = 0; seq < eventsPerDevice; seq++) {
          const started = performance.now();
          await client.publishAsync(topic, Buffer.from(encodeInferenceEventV1(event(seq))), { qos: 1 });
          this.ackLatencyMs.push(performance.now() - started);
          this.acked.add(`${deviceId}/${seq}`);
          for (const l of this.listeners.filter((x) => this.acked.size >= x.atLeast)) {
            this.listeners.splice(this.listeners.indexOf(l), 1);
            l.resolve();
          }
        }
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}
