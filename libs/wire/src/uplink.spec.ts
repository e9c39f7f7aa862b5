import { bytesToHex, GOLDEN_FIXTURES } from './fixtures/golden.fixtures';
import * as wire from './index';
import { hexOf, reasonOf } from './fixtures/spec-helpers';

const messageOf = (name: string): unknown => GOLDEN_FIXTURES.find((f) => f.name === name)!.message;

describe('kind dispatch', () => {
  it('decodeUplink returns a discriminated union', () => {
    const event = wire.decodeUplink('event', hexOf('event, typical'));
    expect(event).toEqual({ kind: 'event', message: messageOf('event, typical') });
    if (event.kind === 'event') expect(event.message.seq).toBe(1234); // narrows at compile time
    expect(wire.decodeUplink('status', hexOf('status, slot A active, slot B empty')).kind).toBe('status');
    expect(wire.decodeUplink('energy', hexOf('energy snapshot')).kind).toBe('energy');
  });

  it('decodeUplink rejects unknown kinds and mismatched payloads', () => {
    expect(reasonOf(() => wire.decodeUplink('ota' as wire.UplinkKind, hexOf('event, typical')))).toBe('unknown-topic');
    expect(reasonOf(() => wire.decodeUplink('status', hexOf('event, typical')))).toBe('schema');
    expect(reasonOf(() => wire.decodeUplink('event', hexOf('status, slot A active, slot B empty')))).toBe('oversized');
  });

  it('encodeUplink / encodeDownlink / decodeDownlink', () => {
    const uplink: wire.UplinkMessage = { kind: 'event', message: messageOf('event, typical') as wire.InferenceEventV1 };
    expect(bytesToHex(wire.encodeUplink(uplink))).toBe(bytesToHex(hexOf('event, typical')));
    const downlink = wire.decodeDownlink('config', hexOf('config'));
    expect(downlink).toEqual({ kind: 'config', message: messageOf('config') });
    expect(bytesToHex(wire.encodeDownlink(downlink))).toBe(bytesToHex(hexOf('config')));
    expect(reasonOf(() => wire.encodeUplink({ kind: 'nope' } as unknown as wire.UplinkMessage))).toBe('unknown-topic');
    expect(reasonOf(() => wire.decodeDownlink('event' as wire.DownlinkKind, hexOf('config')))).toBe('unknown-topic');
  });

  it('dispatches the OTA kinds', () => {
    for (const [kind, name] of [
      ['ota-status', 'ota status, rejected'],
      ['ota-request', 'ota request, resume at chunk 2'],
    ] as const) {
      const decoded = wire.decodeUplink(kind, hexOf(name));
      expect(decoded).toEqual({ kind, message: messageOf(name) });
      expect(bytesToHex(wire.encodeUplink(decoded))).toBe(bytesToHex(hexOf(name)));
    }
    for (const [kind, name] of [
      ['ota-offer', 'ota offer, delta'],
      ['ota-chunk', 'ota chunk, last chunk'],
      ['ota-cancel', 'ota cancel, superseded'],
    ] as const) {
      const decoded = wire.decodeDownlink(kind, hexOf(name));
      expect(decoded).toEqual({ kind, message: messageOf(name) });
      expect(bytesToHex(wire.encodeDownlink(decoded))).toBe(bytesToHex(hexOf(name)));
    }
    const status = wire.decodeUplink('ota-status', hexOf('ota status, rejected'));
    expect(status.message.reason).toBe('unknown-base'); // narrowed to OtaStatusV1 at compile time
    expect(
      wire.decodeDeviceUplink(
        wire.deviceUplinkTopic('dev-0001', 'ota-request'),
        hexOf('ota request, resume at chunk 2'),
      ),
    ).toEqual({
      deviceId: 'dev-0001',
      kind: 'ota-request',
      message: { jobId: 42, firstChunk: 2, chunkCount: 2 },
    });
    expect(
      reasonOf(() => wire.decodeDeviceUplink('tinyfleet/v1/d/dev-0001/down/ota-chunk', hexOf('ota chunk, last chunk'))),
    ).toBe('unknown-topic');
    expect(reasonOf(() => wire.decodeUplink('ota-offer' as wire.UplinkKind, hexOf('ota offer, delta')))).toBe(
      'unknown-topic',
    );
    expect(reasonOf(() => wire.decodeDownlink('ota-status' as wire.DownlinkKind, hexOf('ota status, rejected')))).toBe(
      'unknown-topic',
    );
    expect(reasonOf(() => wire.decodeDownlink('ota-cancel', new Uint8Array(65)))).toBe('oversized');
    expect(reasonOf(() => wire.decodeDownlink('ota-chunk', new Uint8Array(4225)))).toBe('oversized');
  });

  it('dispatches up/accuracy', () => {
    for (const name of ['accuracy report, two models', 'accuracy report, no models yet']) {
      const decoded = wire.decodeUplink('accuracy', hexOf(name));
      expect(decoded).toEqual({ kind: 'accuracy', message: messageOf(name) });
      expect(bytesToHex(wire.encodeUplink(decoded))).toBe(bytesToHex(hexOf(name)));
    }
    const report = wire.decodeUplink('accuracy', hexOf('accuracy report, two models'));
    expect(report.message.models[1]!.correct).toBe(1131); // narrowed to AccuracyReportV1 at compile time
    expect(wire.UPLINK_CODECS.accuracy).toBe(wire.accuracyReportV1Codec);
    expect(
      wire.decodeDeviceUplink(wire.deviceUplinkTopic('dev-0001', 'accuracy'), hexOf('accuracy report, no models yet')),
    ).toEqual({
      deviceId: 'dev-0001',
      kind: 'accuracy',
      message: { bootId: 1592594996, seq: 0, timestampMs: 1764201600000, models: [] },
    });
    expect(
      reasonOf(() =>
        wire.decodeDeviceUplink('tinyfleet/v1/d/dev-0001/down/accuracy', hexOf('accuracy report, two models')),
      ),
    ).toBe('unknown-topic');
    expect(
      reasonOf(() => wire.decodeDownlink('accuracy' as wire.DownlinkKind, hexOf('accuracy report, two models'))),
    ).toBe('unknown-topic');
    expect(reasonOf(() => wire.decodeUplink('energy', hexOf('accuracy report, two models')))).toBe('schema');
    expect(reasonOf(() => wire.decodeUplink('accuracy', hexOf('energy snapshot')))).toBe('schema');
    expect(reasonOf(() => wire.decodeUplink('accuracy', new Uint8Array(257)))).toBe('oversized');
  });

  it('decodeDeviceUplink parses the topic then the payload', () => {
    const topic = wire.deviceUplinkTopic('dev-0001', 'event');
    expect(wire.decodeDeviceUplink(topic, hexOf('event, typical'))).toEqual({
      deviceId: 'dev-0001',
      kind: 'event',
      message: messageOf('event, typical'),
    });
    expect(reasonOf(() => wire.decodeDeviceUplink('tinyfleet/v1/d/dev-0001/down/config', hexOf('config')))).toBe(
      'unknown-topic',
    );
    expect(reasonOf(() => wire.decodeDeviceUplink('tinyfleet/v1/d/+/up/event', hexOf('event, typical')))).toBe(
      'unknown-topic',
    );
  });

  it('MAX_PAYLOAD_BYTES matches the documented limits', () => {
    expect(wire.MAX_PAYLOAD_BYTES).toEqual({
      event: 64,
      status: 512,
      energy: 512,
      config: 128,
      provisionRequest: 512,
      provisionResponse: 2048,
      'ota-status': 64,
      'ota-request': 64,
      'ota-offer': 512,
      'ota-chunk': 4224,
      'ota-cancel': 64,
      accuracy: 256,
      summary: 2048,
      capabilities: 128,
      evidence: 2176,
      'evidence-status': 64,
      'evidence-request': 128,
      evidenceWindow: 128,
    });
  });
});
