import { WireError } from './errors';
import { bytesToHex, GOLDEN_FIXTURES, hexToBytes } from './fixtures/golden.fixtures';
import * as wire from './index';

const hexOf = (name: string): Uint8Array => hexToBytes(GOLDEN_FIXTURES.find((f) => f.name === name)!.hex);
const messageOf = (name: string): unknown => GOLDEN_FIXTURES.find((f) => f.name === name)!.message;

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof WireError) return error.reason;
    throw error;
  }
  return 'ok';
}

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

  it('decodeDeviceUplink parses the topic then the payload', () => {
    const topic = wire.deviceUplinkTopic('dev-0001', 'event');
    expect(wire.decodeDeviceUplink(topic, hexOf('event, typical'))).toEqual({
      deviceId: 'dev-0001',
      kind: 'event',
      message: messageOf('event, typical'),
    });
    expect(reasonOf(() => wire.decodeDeviceUplink('tinyfleet/v1/d/dev-0001/down/config', hexOf('config')))).toBe('unknown-topic');
    expect(reasonOf(() => wire.decodeDeviceUplink('tinyfleet/v1/d/+/up/event', hexOf('event, typical')))).toBe('unknown-topic');
  });

  it('MAX_PAYLOAD_BYTES matches the documented limits', () => {
    expect(wire.MAX_PAYLOAD_BYTES).toEqual({
      event: 64,
      status: 512,
      energy: 512,
      config: 128,
      provisionRequest: 512,
      provisionResponse: 512,
    });
  });
});
