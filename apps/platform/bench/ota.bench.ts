/**
 * npm run bench:ota -- [--devices N] [--chunk-bytes B]
 *
 * A rollout of a ~50 KB model (MLPerf Tiny KWS, 53,936 B) to N devices that each run the real
 * device-side OTA agent over their own MQTT connection, against a platform process on embedded
 * defaults. v2 is v1 with its classifier head's weights changed (what a fine-tune changes), so the
 * three transfer forms differ: the full .tflite, its Huffman-coded container, and a delta against v1.
 * The platform picks the smallest; bytes on air and radio energy are measured for the form it sent
 * and computed, with the same message costing (libs/energy, BLE 1M on an nRF52840), for the others.
 * Prints one JSON object. Devices, platform and database share this machine's cores.
 */
import { encodeModelDelta, encodeOtaContainer } from '@tinyfleet/artifact';
import { messageCost, RADIO_PROFILES } from '@tinyfleet/energy';
import { Interpreter, loadModel } from '@tinyfleet/tinyml';
import { otaChunkCount } from '@tinyfleet/wire';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describedVariant, newSigningKey, referenceFile, signedArtifact } from '../../../test/support/artifacts';
import { freePort } from '../../../test/support/free-port';
import { otaDevice, OtaTestDevice } from '../../../test/support/ota-device';
import { spawnPlatform, waitForExit } from '../../../test/support/platform-process';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '100' }, 'chunk-bytes': { type: 'string', default: '2048' } } });
const devices = Number(args.devices);
const chunkBytes = Number(args['chunk-bytes']);
const radio = RADIO_PROFILES['nrf52840-ble-1m'];
const TOPIC_BYTES = 'tinyfleet/v1/d/dev-xxxxxxxxxxxx/down/ota-chunk'.length;

