import type { ArtifactManifest } from '@tinyfleet/artifact';
import { otaJobMachine } from '../jobs/ota-job.state-machine';
import { IllegalTransitionError } from '../../common/state-machine';
import { compareSemver } from '@tinyfleet/artifact';
import { checkCompatibility, DeviceFacts } from './compatibility';
import { encodeOpSetBytes, OP_SET_BUILDS, type OpSetEntry } from '@tinyfleet/tinyml';
import { FAR_FUTURE_OP_CODE, opSetWithUnknownCodes } from '../../../../../libs/tinyml/src/testing/op-set-fixtures';
import { evaluateGates, SideStats } from './health-gates';
import { notificationBudget, ratePerMinute, splitIntoGroups } from './pacing';
import { rolloutMachine } from './rollout.state-machine';

const manifest = (over: Partial<ArtifactManifest> = {}): ArtifactManifest =>
  ({
    recipe: 'soil',
    model: { file: 'model.tflite', sha256: 'ab'.repeat(32), bytes: 20_000 },
    arenaBytes: 4_000,
    ops: { FULLY_CONNECTED: 3, SOFTMAX: 1 },
    minInterpreterVersion: '0.1.0',
    inputs: [{ name: 'x', dtype: 'int8', shape: [1, 24], scale: 0.1, zeroPoint: 0 }],
    outputs: [{ name: 'y', dtype: 'int8', shape: [1, 2], scale: 1 / 256, zeroPoint: -128 }],
    preprocessing: {
      kind: 'window',
      channels: ['vwc'],
      windowLength: 24,
      mean: [0],
      std: [1],
      transform: 'none',
      quantization: { scale: 0.1, zeroPoint: 0, dtype: 'int8' },
    },
    ...over,
  }) as ArtifactManifest;

const device = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({
  id: 'dev-1',
  mcuProfile: 'nrf52840',
  sensorStream: 'soil',
  interpreterVersion: '0.1.0',
  activeModelBytes: 20_000,
  activeManifest: null,
  opSet: null,
  ...over,
});

/** What opsNeeded gives for manifest()'s model: int8 FULLY_CONNECTED and SOFTMAX. */
const NEEDED: OpSetEntry[] = [
  { op: 'FULLY_CONNECTED', types: ['int8'] },
  { op: 'SOFTMAX', types: ['int8'] },
];
const check = (d: DeviceFacts, m: ArtifactManifest, needed: OpSetEntry[] = NEEDED) => checkCompatibility(d, m, needed);

