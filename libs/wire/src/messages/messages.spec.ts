import { hexToBytes } from '../fixtures/golden.fixtures';
import { decodeDeviceConfigV1, encodeDeviceConfigV1, type DeviceConfigV1 } from './device-config.v1';
import { decodeEnergySnapshotV1, encodeEnergySnapshotV1, type EnergySnapshotV1 } from './energy-snapshot.v1';
import {
  decodeInferenceEventV1,
  encodeInferenceEventV1,
  modelTagOf,
  type InferenceEventV1,
} from './inference-event.v1';
import { encodeProvisionRequestV1, type ProvisionRequestV1 } from './provision-request.v1';
import {
  decodeProvisionResponseV1,
  encodeProvisionResponseV1,
  type ProvisionResponseV1,
} from './provision-response.v1';
import { decodeStatusV1, encodeStatusV1, type StatusV1 } from './status.v1';
import { fixture, reasonOf } from '../fixtures/spec-helpers';
import { UNIX_MS_MAX } from '../schema';

const event = (): InferenceEventV1 => fixture('event, typical');
const status = (): StatusV1 => fixture('status, slot A active, slot B empty');
const energy = (): EnergySnapshotV1 => fixture('energy snapshot');
const request = (): ProvisionRequestV1 => fixture('provision request');
const registered = (): ProvisionResponseV1 => fixture('provision response, registered');
const config = (): DeviceConfigV1 => fixture('config');

