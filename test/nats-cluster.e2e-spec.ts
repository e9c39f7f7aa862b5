import { deviceDownlinkFilter, deviceUplinkTopic, encodeInferenceEventV1 } from '@tinyfleet/wire';
import { connectAsync, MqttClient } from 'mqtt';
import { nkeys } from 'nats';
import { issueDeviceJwt, readSigningKeyFile } from '../apps/platform/src/broker/nats/nats-credentials';
import { event } from './support/devices';
import { NatsCluster, startNatsCluster } from './support/nats-cluster';
import { WAIT_TIMEOUT_MS, waitUntil, within } from './support/wait';

/**
 * The 3-node nats-server harness itself (test/support/nats-cluster.ts), and the facts about
 * nats-server 2.9.10 the cluster broker mode stands on: a device user JWT signed by the device signing
 * key may publish and subscribe only on its own topics, over MQTT only (checked by every node offline), and the
 * cluster keeps serving MQTT when a node dies and takes it back when it restarts.
 */
jest.setTimeout(WAIT_TIMEOUT_MS * 3);

describe('NATS cluster harness (nats-server 2.9.10, operator mode, MQTT)', () => {
  let cluster: NatsCluster;
  const clients: MqttClient[] = [];
  const deviceJwt = (deviceId: string): string =>
    issueDeviceJwt(readSigningKeyFile(cluster.platformEnv.NATS_DEVICE_SIGNING_KEY!), cluster.account, deviceId).jwt;
  const connect = async (url: string, deviceId: string, password = deviceJwt(deviceId)) => {
    const c = await connectAsync(url, { clientId: deviceId, username: deviceId, password, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await startNatsCluster();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await cluster?.stop();
  });

  it('admits a device JWT on any node, only for its own topics', async () => {
    const a = await connectOnceReady(cluster.mqttUrls[0]!, 'dev-harness-a');
    const b = await connectOnceReady(cluster.mqttUrls[1]!, 'dev-harness-b');
    expect(await a.subscribeAsync(deviceDownlinkFilter('dev-harness-a'), { qos: 1 })).toEqual([
      { topic: deviceDownlinkFilter('dev-harness-a'), qos: 1 },
    ]);
    await expect(b.subscribeAsync(deviceDownlinkFilter('dev-harness-a'), { qos: 1 })).rejects.toThrow();
    const payload = Buffer.from(encodeInferenceEventV1(event(1)));
    await expect(
      a.publishAsync(deviceUplinkTopic('dev-harness-a', 'event'), payload, { qos: 1 }),
    ).resolves.toBeDefined();
    // The uplink is stored in $MQTT_msgs, replicated: it has a leader.
    expect(cluster.nodes.map((n) => n.name)).toContain(await cluster.streamLeader('$MQTT_msgs'));
  });

  it('refuses a JWT not signed by the account, and a device user on the NATS protocol', async () => {
    const forged = issueDeviceJwt(nkeys.createAccount(), cluster.account, 'dev-harness-c').jwt;
    await expect(connect(cluster.mqttUrls[2]!, 'dev-harness-c', forged)).rejects.toThrow(/Not authorized|Bad username/);
    const { connect: natsConnect, jwtAuthenticator } = await import('nats');
    await expect(
      natsConnect({
        servers: cluster.natsUrls[0],
        authenticator: jwtAuthenticator(deviceJwt('dev-harness-c')),
        reconnect: false,
      }),
    ).rejects.toThrow();
  });

  /**
   * Right after a kill or a restart a node may close a CONNECT before it answers (its account and
   * streams not current yet): connect again until it holds, as a device does. `connectAsync` without
   * retries rejects on that close (with them, and no reconnect period, it would never settle).
   */
  const connectOnceReady = async (url: string, deviceId: string): Promise<MqttClient> => {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    for (;;) {
      try {
        const c = await connectAsync(
          url,
          {
            clientId: deviceId,
            username: deviceId,
            password: deviceJwt(deviceId),
            reconnectPeriod: 0,
            connectTimeout: 10_000,
          },
          false,
        );
        clients.push(c);
        return c;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };

  it('serves MQTT through a node kill -9 and takes the node back', async () => {
    await cluster.kill('n1');
    await cluster.waitReady();
    // If n1 led the uplink stream, a PUBACK waits for the survivors to elect a new leader: wait for that.
    const leader = () => cluster.streamLeader('$MQTT_msgs');
    expect(await waitUntil(leader, (l) => l === 'n2' || l === 'n3', 4 * WAIT_TIMEOUT_MS)).toMatch(/^n[23]$/);
    const c = await connectOnceReady(cluster.mqttUrls[1]!, 'dev-harness-d');
    await within(
      c.publishAsync(deviceUplinkTopic('dev-harness-d', 'event'), Buffer.from(encodeInferenceEventV1(event(2))), {
        qos: 1,
      }),
      WAIT_TIMEOUT_MS,
      'the PUBACK on a surviving node',
    );
    await cluster.restart('n1');
    const again = await connectOnceReady(cluster.mqttUrls[0]!, 'dev-harness-e');
    expect(again.connected).toBe(true);
    // A kill, an election, a restart and two bounded connects: on a loaded machine more than Jest's default.
  }, 240_000);
});
