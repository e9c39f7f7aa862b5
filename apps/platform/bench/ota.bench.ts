/**
 * npm run bench:ota -- [--devices N] [--chunk-bytes B] [--device-threads T] [--cluster]
 *
 * A rollout of a ~50 KB model (MLPerf Tiny KWS, 53,936 B) to N devices that each run the real
 * device-side OTA agent over their own MQTT connection, against a platform process on embedded
 * defaults. v2 is v1 with its classifier head's weights changed (what a fine-tune changes), so the
 * three transfer forms differ: the full .tflite, its Huffman-coded container, and a delta against v1.
 * The platform picks the smallest; bytes on air and radio energy are measured for the form it sent
 * and computed, with the same message costing (libs/energy, BLE 1M on an nRF52840), for the others.
 * Timed from the rollout request to the platform's acknowledgement (sent once stored) of the last
 * device's SUCCEEDED report. Prints one JSON object.
 *
 * Devices, platform and database share this machine's cores, and the simulated devices do real
 * work (signature check, delta apply, two interpreter builds and a self-test inference each), so the
 * object also says how much CPU the devices, the platform and PGlite each spent during the rollout.
 * With --cluster the same rollout runs on the scale-out mode (bench-targets.ts: 3 NATS nodes, 2
 * platform instances, PostgreSQL), devices registering at either instance and connecting to the nodes in turn.
 * The devices run in T worker threads (default: one per core; ota-device-hosts.ts), so that one
 * JavaScript thread running every device is not what the figure measures; `--device-threads 0`
 * runs them all on the bench's main thread (the bench's earlier setup).
 */
import { DeviceManifestError, encodeModelDelta, encodeOtaContainer, type ArtifactManifest } from '@tinyfleet/artifact';
import { deviceManifestBytes } from '@tinyfleet/artifact/verify-node';
import { defaultModelCacheDir } from '../../../device-sim/src';
import { messageCost, RADIO_PROFILES } from '@tinyfleet/energy';
import { loadModel } from '@tinyfleet/tinyml';
import { otaChunkCount } from '@tinyfleet/wire';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  describedVariant,
  newSigningKey,
  referenceFile,
  runOnce,
  signedArtifact,
  weightRanges,
} from '../../../test/support/artifacts';
import { CpuMeter } from './ingest-load';
import { BenchTarget, clusterTarget, embeddedTarget } from './bench-targets';
import { type AirLog, type DeviceHost, type FleetSpec, LocalFleet, WorkerFleet } from './ota-device-hosts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    'chunk-bytes': { type: 'string', default: '2048' },
    'device-threads': { type: 'string', default: String(availableParallelism()) },
    cluster: { type: 'boolean', default: false },
  },
});
const cluster = args.cluster;
const devices = Number(args.devices);
const chunkBytes = Number(args['chunk-bytes']);
const deviceThreads = Math.max(0, Math.min(Number(args['device-threads']), devices));
const radio = RADIO_PROFILES['nrf52840-ble-1m'];
const TOPIC_BYTES = 'tinyfleet/v1/d/dev-xxxxxxxxxxxx/down/ota-chunk'.length;