describe('encode validates before encoding (WireError schema)', () => {
  it.each<[string, () => unknown]>([
    ['seq negative', () => encodeInferenceEventV1({ ...event(), seq: -1 })],
    ['seq > uint32', () => encodeInferenceEventV1({ ...event(), seq: 2 ** 32 })],
    ['seq fraction', () => encodeInferenceEventV1({ ...event(), seq: 1.5 })],
    ['seq NaN', () => encodeInferenceEventV1({ ...event(), seq: NaN })],
    ['seq as string', () => encodeInferenceEventV1({ ...event(), seq: '1' as unknown as number })],
    ['seq as bigint', () => encodeInferenceEventV1({ ...event(), seq: 1n as unknown as number })],
    ['timestampMs > 2^53-1', () => encodeInferenceEventV1({ ...event(), timestampMs: 2 ** 53 })],
    ['timestampMs Infinity', () => encodeInferenceEventV1({ ...event(), timestampMs: Infinity })],
    ['label 256', () => encodeInferenceEventV1({ ...event(), label: 256 })],
    ['scoreQ 128', () => encodeInferenceEventV1({ ...event(), scoreQ: 128 })],
    ['scoreQ -129', () => encodeInferenceEventV1({ ...event(), scoreQ: -129 })],
    ['unknown field', () => encodeInferenceEventV1({ ...event(), latencyMs: 1 } as InferenceEventV1)],
    ['missing field', () => encodeInferenceEventV1({ ...event(), energyUj: undefined } as unknown as InferenceEventV1)],
    ['not an object', () => encodeInferenceEventV1(null as unknown as InferenceEventV1)],
    ['array instead of object', () => encodeInferenceEventV1([1, 2, 3, 4, 5, 6, 7] as unknown as InferenceEventV1)],
    ['firmwareVersion too long', () => encodeStatusV1({ ...status(), firmwareVersion: 'x'.repeat(33) })],
    ['firmwareVersion empty', () => encodeStatusV1({ ...status(), firmwareVersion: '' })],
    ['firmwareVersion non-ASCII', () => encodeStatusV1({ ...status(), firmwareVersion: 'v1-é' })],
    ['interpreterVersion not semver', () => encodeStatusV1({ ...status(), interpreterVersion: '1.2' })],
    ['batteryPct 101', () => encodeStatusV1({ ...status(), batteryPct: 101 })],
    ['batteryMv 65536', () => encodeStatusV1({ ...status(), batteryMv: 65536 })],
    ['activeSlot 2', () => encodeStatusV1({ ...status(), activeSlot: 2 as 0 })],
    ['one slot only', () => encodeStatusV1({ ...status(), slots: [null] as unknown as StatusV1['slots'] })],
    [
      'sha256 31 bytes',
      () => {
        const s = status();
        s.slots[0]!.sha256 = new Uint8Array(31);
        return encodeStatusV1(s);
      },
    ],
    [
      'sha256 as number[]',
      () => {
        const s = status();
        s.slots[0]!.sha256 = Array.from(new Uint8Array(32)) as unknown as Uint8Array;
        return encodeStatusV1(s);
      },
    ],
    [
      'modelId uppercase',
      () => {
        const s = status();
        s.slots[0]!.modelId = 'KWS';
        return encodeStatusV1(s);
      },
    ],
    ['energy counter negative', () => encodeEnergySnapshotV1({ ...energy(), sleepUj: -1 })],
    ['energy bootId > uint32', () => encodeEnergySnapshotV1({ ...energy(), bootId: 2 ** 32 })],
    ['hardwareId too long', () => encodeProvisionRequestV1({ ...request(), hardwareId: 'h'.repeat(65) })],
    ['hardwareId control char', () => encodeProvisionRequestV1({ ...request(), hardwareId: 'a\nb' })],
    ['mcuProfile bad charset', () => encodeProvisionRequestV1({ ...request(), mcuProfile: 'Cortex_M4' })],
    [
      'registered with null secret',
      () => encodeProvisionResponseV1({ ...(registered() as object), deviceSecret: null } as ProvisionResponseV1),
    ],
    [
      'refused with accepted fields',
      () =>
        encodeProvisionResponseV1({
          status: 'refused',
          reason: 'rate-limited',
          retryAfterS: 1,
          deviceId: 'abc',
        } as ProvisionResponseV1),
    ],
    [
      'unknown status',
      () => encodeProvisionResponseV1({ ...(registered() as object), status: 'ok' } as unknown as ProvisionResponseV1),
    ],
    [
      'unknown refusal reason',
      () => encodeProvisionResponseV1({ status: 'refused', reason: 'nope' as 'rate-limited', retryAfterS: null }),
    ],
    [
      'bad deviceId',
      () => encodeProvisionResponseV1({ ...(registered() as object), deviceId: 'X' } as ProvisionResponseV1),
    ],
    ['config interval 0', () => encodeDeviceConfigV1({ ...config(), statusIntervalS: 0 })],
    ['config interval > 1 day', () => encodeDeviceConfigV1({ ...config(), energyIntervalS: 86_401 })],
    ['config unknown policy', () => encodeDeviceConfigV1({ ...config(), eventPolicy: 'sometimes' as 'every' })],
  ])('%s', (_name, fn) => {
    expect(reasonOf(fn)).toBe('schema');
  });

  it('accepts boundary values', () => {
    expect(reasonOf(() => encodeInferenceEventV1({ ...event(), timestampMs: UNIX_MS_MAX, scoreQ: 127 }))).toBe('ok');
    // One ms past the end of the Date range: once accepted and stored, it broke the device's event listing.
    expect(reasonOf(() => encodeInferenceEventV1({ ...event(), timestampMs: 8_640_000_000_000_001 }))).toBe('schema');
    expect(reasonOf(() => encodeStatusV1({ ...status(), slots: [null, null], firmwareVersion: '~'.repeat(32) }))).toBe(
      'ok',
    );
    expect(
      reasonOf(() =>
        encodeProvisionResponseV1({
          status: 'reused',
          deviceId: 'abc',
          deviceSecret: 'x'.repeat(16),
          mqttUsername: 'u',
        }),
      ),
    ).toBe('ok');
  });
});

