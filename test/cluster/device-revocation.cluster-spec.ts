import { deviceUplinkTopic, encodeInferenceEventV1, encodeStatusV1 } from '@tinyfleet/wire';
import { connectAsync, MqttClient } from 'mqtt';
import { connect as natsConnect, credsAuthenticator } from 'nats';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { provisionByClaim } from '../../device-sim/src/mqtt/provision-by-claim';
import { PlatformInstance, startInstance } from '../support/cluster-fleet';
import { event, provisionRequest } from '../support/devices';
import { NatsCluster, startNatsCluster } from '../support/nats-cluster';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { bootTimeout, WAIT_TIMEOUT_MS, waitUntil } from '../support/wait';

const claimsOf = (jwt: string): { sub: string; nats: { revocations?: Record<string, number> } } =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'));
/** A JWT's subject: the user key a revocation names. */
const subjectOf = (jwt: string): string => claimsOf(jwt).sub;

/**
 * Device JWTs are revoked on the NATS cluster as the embedded broker refuses the device
 * (docs/scale-out.md, "Revoking device JWTs"): after a `replace` re-registration, a suspension or a
 * decommissioning — through the platform's own flows, on either of 2 instances — the device's open
 * connection is closed and its old JWT refused on every node, also on a node that was down during
 * the push; a resumed device and a re-registered one's new JWT connect; a device nobody touched
 * keeps its connection throughout.
 */
