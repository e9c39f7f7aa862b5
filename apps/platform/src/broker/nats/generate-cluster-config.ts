/**
 * Writes a tinyfleet NATS cluster's configuration for hosts that each run one node on the standard
 * ports (client 4222, MQTT 1883, monitor 8222, routes 6222), e.g. docker/compose.nats.yaml:
 *   node -r ./bin/register.js apps/platform/src/broker/nats/generate-cluster-config.ts <out-dir> nats-1 nats-2 nats-3
 * Produces <node>.conf per node, platform.creds (NATS_CREDS), device-signing.nk
 * (NATS_DEVICE_SIGNING_KEY), operator-signing.nk (NATS_OPERATOR_SIGNING_KEY) and system.creds
 * (NATS_SYSTEM_CREDS; the last two let the platform revoke device JWTs). Fresh keys every run: run it once per cluster and keep the files.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNatsCluster } from './nats-cluster-config';

const [outDir, ...names] = process.argv.slice(2);
if (!outDir || names.length === 0) {
  process.stderr.write('usage: generate-cluster-config.ts <out-dir> <node-host>...\n');
  process.exit(2);
}
if (existsSync(join(outDir, 'platform.creds'))) {
  // The cluster's keys already exist: new ones would lock out every registered device.
  process.stdout.write(`${outDir} already holds a cluster configuration; left as it is\n`);
  process.exit(0);
}
const generated = generateNatsCluster(
  names.map((name) => ({
    name,
    host: '0.0.0.0',
    routeHost: name,
    clientPort: 4222,
    mqttPort: 1883,
    monitorPort: 8222,
    routePort: 6222,
    storeDir: '/data/jetstream',
  })),
);
mkdirSync(outDir, { recursive: true });
for (const [name, config] of generated.configs) writeFileSync(join(outDir, `${name}.conf`), config);
writeFileSync(join(outDir, 'platform.creds'), generated.platformCreds, { mode: 0o600 });
writeFileSync(join(outDir, 'device-signing.nk'), generated.deviceSigningKey, { mode: 0o600 });
writeFileSync(join(outDir, 'operator-signing.nk'), generated.operatorSigningKey, { mode: 0o600 });
writeFileSync(join(outDir, 'system.creds'), generated.systemCreds, { mode: 0o600 });
process.stdout.write(`wrote ${names.length} node configurations and the platform's keys to ${outDir}\n`);