describe('rollout planning', () => {
  it('splits devices hawkBit-style: percents, counts, the last group takes the rest', () => {
    const ids = Array.from({ length: 10 }, (_, i) => i);
    const t = { successThresholdPct: 100, errorThresholdPct: 20 };
    expect(
      splitIntoGroups(ids, [
        { count: 1, ...t },
        { percent: 30, ...t },
        { percent: 0, ...t },
      ]),
    ).toEqual([[0], [1, 2, 3], [4, 5, 6, 7, 8, 9]]);
    expect(
      splitIntoGroups(
        [1, 2],
        [
          { percent: 50, ...t },
          { percent: 50, ...t },
          { percent: 50, ...t },
        ],
      ),
    ).toEqual([[1], [2], []]);
  });

  it('paces notifications like AWS IoT Jobs: constant, or exponential every N notified', () => {
    const exp = {
      type: 'exponential',
      basePerMinute: 50,
      incrementFactor: 2,
      everyNotified: 1000,
      maxPerMinute: 300,
    } as const;
    expect([0, 999, 1000, 2500, 9000].map((n) => ratePerMinute(exp, n))).toEqual([50, 50, 100, 200, 300]);
    expect(notificationBudget({ type: 'constant', perMinute: 10 }, 500, 7)).toBe(3);
    expect(notificationBudget({ type: 'constant', perMinute: 10 }, 500, 12)).toBe(0);
    expect(notificationBudget(undefined, 0, 1e6)).toBe(Number.POSITIVE_INFINITY);
  });

  it('admits a model that fits and refuses, with numbers, one that does not', () => {
    expect(check(device(), manifest())).toEqual({ ok: true });
    const tooBig = check(
      device({ mcuProfile: 'atmega328p' }),
      manifest({ model: { file: 'm', sha256: '', bytes: 300_568 }, arenaBytes: 55_296 }),
    );
    expect(tooBig).toEqual({
      ok: false,
      reason:
        'flash: model 300568 B > 480 B free (32768 B − firmware 12288 B − active slot 20000 B) on atmega328p; RAM: arena (activations) 55296 B > 1280 B free (2048 B − firmware 768 B) on atmega328p',
    });
    // Admission holds the device to the interpreter's whole device memory, not the activations alone.
    const memory = { activationsBytes: 2_000, scratchBytes: 1_000, persistentBytes: 397_000, totalBytes: 400_000 };
    expect(check(device(), manifest({ arenaBytes: 2_000, memory }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^RAM: interpreter memory 400000 B > \d+ B free/),
    });
    expect(check(device({ interpreterVersion: '0.0.9' }), manifest())).toMatchObject({
      ok: false,
      reason: 'interpreter 0.0.9 < required 0.1.0',
    });
    expect(check(device(), manifest({ ops: { FULLY_CONNECTED: 1, LSTM: 1 } }))).toMatchObject({
      ok: false,
      reason: 'ops not supported by the interpreter: LSTM',
    });
    expect(check(device({ sensorStream: 'gas' }), manifest())).toMatchObject({
      ok: false,
      reason: 'model (recipe soil) is not for the gas stream this device reads',
    });
    // A fresh gas-ethylene device takes a versioned recipe of its stream ('gas-ethylene-v2' once split to 'gas').
    expect(check(device({ sensorStream: 'gas-ethylene' }), manifest({ recipe: 'gas-ethylene-v2' }))).toEqual({
      ok: true,
    });
    expect(
      check(
        device({
          activeManifest: manifest({ inputs: [{ name: 'x', dtype: 'int8', shape: [1, 12], scale: 1, zeroPoint: 0 }] }),
        }),
        manifest(),
      ),
    ).toMatchObject({
      ok: false,
      reason: "input int8[1x24] ≠ the device's int8[1x12]",
    });
    expect(check(device({ mcuProfile: 'z80' }), manifest())).toMatchObject({ ok: false });
  });

  it('refuses a device whose reported op set lacks an op or a type the model needs, naming them', () => {
    const atmega = device({ opSet: encodeOpSetBytes(OP_SET_BUILDS['atmega328p-dense']) });
    expect(check(atmega, manifest())).toEqual({ ok: true });
    expect(
      check(atmega, manifest(), [
        { op: 'FULLY_CONNECTED', types: ['int8'] },
        { op: 'SOFTMAX', types: ['int16'] },
        { op: 'CONV_2D', types: ['int8'] },
      ]),
    ).toEqual({
      ok: false,
      reason: "ops the device's firmware lacks: CONV_2D for int8, SOFTMAX for int16 (has int8)",
    });
    // The full build admits the same model; and a reported set replaces the platform-wide op list check.
    const full = device({ opSet: encodeOpSetBytes(OP_SET_BUILDS.full) });
    expect(check(full, manifest(), [{ op: 'SOFTMAX', types: ['int16'] }])).toEqual({ ok: true });
    expect(check(full, manifest({ ops: { FULLY_CONNECTED: 1, LSTM: 1 } }), [{ op: 'LSTM', types: ['int8'] }])).toEqual({
      ok: false,
      reason: "ops the device's firmware lacks: LSTM for int8",
    });
  });

  it('admits a device with a newer firmware whose op set has codes this platform cannot name', () => {
    const newer = opSetWithUnknownCodes([{ op: 'FULLY_CONNECTED' }, { op: 'SOFTMAX' }], [FAR_FUTURE_OP_CODE]);
    expect(check(device({ opSet: newer }), manifest())).toEqual({ ok: true });
    // A stored set that no longer decodes (it never should: it was checked on arrival) refuses, saying why.
    expect(check(device({ opSet: Uint8Array.from([9, 0]) }), manifest())).toEqual({
      ok: false,
      reason: "the device's reported op set cannot be read (unknown op set version)",
    });
  });

  it('orders versions by semver', () => {
    expect(['0.2.0', '0.10.0', '0.2.0-rc.1', '1.0.0'].sort(compareSemver)).toEqual([
      '0.2.0-rc.1',
      '0.2.0',
      '0.10.0',
      '1.0.0',
    ]);
  });

  it('judges health gates only with enough devices on both sides, and names each breach', () => {
    const side = (over: Partial<SideStats>): SideStats => ({
      devices: 5,
      events: 100,
      deviceHours: 10,
      eventsPerDeviceHour: 10,
      meanScoreQ: 90,
      meanEnergyUj: 400,
      accuracyInferences: 0,
      accuracyCorrect: 0,
      accuracyPct: null,
      accuracyDevices: 0,
      ...over,
    });
    const gates = {
      minDevicesPerSide: 3,
      maxEventRateChange: 0.5,
      maxScoreShiftQ: 20,
      maxEnergyPerInferenceRatio: 1.5,
      autoRollback: true,
    };
    const now = new Date('2026-11-27T00:00:00Z');
    expect(evaluateGates(gates, side({ devices: 2 }), side({}), now).pass).toBeNull();
    expect(evaluateGates(gates, side({ eventsPerDeviceHour: 12 }), side({}), now)).toMatchObject({
      pass: true,
      breaches: [],
    });
    expect(
      evaluateGates(gates, side({ eventsPerDeviceHour: 40, meanScoreQ: 40, meanEnergyUj: 900 }), side({}), now)
        .breaches,
    ).toEqual([
      'event rate 40/device-h vs 10 on the old model (+300 %, limit ±50 %)',
      'mean score 40 vs 90 (shift -50 q, limit ±20)',
      'energy per inference 900 µJ vs 400 µJ (×2.25, limit ×1.5)',
    ]);
  });

  it('has transition tables that allow the moves the platform makes and name the rule they refuse', () => {
    expect(otaJobMachine.canTransition('NOTIFIED', 'VERIFIED')).toBe(true); // the device already had it
    expect(otaJobMachine.canTransition('FAILED', 'NOTIFIED')).toBe(true); // retry
    expect(otaJobMachine.canTransition('REJECTED', 'NOTIFIED')).toBe(false);
    expect(() => otaJobMachine.assertTransition('job 7', 'SUCCEEDED', 'FAILED')).toThrow(IllegalTransitionError);
    expect(() => otaJobMachine.assertTransition('job 7', 'SUCCEEDED', 'FAILED')).toThrow(
      'job 7: SUCCEEDED → FAILED is not allowed (from SUCCEEDED: ROLLED_BACK)',
    );
    expect(otaJobMachine.terminal).toEqual(['REJECTED', 'TIMED_OUT', 'CANCELED', 'SKIPPED', 'ROLLED_BACK']);
    expect(rolloutMachine.canTransition('PAUSED', 'RUNNING')).toBe(true);
    expect(rolloutMachine.canTransition('ABORTED', 'RUNNING')).toBe(false);
  });
});