async function main(): Promise<void> {
  const kws = referenceFile('mlperf_tiny_kws', 'kws_ref_model.tflite');
  const v1 = describedVariant(kws, 'kws v1');
  const v2 = fineTunedHead(describedVariant(kws, 'kws v2'));
  const ota = encodeOtaContainer(v2, weightRanges(v2)).bytes;
  const key = newSigningKey();
  const selfTest = { selfTestInput: referenceFile('mlperf_tiny_kws', 'test_inputs', 'kws_sample_0.bin'), selfTestOutput: new Uint8Array(0) };
  const a1 = signedArtifact({ key, name: 'kws', version: '1.0.0', recipe: 'kws', model: v1, ...selfTest, selfTestOutput: runOnce(v1, selfTest.selfTestInput) });
  const a2 = signedArtifact({ key, name: 'kws', version: '2.0.0', recipe: 'kws', model: v2, ota, ...selfTest, selfTestOutput: runOnce(v2, selfTest.selfTestInput) });
  const forms = { full: v2.length, huffman: ota.length, delta: encodeModelDelta(v1, v2).length };

  const dataDir = mkdtempSync(join(tmpdir(), 'tinyfleet-bench-ota-'));
  const env = { PORT: String(await freePort()), MQTT_PORT: String(await freePort()), TINYFLEET_DATA_DIR: dataDir, OTA_TICK_MS: '250', OTA_CHUNK_BYTES: String(chunkBytes) };
  const http = `http://127.0.0.1:${env.PORT}`;
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${http}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  process.stderr.write('starting a platform (embedded defaults)…\n');
  const platform = await spawnPlatform(env);
  const fleet: OtaTestDevice[] = [];
  try {
    await api('POST', '/api/keys', { name: 'bench', publicKeyPem: key.publicKey.export({ format: 'pem', type: 'spki' }).toString() });
    await api('POST', '/api/models', a1.upload);
    await api('POST', '/api/models', a2.upload);
    const claim = await api('POST', '/api/claims', { name: 'bench:ota', rateLimitPerMinute: 100_000 });
    process.stderr.write(`registering ${devices} devices…\n`);
    const trustedKeys = new Map([[key.keyId, key.publicKey]]);
    for (let i = 0; i < devices; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, devices - i) }, (_, j) =>
          otaDevice(`mqtt://127.0.0.1:${env.MQTT_PORT}`, { claimId: claim.id, claimSecret: claim.secret }, `bench-ota-${i + j}`, { initial: { bytes: v1, manifest: a1.manifest }, trustedKeys, stream: 'kws' }),
        ),
      );
      fleet.push(...batch);
    }
    const air = fleet.map((d) => countPublishes(d));
    await new Promise((r) => setTimeout(r, 500));
    for (const c of air) c.reset();

    process.stderr.write(`rolling kws 2.0.0 out to ${devices} devices…\n`);
    const t0 = performance.now();
    const rollout = await api('POST', '/api/rollouts', { name: 'bench', model: { name: 'kws', version: '2.0.0' }, target: { stream: 'kws' }, groups: [{ percent: 100 }] });
    let done = 0;
    while (done < devices) {
      await new Promise((r) => setTimeout(r, 200));
      const s = await api('GET', `/api/rollouts/${rollout.id}`);
      done = s.groups[0].jobs.SUCCEEDED ?? 0;
      const failed = (s.groups[0].jobs.FAILED ?? 0) + (s.groups[0].jobs.REJECTED ?? 0) + (s.groups[0].jobs.TIMED_OUT ?? 0);
      if (failed > 0) throw new Error(`rollout had failures: ${JSON.stringify(s.groups[0].jobs)}`);
      process.stderr.write(`\r  ${done}/${devices} succeeded`);
    }
    const seconds = (performance.now() - t0) / 1000;
    process.stderr.write('\n');
    const job = (await api('GET', `/api/ota-jobs?deviceId=${fleet[0]!.conn.deviceId}`))[0];

    const measured = air.map((c) => c.totals());
    const avg = (f: (m: (typeof measured)[number]) => number) => measured.reduce((s, m) => s + f(m), 0) / measured.length;
    const manifestBytes = Buffer.byteLength(a2.manifestText);
    const computed = Object.fromEntries(
      Object.entries(forms).map(([form, payloadBytes]) => [form, costOfTransfer(manifestBytes + payloadBytes)]),
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'ota',
        devices,
        model: { name: 'MLPerf Tiny KWS', tfliteBytes: v2.length, v2: 'v1 with the classifier head weights changed' },
        formBytes: { ...forms, manifest: manifestBytes },
        formSent: job.form,
        chunkBytes,
        seconds: Number(seconds.toFixed(2)),
        devicesPerMinute: Math.round((devices / seconds) * 60),
        measuredPerDevice: { downPayloadBytes: Math.round(avg((m) => m.downBytes)), upPayloadBytes: Math.round(avg((m) => m.upBytes)), messagesDown: avg((m) => m.downMessages), messagesUp: avg((m) => m.upMessages), radioUj: Math.round(avg((m) => m.radioUj)) },
        computedPerDeviceByForm: computed,
        radio: radio.id,
        reference: 'AWS IoT Jobs rolls out at most 1,000 devices/min; goal here 10,000/min',
        note: 'devices, platform and PGlite share the machine; radio energy from libs/energy messageCost (QoS 1, BLE 1M)',
      })}\n`,
    );
  } finally {
    await Promise.all(fleet.map((d) => d.conn.close(true)));
    platform.kill('SIGTERM');
    await waitForExit(platform);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A fine-tune: the last FULLY_CONNECTED layer's weights change, the rest of the model stays. */
function fineTunedHead(model: Uint8Array): Uint8Array {
  const m = loadModel(model);
  const fc = [...m.operators].reverse().find((o) => o.opName === 'FULLY_CONNECTED')!;
  const weights = m.tensors[fc.inputs[1]!]!.data!;
  const at = Buffer.from(model).indexOf(Buffer.from(weights));
  const out = new Uint8Array(model);
  for (let i = 0; i < weights.length; i++) out[at + i] = Math.max(-127, Math.min(127, ((weights[i]! << 24) >> 24) + ((i % 3) - 1))) & 0xff;
  return out;
}

/** Where each int8 weight buffer sits in the file (the OTA container Huffman-codes those). */
function weightRanges(model: Uint8Array): Array<{ offset: number; length: number; name: string }> {
  const file = Buffer.from(model);
  return loadModel(model)
    .tensors.filter((t) => t.data && t.dtype === 'int8' && t.byteLength >= 64)
    .map((t) => ({ offset: file.indexOf(Buffer.from(t.data!)), length: t.byteLength, name: t.name }))
    .filter((r) => r.offset >= 0)
    .sort((a, b) => a.offset - b.offset);
}

function runOnce(model: Uint8Array, input: Uint8Array): Uint8Array {
  const it = new Interpreter(loadModel(model));
  it.allocate();
  const inp = it.input(0).data;
  new Uint8Array(inp.buffer, inp.byteOffset, inp.byteLength).set(input);
  it.invoke();
  const out = it.output(0).data;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}

/** Radio cost of one transfer of `blobBytes`: offer, chunk requests (8 chunks each), chunks, ~6 status reports. */
function costOfTransfer(blobBytes: number): { chunks: number; downBytes: number; radioUj: number } {
  const chunks = otaChunkCount(blobBytes, chunkBytes);
  const requests = Math.ceil(chunks / 8);
  let radioUj = messageCost(radio, { payloadBytes: 190, direction: 'down', qos: 1, topicBytes: TOPIC_BYTES }).energyUj;
  let downBytes = 190;
  for (let i = 0; i < chunks; i++) {
    const payload = Math.min(chunkBytes, blobBytes - i * chunkBytes) + 16;
    radioUj += messageCost(radio, { payloadBytes: payload, direction: 'down', qos: 1, topicBytes: TOPIC_BYTES }).energyUj;
    downBytes += payload;
  }
  radioUj += (requests + 6) * messageCost(radio, { payloadBytes: 12, direction: 'up', qos: 1, topicBytes: TOPIC_BYTES }).energyUj;
  return { chunks, downBytes, radioUj: Math.round(radioUj) };
}

/** Counts OTA publishes both ways on a device's MQTT connection and costs each on the radio. */
function countPublishes(d: OtaTestDevice) {
  let t = { downBytes: 0, upBytes: 0, downMessages: 0, upMessages: 0, radioUj: 0 };
  const ota = (topic: string) => topic.includes('/ota-');
  d.conn.client.on('packetreceive', (p) => {
    if (p.cmd !== 'publish' || !ota(p.topic)) return;
    const n = (p.payload as Buffer).length;
    t.downBytes += n;
    t.downMessages++;
    t.radioUj += messageCost(radio, { payloadBytes: n, direction: 'down', qos: 1, topicBytes: p.topic.length }).energyUj;
  });
  d.conn.client.on('packetsend', (p) => {
    if (p.cmd !== 'publish' || !ota(p.topic)) return;
    const n = (p.payload as Buffer).length;
    t.upBytes += n;
    t.upMessages++;
    t.radioUj += messageCost(radio, { payloadBytes: n, direction: 'up', qos: 1, topicBytes: p.topic.length }).energyUj;
  });
  return { reset: () => (t = { downBytes: 0, upBytes: 0, downMessages: 0, upMessages: 0, radioUj: 0 }), totals: () => t };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:ota failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
