import {
  crc32,
  evidenceWindowBlob,
  evidenceWindowSignedBytes,
  modelTagOf,
  type EvidenceChunkV1,
} from '@tinyfleet/wire';
import { createHmac } from 'node:crypto';
import { EvidenceIngestService } from '../apps/platform/src/evidence/evidence-ingest.service';
import { DeviceConnection } from '../device-sim/src/mqtt/device-connection';
import { evidenceKey, protocolDeviceRunning } from './support/devices';
import { bootTestPlatform, TestPlatform } from './support/test-platform';
import { bootTimeout } from './support/wait';

const SHA = new Uint8Array(32).map((_, i) => 32 - i);
const TAG = modelTagOf(SHA);

/**
 * A request bounds what it costs (docs/protocol.md §12.2, `over-request`): a correctly signed window
 * the request did not ask for — an index at or past maxWindows, or one that takes the device's bytes
 * past maxBytes — is refused and not stored, over real PostgreSQL.
 */
describe('evidence beyond what the request asked for', () => {
  let platform: TestPlatform;
  let conn: DeviceConnection;
  let deviceId: string;
  let secret: string;

  beforeAll(async () => {
    platform = await bootTestPlatform('postgres', { OTA_TICK_MS: '0', EVIDENCE_TICK_MS: '0' });
    ({ conn, deviceId, secret } = await protocolDeviceRunning(platform, 'ev-over-1', {
      modelId: 'over',
      modelVersion: '1.0.0',
      sha256: SHA,
    }));
  }, bootTimeout(1));

  afterAll(async () => {
    await conn?.close(true);
    await platform?.stop();
  });

  /** A whole, correctly signed window blob as one chunk (16 float32 values: one chunk). */
  function windowChunk(requestId: number, windowIndex: number): EvidenceChunkV1 {
    const data = new Uint8Array(Float32Array.from({ length: 16 }, (_, i) => i / 4).buffer);
    const signed = evidenceWindowSignedBytes(
      {
        requestId,
        windowIndex,
        modelTag: TAG,
        timestampMs: Date.now(),
        label: 0,
        scoreQ: 10,
        marginQ: 2,
        format: 'f32le',
        samples: 4,
        valuesPerSample: 4,
        imageWidth: 0,
        dataBytes: data.length,
      },
      data,
    );
    const key = evidenceKey(secret);
    const b = evidenceWindowBlob(signed, new Uint8Array(createHmac('sha256', key).update(signed).digest()));
    return { requestId, windowIndex, windowCount: 2, totalBytes: b.length, offset: 0, crc32: crc32(b), data: b };
  }

  const ask = async (maxWindows: number, maxBytes: number): Promise<number> => {
    const created = await platform.api('POST', '/api/evidence/requests', {
      modelTag: TAG,
      deviceIds: [deviceId],
      selector: 'any',
      maxWindows,
      maxBytes,
    });
    expect(created.status).toBe(201);
    return created.body.id as number;
  };
  const stored = async (requestId: number) =>
    (await platform.api('GET', `/api/evidence/requests/${requestId}`)).body.devices[0] as {
      windowsStored: number;
      receivedBytes: number;
    };

  it('refuses a window index at or past maxWindows, and keeps the one asked for', async () => {
    const ingest = platform.app.get(EvidenceIngestService);
    const id = await ask(1, 10_000);
    expect(await ingest.onChunk(deviceId, windowChunk(id, 1))).toBe('over-request');
    expect(await ingest.onChunk(deviceId, windowChunk(id, 0))).toBe('stored');
    expect(await stored(id)).toMatchObject({ windowsStored: 1 });
  });

  it('refuses a window that takes the bytes past maxBytes; exactly maxBytes is stored', async () => {
    const ingest = platform.app.get(EvidenceIngestService);
    const blobBytes = windowChunk(0, 0).totalBytes;
    const id = await ask(2, blobBytes + 1);
    expect(await ingest.onChunk(deviceId, windowChunk(id, 0))).toBe('stored');
    expect(await ingest.onChunk(deviceId, windowChunk(id, 1))).toBe('over-request');
    expect(await stored(id)).toMatchObject({ windowsStored: 1, receivedBytes: blobBytes });
    const exact = await ask(2, 2 * blobBytes);
    expect(await ingest.onChunk(deviceId, windowChunk(exact, 0))).toBe('stored');
    expect(await ingest.onChunk(deviceId, windowChunk(exact, 1))).toBe('stored');
    const metrics = await platform.api('GET', '/metrics');
    expect(metrics.body).toMatch(/tinyfleet_evidence_refused_total\{reason="over-request"\} 2/);
  });
});