describe('NATS cluster: revoked device JWTs are refused on every node', () => {
  let cluster: NatsCluster;
  let db: TestDatabase;
  let a: PlatformInstance;
  let b: PlatformInstance;
  let pg: Client;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster();
    db = await createTestDatabase('postgres');
    // a first: it runs the migrations; b then finds them done.
    a = await startInstance('a', cluster, db.url);
    b = await startInstance('b', cluster, db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, bootTimeout(2));

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await pg?.end();
    await Promise.all([a?.kill(), b?.kill()]);
    await cluster?.stop();
    await db?.dispose();
  });

  const connect = async (url: string, deviceId: string, jwt: string): Promise<MqttClient> => {
    const c = await connectAsync(
      url,
      { clientId: deviceId, username: deviceId, password: jwt, reconnectPeriod: 0 },
      false,
    );
    clients.push(c);
    return c;
  };
  /** True once the server closes `c` (before any probe could take its client id over); false after the bound. */
  const closed = (c: MqttClient): Promise<boolean> =>
    new Promise((resolve) => {
      const bound = setTimeout(() => resolve(false), WAIT_TIMEOUT_MS);
      c.once('close', () => {
        clearTimeout(bound);
        resolve(true);
      });
    });
  /**
   * What `url`'s MQTT listener answers the JWT now (a CONNECT it admits is closed again at once).
   * No answer: a node just restarted can take longer than the connect timeout to open a session.
   */
  const answerOf = async (url: string, deviceId: string, jwt: string): Promise<'refused' | 'admitted' | 'none'> => {
    try {
      const c = await connectAsync(
        url,
        { clientId: deviceId, username: deviceId, password: jwt, reconnectPeriod: 0, connectTimeout: 10_000 },
        false,
      );
      await c.endAsync(true);
      return 'admitted';
    } catch (err) {
      if (/Not authorized/.test(String(err))) return 'refused';
      if (/Couldn't connect/.test(String(err))) return 'none';
      throw err;
    }
  };
  /**
   * Whether each node refuses (or admits) the JWT, waiting on each until it does: a node applies a
   * pushed account as it receives it. One node at a time, so no two CONNECTs take one client id.
   */
  const onEveryNode = async (deviceId: string, jwt: string, refused: boolean): Promise<boolean[]> => {
    const want = refused ? 'refused' : 'admitted';
    const seen: boolean[] = [];
    for (const url of cluster.mqttUrls)
      seen.push(
        (await waitUntil(
          () => answerOf(url, deviceId, jwt),
          (a) => a === want,
        )) === want,
      );
    return seen;
  };
  const operator = async (instance: PlatformInstance, deviceId: string, action: string): Promise<void> => {
    const res = await fetch(`${instance.httpUrl}/api/devices/${deviceId}/${action}`, { method: 'POST' });
    expect(res.status).toBe(200);
  };

  it(
    'closes and refuses the old JWT after replace, suspend and decommission; resume and a new JWT admit',
    async () => {
      const res = await fetch(`${a.httpUrl}/api/claims`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'revocation', maxUses: 10, reregistrationPolicy: 'replace' }),
      });
      expect(res.status).toBe(201);
      const claim = (await res.json()) as { id: string; secret: string };
      const register = async (instance: PlatformInstance, hardwareId: string) => {
        const r = await provisionByClaim(
          instance.provisioningUrl,
          { claimId: claim.id, claimSecret: claim.secret },
          provisionRequest(hardwareId),
        );
        if (r.status === 'refused' || !r.deviceSecret) throw new Error(`${hardwareId}: ${JSON.stringify(r)}`);
        return { status: r.status, deviceId: r.deviceId, jwt: r.deviceSecret };
      };
      const [keep, replaced, suspended, decommissioned] = [
        await register(a, 'hw-rev-keep'),
        await register(b, 'hw-rev-replaced'),
        await register(a, 'hw-rev-suspended'),
        await register(b, 'hw-rev-decommissioned'),
      ];
      const [n1, n2, n3] = cluster.mqttUrls as [string, string, string];
      const keepConn = await connect(n1, keep.deviceId, keep.jwt);
      let keepClosed = false;
      keepConn.on('close', () => (keepClosed = true));
      const replacedConn = await connect(n2, replaced.deviceId, replaced.jwt);
      const suspendedConn = await connect(n3, suspended.deviceId, suspended.jwt);
      const decommissionedConn = await connect(n1, decommissioned.deviceId, decommissioned.jwt);

      // Replace: the same hardware registers again (at the other instance) and gets a new JWT.
      const replacedClosed = closed(replacedConn);
      const again = await register(a, 'hw-rev-replaced');
      expect(again).toMatchObject({ status: 'replaced', deviceId: replaced.deviceId });
      expect(await replacedClosed).toBe(true);
      expect(await onEveryNode(replaced.deviceId, replaced.jwt, true)).toEqual([true, true, true]);
      expect(await onEveryNode(replaced.deviceId, again.jwt, false)).toEqual([true, true, true]);

      // Suspend (ACTIVE only). The cluster reports no connects: the first stored status makes a device ACTIVE.
      const status = encodeStatusV1({
        timestampMs: Date.now(),
        firmwareVersion: '1.0.0',
        interpreterVersion: '0.1.0',
        uptimeS: 1,
        batteryPct: 90,
        batteryMv: 3000,
        activeSlot: 0,
        slots: [null, null],
        bufferedEvents: 0,
        droppedEvents: 0,
      });
      await suspendedConn.publishAsync(deviceUplinkTopic(suspended.deviceId, 'status'), Buffer.from(status), {
        qos: 1,
      });
      const lifecycle = async () =>
        (await pg.query(`SELECT lifecycle FROM devices WHERE id = $1`, [suspended.deviceId])).rows[0].lifecycle;
      expect(await waitUntil(lifecycle, (l) => l === 'ACTIVE')).toBe('ACTIVE');
      const suspendedClosed = closed(suspendedConn);
      await operator(b, suspended.deviceId, 'suspend');
      expect(await suspendedClosed).toBe(true);
      expect(await onEveryNode(suspended.deviceId, suspended.jwt, true)).toEqual([true, true, true]);
      // Resume: the same JWT is admitted again, as the same secret is on the embedded broker.
      await operator(a, suspended.deviceId, 'resume');
      expect(await onEveryNode(suspended.deviceId, suspended.jwt, false)).toEqual([true, true, true]);

      // The device nobody touched still publishes (QoS 1: stored by the cluster).
      await keepConn.publishAsync(
        deviceUplinkTopic(keep.deviceId, 'event'),
        Buffer.from(encodeInferenceEventV1(event(1))),
        { qos: 1 },
      );

      // Decommission, from PROVISIONED, while n3 is down: back up, n3 refuses too (it missed the push;
      // the platform pushes again to a node it has not heard from, rather than wait for the resolver's sync).
      await cluster.kill('n3');
      await cluster.waitReady();
      const decommissionedClosed = closed(decommissionedConn);
      await operator(a, decommissioned.deviceId, 'decommission');
      expect(await decommissionedClosed).toBe(true);
      await cluster.restart('n3');
      expect(await onEveryNode(decommissioned.deviceId, decommissioned.jwt, true)).toEqual([true, true, true]);

      // The device nobody touched kept its connection through every push.
      expect(keepClosed).toBe(false);

      // The account every node keeps revokes exactly the replaced and the decommissioned JWT (not the resumed one).
      const system = await natsConnect({
        servers: cluster.natsUrls,
        authenticator: credsAuthenticator(readFileSync(cluster.platformEnv.NATS_SYSTEM_CREDS!)),
      });
      try {
        const reply = await system.request(`$SYS.REQ.ACCOUNT.${cluster.account}.CLAIMS.LOOKUP`, new Uint8Array(), {
          timeout: WAIT_TIMEOUT_MS,
        });
        const revoked = Object.keys(claimsOf(new TextDecoder().decode(reply.data)).nats.revocations ?? {});
        expect(revoked.sort()).toEqual([subjectOf(replaced.jwt), subjectOf(decommissioned.jwt)].sort());
      } finally {
        await system.close();
      }
    },
    bootTimeout(0, 180_000),
  );
});
