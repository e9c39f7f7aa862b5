import {
  crc32,
  decodeEvidenceRequestV1,
  encodeEvidenceChunkV1,
  encodeEvidenceStatusV1,
  EVIDENCE_MAX_CHUNK_BYTES,
  evidenceWindowBlob,
  evidenceWindowSignedBytes,
  modelTagOf,
  parseTopic,
  type EvidenceChunkV1,
  type EvidenceRequestV1,
} from '@tinyfleet/wire';
import { createHmac } from 'node:crypto';
import { EvidenceRetentionExecutor } from '../apps/platform/src/evidence/evidence-retention.executor';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { evidenceKey, protocolDeviceRunning } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout, waitUntil } from './support/wait';

const SHA = new Uint8Array(32).map((_, i) => i + 1);
const TAG = modelTagOf(SHA);
const DAY_MS = 86_400_000;

/**
 * A device written from docs/protocol.md §12 alone (no simulator code): it reports a model in its
 * status, hears the platform's evidence request, accepts it, and uploads a 1,200-value window (a 4.8 kB blob) as
 * three chunks in reverse order with one repeated. The platform stores it once, verified; a second
 * window with a chunk of the wrong size, and one whose header names another window, are refused.
 */
describe('evidence from a device written from the protocol', () => {
  let platform: TestPlatform;
  let conn: DeviceConnection;
  let secret: string;
  const requests: EvidenceRequestV1[] = [];

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', EVIDENCE_TICK_MS: '0' });
    ({ conn, secret } = await protocolDeviceRunning(platform, 'ev-proto-1', {
      modelId: 'proto',
      modelVersion: '1.0.0',
      sha256: SHA,
    }));
    conn.client.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (t?.scope === 'device' && t.direction === 'down' && t.kind === 'evidence-request')
        requests.push(decodeEvidenceRequestV1(new Uint8Array(payload)));
    });
  }, bootTimeout(1));

  afterAll(async () => {
    await conn?.close(true);
    await platform?.stop();
  });

  const key = () => evidenceKey(secret);
  const values = Float32Array.from({ length: 1200 }, (_, i) => Math.sin(i / 10));

  function blob(requestId: number, windowIndex: number, signWith = key()): Uint8Array {
    const data = new Uint8Array(values.buffer.slice(0));
    const signed = evidenceWindowSignedBytes(
      {
        requestId,
        windowIndex,
        modelTag: TAG,
        timestampMs: Date.now(),
        label: 1,
        scoreQ: 3,
        marginQ: 4,
        format: 'f32le',
        samples: 240,
        valuesPerSample: 5,
        imageWidth: 0,
        dataBytes: data.length,
      },
      data,
    );
    return evidenceWindowBlob(signed, new Uint8Array(createHmac('sha256', signWith).update(signed).digest()));
  }

  const chunk = (
    b: Uint8Array,
    requestId: number,
    windowIndex: number,
    offset: number,
    size: number,
  ): EvidenceChunkV1 => {
    const data = b.subarray(offset, Math.min(b.length, offset + size));
    return { requestId, windowIndex, windowCount: 3, totalBytes: b.length, offset, crc32: crc32(data), data };
  };
  const send = (c: EvidenceChunkV1) => conn.publishEncoded('evidence', encodeEvidenceChunkV1(c));

  it('stores a window sent out of order with a repeat, and refuses bad layouts and mismatches', async () => {
    const created = await platform.api('POST', '/api/evidence/requests', {
      modelTag: TAG,
      selector: 'low-margin',
      marginQ: 16,
      maxWindows: 3,
      maxBytes: 100_000,
      deadlineS: 600,
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    await waitUntil(
      () => requests.length,
      (n) => n > 0,
    );
    const r = requests[0]!;
    expect(r).toMatchObject({ requestId: id, modelTag: TAG, selector: 'low-margin', marginQ: 16, maxWindows: 3 });
    // Its deadline is in the device's clock (here the same as the platform's): 600 s from now.
    expect(Math.abs(r.deadlineMs - (Date.now() + 600_000))).toBeLessThan(60_000);

    const b0 = blob(id, 0);
    await conn.publishEncoded(
      'evidence-status',
      encodeEvidenceStatusV1({
        requestId: id,
        state: 'accepted',
        reason: 'none',
        windowCount: 3,
        plannedBytes: 3 * b0.length,
        budgetLeftBytes: 0,
      }),
    );
    const offsets = [2 * EVIDENCE_MAX_CHUNK_BYTES, EVIDENCE_MAX_CHUNK_BYTES, EVIDENCE_MAX_CHUNK_BYTES, 0];
    for (const o of offsets) await send(chunk(b0, id, 0, o, EVIDENCE_MAX_CHUNK_BYTES));
    // Window 1: a chunk of another size (1,000 bytes) is refused. Window 2: its header says window 0.
    await send(chunk(blob(id, 1), id, 1, 0, 1000));
    const b2 = blob(id, 0);
    for (let o = 0; o < b2.length; o += EVIDENCE_MAX_CHUNK_BYTES)
      await send(chunk(b2, id, 2, o, EVIDENCE_MAX_CHUNK_BYTES));
    await conn.publishEncoded(
      'evidence-status',
      encodeEvidenceStatusV1({
        requestId: id,
        state: 'done',
        reason: 'none',
        windowCount: 3,
        plannedBytes: 3 * b0.length,
        budgetLeftBytes: 0,
      }),
    );

    const dev = (await platform.api('GET', `/api/evidence/requests/${id}`)).body.devices[0];
    expect(dev).toMatchObject({ state: 'done', windowCount: 3, windowsStored: 1, receivedBytes: b0.length });
    const [w] = (await platform.api('GET', `/api/evidence/windows?requestId=${id}`)).body;
    const detail = (await platform.api('GET', `/api/evidence/windows/${w.id}`)).body;
    expect(detail).toMatchObject({ windowIndex: 0, samples: 240, valuesPerSample: 5, predicted: 1, marginQ: 4 });
    expect(detail.values).toEqual(Array.from(values));
    const metrics = (await platform.api('GET', '/metrics')).body;
    expect(metrics).toMatch(/tinyfleet_evidence_refused_total\{reason="chunk-layout"\} 1/);
    expect(metrics).toMatch(/tinyfleet_evidence_refused_total\{reason="window-mismatch"\} 1/);
    expect(metrics).toMatch(/tinyfleet_evidence_windows_total 1/);

    // Retention: the window is kept EVIDENCE_RETENTION_DAYS (30) from its arrival, then swept; a
    // second sweep finds nothing (the tick is idempotent).
    const retention = platform.app.get(EvidenceRetentionExecutor);
    expect(await retention.tick(new Date(Date.now() + 29 * DAY_MS))).toMatchObject({ windows: 0 });
    expect((await retention.tick(new Date(Date.now() + 31 * DAY_MS))).windows).toBe(1);
    expect((await retention.tick(new Date(Date.now() + 31 * DAY_MS))).windows).toBe(0);
    expect((await platform.api('GET', `/api/evidence/windows/${w.id}`)).status).toBe(404);
  }, 120_000);
});
