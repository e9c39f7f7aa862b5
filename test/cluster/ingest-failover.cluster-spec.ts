import { deviceUplinkTopic, encodeInferenceEventV1 } from '@tinyfleet/wire';
import { connectAsync } from 'mqtt';
import { connect, jwtAuthenticator } from 'nats';
import { Client } from 'pg';
import { readCredsFile } from '../../apps/platform/src/broker/nats/nats-credentials';
import { MQTT_MESSAGES_STREAM } from '../../apps/platform/src/broker/nats/nats-subjects';
import { provisionByClaim } from '../../device-sim/src/mqtt/provision-by-claim';
import { FleetPublisher, PlatformInstance, registerFleet, startInstance } from '../support/cluster-fleet';
import { event, provisionRequest } from '../support/devices';
import { NatsCluster, startNatsCluster } from '../support/nats-cluster';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { bootTimeout, waitUntil } from '../support/wait';

const DEVICES = 200;
const EVENTS_PER_DEVICE = 25;
const TOTAL = DEVICES * EVENTS_PER_DEVICE;
/** Instance b stores every uplink after its first 400 acknowledgements and acknowledges none of them. */
const B_ACKS_BEFORE_FAULT = 400;

/**
 * The cluster broker mode's proof (docs/scale-out.md): 3 nats-server nodes, 2 platform instances
 * on one PostgreSQL, 200 devices streaming 5,000 QoS 1 events. Mid-stream the `$MQTT_msgs`
 * stream leader is killed with SIGKILL, then instance b is killed with SIGKILL while it holds
 * uplinks it has stored but not acknowledged, then the dead node is started again. Every event a
 * device got a PUBACK for is stored exactly once, and JetStream really redelivered.
 */