async function main(): Promise<void> {
  const kws = referenceFile('mlperf_tiny_kws', 'kws_ref_model.tflite');
  const v1 = describedVariant(kws, 'kws v1');
  const v2 = fineTunedHead(describedVariant(kws, 'kws v2'));
  const ota = encodeOtaContainer(v2, weightRanges(v2)).bytes;
  const key = newSigningKey();
  const selfTest = {
    selfTestInput: referenceFile('mlperf_tiny_kws', 'test_inputs', 'kws_sample_0.bin'),
    selfTestOutput: new Uint8Array(0),
  };
  const a1 = signedArtifact({
    key,
    name: 'kws',
    version: '1.0.0',
    recipe: 'kws',
    model: v1,
    ...selfTest,
    selfTestOutput: runOnce(v1, selfTest.selfTestInput),
  });
  const a2 = signedArtifact({
    key,
    name: 'kws',
    version: '2.0.0',
    recipe: 'kws',
    model: v2,
    ota,
    ...selfTest,
    selfTestOutput: runOnce(v2, selfTest.selfTestInput),
  });
  const forms = { full: v2.length, huffman: ota.length, delta: encodeModelDelta(v1, v2).length };

  // A quick rollout tick and the bench's chunk size, in either mode.
  const env = { OTA_TICK_MS: '250', OTA_CHUNK_BYTES: String(chunkBytes) };
  const target = cluster ? await clusterTarget(env) : await embeddedTarget(env);
  const { api } = target;
  const hosts: DeviceHost[] = [];
  try {
    await api('POST', '/api/keys', {
      name: 'bench',
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    await api('POST', '/api/models', a1.upload);
    await api('POST', '/api/models', a2.upload);
    const claim = await api('POST', '/api/claims', { name: 'bench:ota', rateLimitPerMinute: 100_000 });
    process.stderr.write(
      `registering ${devices} devices${deviceThreads ? ` in ${deviceThreads} worker threads` : ''}…\n`,
    );
    const spec = (from: number, to: number): FleetSpec => ({
      firstIndex: from,
      provisioningUrls: target.provisioningUrls,
      deviceUrls: target.deviceUrls,
      claim: { claimId: claim.id, claimSecret: claim.secret },
      hardwareIds: Array.from({ length: to - from }, (_, j) => `bench-ota-${from + j}`),
      initial: { bytes: v1, manifest: a1.deviceManifest },
      keyId: key.keyId,
      publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    });
    const shares =
      deviceThreads === 0
        ? [[0, devices]]
        : Array.from({ length: deviceThreads }, (_, t) => [
            Math.floor((t * devices) / deviceThreads),
            Math.floor(((t + 1) * devices) / deviceThreads),
          ]);
    hosts.push(...shares.map(() => (deviceThreads === 0 ? new LocalFleet() : new WorkerFleet())));
    const deviceIds = (await Promise.all(hosts.map((h, t) => h.start(spec(shares[t]![0]!, shares[t]![1]!))))).flat();
    await new Promise((r) => setTimeout(r, 500));
    await Promise.all(hosts.map((h) => h.reset()));

    process.stderr.write(`rolling kws 2.0.0 out to ${devices} devices…\n`);
    const meter = new CpuMeter(async () => new Map([...(await target.components()), ['devices', [process.pid]]]));
    await meter.snapshot();
    const machine0 = machineBusyTicks();
    const window0 = performance.now();
    const t0 = performance.timeOrigin + window0;
    const rollout = await api('POST', '/api/rollouts', {
      name: 'bench',
      model: { name: 'kws', version: '2.0.0' },
      target: { stream: 'kws' },
      groups: [{ percent: 100 }],
    });
    let done = 0;
    while (done < devices) {
      // The end is timed on the devices (below); this confirms it and stops on the first failure.
      await new Promise((r) => setTimeout(r, 200));
      const s = await api('GET', `/api/rollouts/${rollout.id}`);
      done = s.groups[0].jobs.SUCCEEDED ?? 0;
      const failed =
        (s.groups[0].jobs.FAILED ?? 0) + (s.groups[0].jobs.REJECTED ?? 0) + (s.groups[0].jobs.TIMED_OUT ?? 0);
      if (failed > 0) throw new Error(`rollout had failures: ${JSON.stringify(s.groups[0].jobs)}`);
      process.stderr.write(`\r  ${done}/${devices} succeeded`);
    }
    const cpuS = await meter.since();
    const machineS = machineBusyTicks() === null || machine0 === null ? null : (machineBusyTicks()! - machine0) / 100;
    const windowS = (performance.now() - window0) / 1000;
    const observed = await Promise.all(hosts.map((h) => h.air()));
    // From the rollout request until the platform had stored the last device's SUCCEEDED report:
    // embedded, the PUBACK of that report (sent once stored); cluster, the database's timestamp
    // (a PUBACK there means replicated in JetStream). Not rounded up to the poll above.
    const doneAt = observed.flatMap((o) => o.doneAt);
    if (doneAt.some((t) => t === null))
      throw new Error('the rollout succeeded, but not every device saw its SUCCEEDED acknowledged');
    const storedAt = (await lastSucceededStoredAtMs(target, rollout.id)) ?? Math.max(...(doneAt as number[]));
    const seconds = (storedAt - t0) / 1000;
    const job = (await api('GET', `/api/ota-jobs?deviceId=${deviceIds[0]!}`))[0];

    const measured = observed.flatMap((o) => o.logs).map(airTotals);
    const avg = (f: (m: (typeof measured)[number]) => number) =>
      measured.reduce((s, m) => s + f(m), 0) / measured.length;
    const manifestBytes = deviceManifestBytes(a2.manifest, Buffer.from(a2.manifestText)).length;
    const computed = Object.fromEntries(
      Object.entries(forms).map(([form, payloadBytes]) => [form, costOfTransfer(manifestBytes + payloadBytes)]),
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ota',
        mode: target.mode,
        target: target.describe,
        devices,
        model: { name: 'MLPerf Tiny KWS', tfliteBytes: v2.length, v2: 'v1 with the classifier head weights changed' },
        formBytes: { ...forms, manifest: manifestBytes },
        manifestShareByForm: Object.fromEntries(
          Object.entries(forms).map(([form, payloadBytes]) => [
            form,
            Number((manifestBytes / (manifestBytes + payloadBytes)).toFixed(3)),
          ]),
        ),
        recipeManifests: recipeManifestShares(defaultModelCacheDir()),
        formSent: job.form,
        chunkBytes,
        seconds: Number(seconds.toFixed(3)),
        devicesPerMinute: Math.round((devices / seconds) * 60),
        cpuDuringRollout: {
          windowS: Number(windowS.toFixed(2)),
          byComponentS: cpuS,
          msPerDevice: Object.fromEntries(
            Object.entries(cpuS).map(([name, cpu]) => [name, Number(((cpu * 1000) / devices).toFixed(2))]),
          ),
          otherS:
            machineS === null
              ? null
              : Number(Math.max(0, machineS - Object.values(cpuS).reduce((a, b) => a + b, 0)).toFixed(2)),
          deviceThreads,
          cores: availableParallelism(),
          loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
          note: 'CPU seconds (user+sys) spent in the rollout window (windowS: from the rollout request to the poll that saw it done) by each component: devices = the bench process (all simulated devices: their OTA agents, MQTT clients, signature checks, delta apply, interpreter builds and self-tests); otherS = whatever else kept the cores busy meanwhile. All share the machine, so devicesPerMinute is bounded by their sum over the cores, and with deviceThreads 0 by the devices alone on one core',
        },
        measuredPerDevice: {
          downPayloadBytes: Math.round(avg((m) => m.downBytes)),
          upPayloadBytes: Math.round(avg((m) => m.upBytes)),
          messagesDown: avg((m) => m.downMessages),
          messagesUp: avg((m) => m.upMessages),
          radioUj: Math.round(avg((m) => m.radioUj)),
        },
        computedPerDeviceByForm: computed,
        radio: radio.id,
        reference: 'AWS IoT Jobs rolls out at most 1,000 devices/min; goal here 10,000/min',
        note: 'devices, broker, platform and database share the machine; radio energy from libs/energy messageCost (QoS 1, BLE 1M)',
      })}\n`,
    );
  } finally {
    await Promise.all(hosts.map((h) => h.close()));
    await target.close();
  }
}

/** When the database stored the rollout's last SUCCEEDED report (ms since the epoch), where the bench can ask it. */
async function lastSucceededStoredAtMs(target: BenchTarget, rolloutId: number): Promise<number | undefined> {
  if (target.mode !== 'cluster' || !target.pg) return undefined;
  const { rows } = await target.pg.query(
    `SELECT extract(epoch FROM max(e.at)) * 1000 AS at_ms FROM ota_job_events e
     JOIN ota_jobs j ON j.id = e.job_id WHERE j.rollout_id = $1 AND e.to_state = 'SUCCEEDED'`,
    [rolloutId],
  );
  return rows[0]?.at_ms === null ? undefined : Number(rows[0].at_ms);
}

/** Busy clock ticks of the whole machine (all cores), where /proc tells: what else ran shows as the difference. */
function machineBusyTicks(): number | null {
  try {
    // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!;
  } catch {
    return null;
  }
}

/** A fine-tune: the last FULLY_CONNECTED layer's weights change, the rest of the model stays. */
function fineTunedHead(model: Uint8Array): Uint8Array {
  const m = loadModel(model);
  const fc = [...m.operators].reverse().find((o) => o.opName === 'FULLY_CONNECTED')!;
  const weights = m.tensors[fc.inputs[1]!]!.data!;
  const at = Buffer.from(model).indexOf(Buffer.from(weights));
  const out = new Uint8Array(model);
  for (let i = 0; i < weights.length; i++)
    out[at + i] = Math.max(-127, Math.min(127, ((weights[i]! << 24) >> 24) + ((i % 3) - 1))) & 0xff;
  return out;
}

/** Radio cost of one transfer of `blobBytes`: offer, chunk requests (8 chunks each), chunks, ~6 status reports. */
function costOfTransfer(blobBytes: number): { chunks: number; downBytes: number; radioUj: number } {
  const chunks = otaChunkCount(blobBytes, chunkBytes);
  const requests = Math.ceil(chunks / 8);
  let radioUj = messageCost(radio, { payloadBytes: 190, direction: 'down', qos: 1, topicBytes: TOPIC_BYTES }).energyUj;
  let downBytes = 190;
  for (let i = 0; i < chunks; i++) {
    const payload = Math.min(chunkBytes, blobBytes - i * chunkBytes) + 16;
    radioUj += messageCost(radio, {
      payloadBytes: payload,
      direction: 'down',
      qos: 1,
      topicBytes: TOPIC_BYTES,
    }).energyUj;
    downBytes += payload;
  }
  radioUj +=
    (requests + 6) *
    messageCost(radio, { payloadBytes: 12, direction: 'up', qos: 1, topicBytes: TOPIC_BYTES }).energyUj;
  return { chunks, downBytes, radioUj: Math.round(radioUj) };
}

/** A device's OTA traffic, with each message costed on the radio (libs/energy, QoS 1). */
function airTotals(log: AirLog) {
  const t = { downBytes: 0, upBytes: 0, downMessages: 0, upMessages: 0, radioUj: 0 };
  for (let i = 0; i < log.length; i += 3) {
    const [payloadBytes, topicBytes, up] = [log[i]!, log[i + 1]!, log[i + 2] === 1];
    if (up) {
      t.upBytes += payloadBytes;
      t.upMessages++;
    } else {
      t.downBytes += payloadBytes;
      t.downMessages++;
    }
    t.radioUj += messageCost(radio, { payloadBytes, direction: up ? 'up' : 'down', qos: 1, topicBytes }).energyUj;
  }
  return t;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ota failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

/**
 * For every recipe built in the model cache (the newest build of each): the device manifest a first
 * install sends ahead of the smaller of the .tflite and its Huffman form, and its share of that
 * transfer. Recipes not built yet are absent (npm start builds the default fleet's).
 */
function recipeManifestShares(
  cacheDir: string,
): Record<string, { manifestBytes: number; payloadBytes: number; share: number }> {
  const out: Record<string, { manifestBytes: number; payloadBytes: number; share: number }> = {};
  const newest = new Map<string, { mtimeMs: number; dir: string }>();
  const walk = (dir: string, depth: number): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (e.name === 'manifest.json') {
        const recipe = (JSON.parse(readFileSync(p, 'utf8')) as ArtifactManifest).recipe;
        const mtimeMs = statSync(p).mtimeMs;
        if ((newest.get(recipe)?.mtimeMs ?? -1) < mtimeMs) newest.set(recipe, { mtimeMs, dir });
      }
    }
  };
  if (existsSync(cacheDir)) walk(cacheDir, 0);
  for (const [recipe, { dir }] of newest) {
    const json = readFileSync(join(dir, 'manifest.json'));
    const manifest = JSON.parse(json.toString('utf8')) as ArtifactManifest;
    let manifestBytes: number;
    try {
      manifestBytes = deviceManifestBytes(manifest, json).length;
    } catch (err) {
      // A build from before the 3-byte mean/std form: its constants cannot travel; npm start rebuilds it.
      if (!(err instanceof DeviceManifestError)) throw err;
      process.stderr.write(`  recipeManifests: ${recipe} (${dir}) skipped, rebuild it: ${err.message}\n`);
      continue;
    }
    const payloadBytes = Math.min(manifest.model.bytes, manifest.ota.bytes);
    out[recipe] = {
      manifestBytes,
      payloadBytes,
      share: Number((manifestBytes / (manifestBytes + payloadBytes)).toFixed(3)),
    };
  }
  return out;
}
