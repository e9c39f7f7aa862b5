import { nkeys } from 'nats';
import { applicationAccountJwt } from './nats-credentials';
import { accountJwt, type NKeyPair, operatorJwt, userJwt } from './nats-jwt';

/** Where one nats-server of the cluster listens, and where it keeps its JetStream data. */
export interface NatsNodeAddress {
  name: string;
  /** The address the node binds to, and the one the other nodes reach its route port at. */
  host: string;
  routeHost?: string;
  clientPort: number;
  mqttPort: number;
  monitorPort: number;
  routePort: number;
  /** The node's own directory: its JetStream store and its account resolver's JWTs under it. */
  storeDir: string;
}

export interface GeneratedNatsCluster {
  /** nats-server configuration per node name. */
  configs: Map<string, string>;
  /** The platform's NATS_CREDS file. */
  platformCreds: string;
  /** The platform's NATS_DEVICE_SIGNING_KEY file. */
  deviceSigningKey: string;
  /** The platform's NATS_OPERATOR_SIGNING_KEY file: re-signs the application account to revoke device JWTs. */
  operatorSigningKey: string;
  /** The platform's NATS_SYSTEM_CREDS file: a system-account user, to push the re-signed account. */
  systemCreds: string;
  /** The application account's public key. */
  account: string;
}

/**
 * Fresh keys and the operator-mode configuration of a NATS JetStream cluster for tinyfleet
 * (docs/scale-out.md): an operator; a system account; the application account with JetStream and
 * one signing key, whose seed the platform keeps to sign device users; the platform's own user
 * (the whole account; bearer, because its MQTT downlink connection cannot sign a nonce); an operator
 * signing key and a system-account user, with which the platform re-signs and pushes the
 * application account when it revokes a device's JWT. Each node gets cluster routes to the others,
 * a JetStream store, the `full` account resolver (a JWT directory per node, kept in step through the
 * system account: what `$SYS.REQ.CLAIMS.UPDATE` writes to) preloaded with both accounts, and an
 * MQTT listener whose streams are replicated to min(3, nodes).
 */
export function generateNatsCluster(nodes: NatsNodeAddress[], clusterName = 'tinyfleet'): GeneratedNatsCluster {
  const operator = nkeys.createOperator() as NKeyPair;
  const system = nkeys.createAccount() as NKeyPair;
  const app = nkeys.createAccount() as NKeyPair;
  const deviceKey = nkeys.createAccount() as NKeyPair;
  const operatorSigning = nkeys.createOperator() as NKeyPair;
  const platformUser = nkeys.createUser() as NKeyPair;
  const systemUser = nkeys.createUser() as NKeyPair;
  const systemUserJwt = userJwt(system, systemUser.getPublicKey(), 'tinyfleet-revocations', {
    account: system.getPublicKey(),
  });
  const platformJwt = userJwt(app, platformUser.getPublicKey(), 'tinyfleet-platform', {
    account: app.getPublicKey(),
    bearer: true,
  });
  const auth = [
    `operator: ${operatorJwt(operator, clusterName, system.getPublicKey(), [operatorSigning.getPublicKey()])}`,
    `system_account: ${system.getPublicKey()}`,
    'resolver_preload: {',
    `  ${system.getPublicKey()}: ${accountJwt(operator, system.getPublicKey(), 'SYS', { jetstream: false })}`,
    `  ${app.getPublicKey()}: ${applicationAccountJwt(operatorSigning, app.getPublicKey(), deviceKey.getPublicKey())}`,
    '}',
  ];
  const configs = new Map<string, string>();
  for (const n of nodes) {
    const others = nodes.filter((o) => o !== n);
    configs.set(
      n.name,
      [
        `server_name: ${n.name}`,
        `listen: ${n.host}:${n.clientPort}`,
        `http: ${n.host}:${n.monitorPort}`,
        `jetstream { store_dir: "${n.storeDir}" }`,
        // A QoS 1 PUBLISH is PUBACKed once a majority of the replicas stored it.
        `mqtt { listen: ${n.host}:${n.mqttPort}, stream_replicas: ${Math.min(3, nodes.length)} }`,
        ...(others.length
          ? [
              `cluster { name: ${clusterName}, listen: ${n.host}:${n.routePort}, routes: [`,
              ...others.map((o) => `  nats-route://${o.routeHost ?? o.host}:${o.routePort}`),
              '] }',
            ]
          : []),
        // A pushed account JWT replaces the preloaded one only if newer (its iat), here and after a restart.
        `resolver { type: full, dir: "${n.storeDir}/accounts", allow_delete: false, interval: "2m" }`,
        ...auth,
        '',
      ].join('\n'),
    );
  }
  return {
    configs,
    platformCreds: credsFileText(platformJwt, platformUser.getSeed()),
    deviceSigningKey: `${new TextDecoder().decode(deviceKey.getSeed())}\n`,
    operatorSigningKey: `${new TextDecoder().decode(operatorSigning.getSeed())}\n`,
    systemCreds: credsFileText(systemUserJwt, systemUser.getSeed()),
    account: app.getPublicKey(),
  };
}

/** The `.creds` layout nats tools and clients read: the user JWT, then its nkey seed. */
function credsFileText(jwt: string, seed: Uint8Array): string {
  return [
    '-----BEGIN NATS USER JWT-----',
    jwt,
    '------END NATS USER JWT------',
    '',
    '-----BEGIN USER NKEY SEED-----',
    new TextDecoder().decode(seed),
    '------END USER NKEY SEED------',
    '',
  ].join('\n');
}