describe('decode rejects wrong shapes (WireError schema)', () => {
  it.each([
    ['event: 6 elements', () => decodeInferenceEventV1(hexToBytes('86 00 00 00 00 00 00'))],
    ['event: 8 elements', () => decodeInferenceEventV1(hexToBytes('88 00 00 00 00 00 00 00 00'))],
    ['event: map instead of array', () => decodeInferenceEventV1(hexToBytes('a1 00 00'))],
    ['event: bare integer', () => decodeInferenceEventV1(hexToBytes('00'))],
    ['event: label 256', () => decodeInferenceEventV1(hexToBytes('87 00 00 00 19 01 00 00 00 00'))],
    ['event: scoreQ -129', () => decodeInferenceEventV1(hexToBytes('87 00 00 00 00 38 80 00 00'))],
    ['event: seq as text', () => decodeInferenceEventV1(hexToBytes('87 61 31 00 00 00 00 00 00'))],
    ['event: null seq', () => decodeInferenceEventV1(hexToBytes('87 f6 00 00 00 00 00 00'))],
    [
      'event: timestamp 2^53',
      () => decodeInferenceEventV1(hexToBytes('87 00 1b 00 20 00 00 00 00 00 00 00 00 00 00 00')),
    ],
    [
      'event: timestamp 2^64-1',
      () => decodeInferenceEventV1(hexToBytes('87 00 1b ff ff ff ff ff ff ff ff 00 00 00 00 00')),
    ],
    [
      'event: negative seq -2^64',
      () => decodeInferenceEventV1(hexToBytes('87 3b ff ff ff ff ff ff ff ff 00 00 00 00 00 00')),
    ],
    ['event: bool label', () => decodeInferenceEventV1(hexToBytes('87 00 00 00 f5 00 00 00'))],
    [
      'status: slot is an integer instead of array/null',
      () => decodeStatusV1(hexToBytes('8a 00 61 31 65 30 2e 30 2e 30 00 00 00 00 82 00 f6 00 00')),
    ],
    ['energy: 17 elements', () => decodeEnergySnapshotV1(hexToBytes('91' + ' 00'.repeat(17)))],
    [
      'response: registered with null secret',
      () => decodeProvisionResponseV1(hexToBytes('84 00 63 61 62 63 f6 61 75')),
    ],
    ['response: status code 4', () => decodeProvisionResponseV1(hexToBytes('83 04 00 f6'))],
    ['response: refused with 4 elements', () => decodeProvisionResponseV1(hexToBytes('84 03 00 f6 f6'))],
    ['response: refusal reason 11', () => decodeProvisionResponseV1(hexToBytes('83 03 0b f6'))],
    ['response: empty array', () => decodeProvisionResponseV1(hexToBytes('80'))],
    ['config: policy 3', () => decodeDeviceConfigV1(hexToBytes('84 01 01 03 00'))],
    ['config: interval 0', () => decodeDeviceConfigV1(hexToBytes('84 00 01 00 00'))],
  ])('%s', (_name, fn) => {
    expect(reasonOf(fn)).toBe('schema');
  });

  it('reports oversized before parsing', () => {
    expect(reasonOf(() => decodeInferenceEventV1(new Uint8Array(65)))).toBe('oversized');
    expect(reasonOf(() => decodeDeviceConfigV1(new Uint8Array(129)))).toBe('oversized');
    expect(reasonOf(() => decodeStatusV1(new Uint8Array(513)))).toBe('oversized');
  });

  it('error messages name the field', () => {
    try {
      decodeInferenceEventV1(hexToBytes('87 00 00 00 19 01 00 00 00 00'));
      throw new Error('unreachable');
    } catch (error) {
      expect((error as Error).message).toContain('InferenceEventV1.label');
      expect((error as Error).name).toBe('WireError');
    }
  });
});

describe('modelTagOf', () => {
  it('is the first 4 bytes of the sha256, big-endian, unsigned (also from a view into a larger buffer)', () => {
    const sha = new Uint8Array(40).fill(7);
    sha.set([0xca, 0xdd, 0x62, 0xf4], 8);
    expect(modelTagOf(sha.subarray(8, 40))).toBe(0xcadd62f4);
  });
});
