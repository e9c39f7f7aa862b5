import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateNatsCluster } from '../../apps/platform/src/broker/nats/nats-cluster-config';
import { freePort } from './free-port';
import { waitForExit } from './platform-process';
import { WAIT_TIMEOUT_MS } from './wait';

/** One nats-server of the cluster: its ports stay the same across kill and restart. */
export interface NatsNode {
  name: string;
  clientPort: number;
  mqttPort: number;
  monitorPort: number;
  routePort: number;
  process?: ChildProcess;
}

export interface NatsCluster {
  nodes: NatsNode[];
  dir: string;
  /** The application account's public key (the devices' and the platform's). */
  account: string;
  /** The platform's environment for this cluster (docs/scale-out.md): NATS_URL, NATS_MQTT_URL, key and creds files. */
  platformEnv: Record<string, string>;
  natsUrls: string[];
  mqttUrls: string[];
  /** The name of the node leading `stream` in the application account, once one leads it. */
  streamLeader(stream: string): Promise<string | undefined>;
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  restart(name: string): Promise<void>;
  /** Every running node has JetStream up and names the same live meta leader. */
  waitReady(): Promise<void>;
  stop(): Promise<void>;
}

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A private 3-node nats-server cluster (the Debian 2.9.10 binary) on free loopback ports, in
 * operator (JWT) mode as generateNatsCluster writes it for operators too (docs/scale-out.md): an
 * MQTT listener, a JetStream store and an account resolver directory per node. The platform's user, the device
 * signing key, the operator signing key and the system-account user are written to files the platform reads
 * (NATS_CREDS, NATS_DEVICE_SIGNING_KEY, NATS_OPERATOR_SIGNING_KEY, NATS_SYSTEM_CREDS).
 * Returned once every node is healthy; `stop()` kills what is still running and deletes the files.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyfleet-nats-'));
  const nodes: NatsNode[] = [];
  for (let i = 1; i <= size; i++) {
    nodes.push({
      name: `n${i}`,
      clientPort: await freePort(),
      mqttPort: await freePort(),
      monitorPort: await freePort(),
      routePort: await freePort(),
    });
  }
  const generated = generateNatsCluster(
    nodes.map((n) => ({ ...n, host: '127.0.0.1', storeDir: join(dir, n.name) })),
    'tinyfleet-test',
  );
  for (const n of nodes) {
    mkdirSync(join(dir, n.name), { recursive: true });
    writeFileSync(join(dir, `${n.name}.conf`), generated.configs.get(n.name)!);
  }
  const credsFile = join(dir, 'platform.creds');
  writeFileSync(credsFile, generated.platformCreds, { mode: 0o600 });
  const deviceKeyFile = join(dir, 'device-signing.nk');
  writeFileSync(deviceKeyFile, generated.deviceSigningKey, { mode: 0o600 });
  const operatorKeyFile = join(dir, 'operator-signing.nk');
  writeFileSync(operatorKeyFile, generated.operatorSigningKey, { mode: 0o600 });
  const systemCredsFile = join(dir, 'system.creds');
  writeFileSync(systemCredsFile, generated.systemCreds, { mode: 0o600 });

  const logs = new Map<string, string>();
  const launch = (n: NatsNode): void => {
    const child = spawn(NATS_SERVER, ['-c', join(dir, `${n.name}.conf`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (c: Buffer) => {
      // Only the tail: a long run logs a lot, and only the last lines explain a failure.
      log = (log + c.toString()).slice(-8000);
      logs.set(n.name, log);
    });
    n.process = child;
  };
  const running = (): NatsNode[] =>
    nodes.filter((n) => n.process && n.process.exitCode === null && !n.process.signalCode);
  const monitor = async (n: NatsNode, path: string): Promise<any> => {
    const res = await fetch(`http://127.0.0.1:${n.monitorPort}${path}`);
    return res.json();
  };
  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + WAIT_TIMEOUT_MS;
    for (;;) {
      const alive = running();
      // JetStream up on each live node (the server only: a stream or consumer that had a replica on
      // a dead node is not current until it returns, and must not hold the rest up), and every live
      // node names the same live meta leader: right after a kill the others still name the dead
      // one until they elect anew, and JetStream requests wait meanwhile.
      const leaders = await Promise.all(
        alive.map(async (n) => {
          try {
            const health = await monitor(n, '/healthz?js-server-only=true');
            const jsz = await monitor(n, '/jsz');
            return health.status === 'ok'
              ? ((jsz.meta_cluster?.leader as string | undefined) ?? (size === 1 ? n.name : undefined))
              : undefined;
          } catch {
            return undefined;
          }
        }),
      );
      const leader = leaders[0];
      if (leader && leaders.every((l) => l === leader) && alive.some((n) => n.name === leader)) return;
      const dead = nodes.find((n) => n.process && n.process.exitCode !== null && !n.process.signalCode);
      if (dead) throw new Error(`nats-server ${dead.name} exited: ${logs.get(dead.name) ?? ''}`);
      if (Date.now() > deadline)
        throw new Error(`the NATS cluster was not ready in ${WAIT_TIMEOUT_MS} ms:\n${[...logs.values()].join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    await Promise.all(
      running().map((n) => {
        n.process!.kill('SIGKILL');
        return waitForExit(n.process!);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  nodes.forEach(launch);
  try {
    await waitReady();
  } catch (err) {
    await stop();
    throw err;
  }
  const natsUrls = nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`);
  const mqttUrls = nodes.map((n) => `mqtt://127.0.0.1:${n.mqttPort}`);
  const byName = (name: string): NatsNode => {
    const node = nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no NATS node ${name}`);
    return node;
  };
  return {
    nodes,
    dir,
    account: generated.account,
    natsUrls,
    mqttUrls,
    platformEnv: {
      NATS_URL: natsUrls.join(','),
      NATS_MQTT_URL: mqttUrls.join(','),
      NATS_CREDS: credsFile,
      NATS_DEVICE_SIGNING_KEY: deviceKeyFile,
      NATS_OPERATOR_SIGNING_KEY: operatorKeyFile,
      NATS_SYSTEM_CREDS: systemCredsFile,
    },
    streamLeader: async (stream) => {
      for (const n of running()) {
        try {
          const jsz = await monitor(n, `/jsz?accounts=true&streams=true&acc=${generated.account}`);
          for (const acc of jsz.account_details ?? [])
            for (const s of acc.stream_detail ?? [])
              if (s.name === stream && s.cluster?.leader) return s.cluster.leader;
        } catch {
          // a node that is going down: ask the next
        }
      }
      return undefined;
    },
    kill: async (name, signal = 'SIGKILL') => {
      const node = byName(name);
      node.process?.kill(signal);
      if (node.process) await waitForExit(node.process);
    },
    restart: async (name) => {
      launch(byName(name));
      await waitReady();
    },
    waitReady,
    stop,
  };
}