describe('NATS cluster: nothing acknowledged is lost when a node or an instance dies', () => {
  let cluster: NatsCluster;
  let db: TestDatabase;
  let a: PlatformInstance;
  let b: PlatformInstance;
  let publisher: FleetPublisher | undefined;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    db = await createTestDatabase('postgres');
    // a first: it runs the migrations; b then finds them done.
    a = await startInstance('a', cluster, db.url, { NATS_ACK_WAIT_MS: '2000' });
    b = await startInstance('b', cluster, db.url, {
      NATS_ACK_WAIT_MS: '2000',
      TINYFLEET_FAULT_HOLD_ACKS_AFTER: String(B_ACKS_BEFORE_FAULT),
    });
  }, bootTimeout(2));

  afterAll(async () => {
    await publisher?.close();
    await Promise.all([a?.kill(), b?.kill()]);
    await cluster?.stop();
    await db?.dispose();
  });

  it(
    'stores the PUBACKed set exactly once through kill -9 of the stream leader and of an instance between insert and ack',
    async () => {
      const devices = await registerFleet([a, b], DEVICES, 'hw-fleet');
      expect(new Set(devices.map((d) => d.deviceId)).size).toBe(DEVICES);

      publisher = new FleetPublisher(devices, cluster.mqttUrls);
      await publisher.connect();
      const streaming = publisher.publish(EVENTS_PER_DEVICE);
      streaming.catch(() => undefined); // awaited below

      await publisher.whenAcked(TOTAL / 5);
      const leader = await cluster.streamLeader(MQTT_MESSAGES_STREAM);
      expect(leader).toBeDefined();
      await cluster.kill(leader!);
      const ackedAtNodeKill = publisher.acked.size;

      // b has stored an uplink it will never acknowledge: kill it now, between insert and ack.
      await b.printed('tinyfleet fault: stored');
      await b.kill();
      const ackedAtInstanceKill = publisher.acked.size;

      await cluster.restart(leader!);
      await streaming;
      // Context for the report, not a benchmark (faults injected; the machine shared): PUBACK latency.
      const sorted = [...publisher.ackLatencyMs].sort((x, y) => x - y);
      const pct = (p: number) => Math.round(sorted[Math.floor((sorted.length - 1) * p)]!);
      console.log(JSON.stringify({ events: TOTAL, ackLatencyMsP50: pct(0.5), ackLatencyMsP99: pct(0.99) }));
      expect(ackedAtNodeKill).toBeLessThan(TOTAL); // the faults really happened mid-stream
      expect(ackedAtInstanceKill).toBeLessThan(TOTAL);
      expect(publisher.acked.size).toBe(TOTAL);

      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      try {
        const count = async () => Number((await pg.query('SELECT count(*) AS n FROM device_events')).rows[0].n);
        // a takes over what b left unacknowledged once the ack wait runs out.
        expect(await waitUntil(count, (n) => n >= TOTAL, 120_000)).toBe(TOTAL);
        const rows = (await pg.query('SELECT device_id, seq FROM device_events')).rows as Array<{
          device_id: string;
          seq: string | number;
        }>;
        const stored = new Set(rows.map((r) => `${r.device_id}/${Number(r.seq)}`));
        expect(rows.length).toBe(stored.size); // no duplicates
        expect([...publisher.acked].filter((k) => !stored.has(k))).toEqual([]); // none missing
        expect([...stored].filter((k) => !publisher!.acked.has(k))).toEqual([]);
      } finally {
        await pg.end();
      }

      // JetStream redelivered to a what b had stored and never acknowledged; a's store absorbed the copies.
      const metrics = await (await fetch(`${a.httpUrl}/metrics`)).text();
      const counter = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
      expect(counter('tinyfleet_uplinks_redelivered_total')).toBeGreaterThan(0);
      expect(counter('tinyfleet_events_duplicate_total')).toBeGreaterThan(0);
      // Nothing left unacknowledged.
      const creds = readCredsFile(cluster.platformEnv.NATS_CREDS!);
      const nc = await connect({ servers: cluster.natsUrls, authenticator: jwtAuthenticator(creds.jwt, creds.seed) });
      try {
        const jsm = await nc.jetstreamManager();
        const pending = async () =>
          (await jsm.consumers.info(MQTT_MESSAGES_STREAM, 'tinyfleet-ingest')).num_ack_pending;
        expect(await waitUntil(pending, (n) => n === 0)).toBe(0);
      } finally {
        await nc.close();
      }
    },
    bootTimeout(0, 300_000),
  );

  it('refuses as the embedded broker does: a wrong claim secret, a wrong device secret, a foreign topic', async () => {
    await expect(
      provisionByClaim(
        a.provisioningUrl,
        { claimId: 'clm-nosuchclaim00', claimSecret: 'x'.repeat(32) },
        provisionRequest('hw-x'),
      ),
    ).rejects.toThrow(/Not authorized|Bad username/);
    const [victim, forger] = await registerFleet([a], 2, 'hw-acl');
    await expect(
      connectAsync(cluster.mqttUrls[0]!, {
        clientId: victim!.deviceId,
        username: victim!.deviceId,
        password: 'not-the-jwt',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Not authorized|Bad username/);
    const c = await connectAsync(cluster.mqttUrls[1]!, {
      clientId: forger!.deviceId,
      username: forger!.deviceId,
      password: forger!.secret,
      reconnectPeriod: 0,
    });
    c.on('error', () => undefined);
    c.publish(deviceUplinkTopic(victim!.deviceId, 'event'), Buffer.from(encodeInferenceEventV1(event(777))), {
      qos: 1,
    });
    // Then the victim's own event, through the same node: once it is stored, the forged one would be too.
    const honest = await connectAsync(cluster.mqttUrls[1]!, {
      clientId: victim!.deviceId,
      username: victim!.deviceId,
      password: victim!.secret,
      reconnectPeriod: 0,
    });
    await honest.publishAsync(
      deviceUplinkTopic(victim!.deviceId, 'event'),
      Buffer.from(encodeInferenceEventV1(event(778))),
      {
        qos: 1,
      },
    );
    const seqs = async () =>
      (
        (await (await fetch(`${a.httpUrl}/api/devices/${victim!.deviceId}/events?limit=100`)).json()) as Array<{
          seq: number;
        }>
      ).map((e) => e.seq);
    expect(await waitUntil(seqs, (s) => s.includes(778))).toEqual([778]);
    await Promise.all([c.endAsync(true), honest.endAsync(true)]);
  });
});
