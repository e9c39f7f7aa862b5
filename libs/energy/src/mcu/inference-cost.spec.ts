import { inferenceCost } from './inference-cost';
import { KERNEL_KINDS, kernelKindOf, macsByKind } from './kernel-kinds';
import { MCU_PROFILES, McuId, nnPowerMw } from './mcu-profiles';

describe('op → kernel kind', () => {
  it('maps TFLite builtin names', () => {
    expect(kernelKindOf('CONV_2D')).toBe('conv');
    expect(kernelKindOf('DEPTHWISE_CONV_2D')).toBe('depthwise');
    expect(kernelKindOf('FULLY_CONNECTED')).toBe('fully-connected');
    for (const op of ['AVERAGE_POOL_2D', 'MAX_POOL_2D', 'SOFTMAX', 'ADD', 'RESHAPE', 'QUANTIZE', 'SOMETHING_NEW']) {
      expect(kernelKindOf(op)).toBe('elementwise');
    }
  });

  it('sums MACs per kind', () => {
    expect(
      macsByKind([
        { op: 'CONV_2D', macs: 5 },
        { op: 'CONV_2D', macs: 7 },
        { op: 'ADD', macs: 3 },
      ]),
    ).toEqual({
      conv: 12,
      depthwise: 0,
      'fully-connected': 0,
      elementwise: 3,
    });
  });
});

describe('inferenceCost', () => {
  it('L4R5, optimised kernels, 1 M conv MACs, by hand', () => {
    // 1e6 × 3.73 cycles = 3.73 M cycles / 120 MHz = 31.083 ms; P_nn = 21.6 mW × 2.03 = 43.85 mW → 1363.0 µJ
    const c = inferenceCost(MCU_PROFILES.stm32l4r5, [{ op: 'CONV_2D', macs: 1_000_000 }], { kernels: 'optimized' });
    expect(c.cycles).toBeCloseTo(3_730_000, 3);
    expect(c.latencyMs).toBeCloseTo(31.0833, 3);
    expect(c.energyUj).toBeCloseTo(31.0833 * 21.6 * 2.03, 1);
  });

  it('per-kind cycles add up; reference kernels are slower than optimised on every MCU', () => {
    const layers = [
      { op: 'CONV_2D', macs: 2_368_000 },
      { op: 'DEPTHWISE_CONV_2D', macs: 288_000 },
      { op: 'FULLY_CONNECTED', macs: 768 },
      { op: 'AVERAGE_POOL_2D', macs: 8_000 },
    ];
    for (const id of Object.keys(MCU_PROFILES) as McuId[]) {
      const mcu = MCU_PROFILES[id];
      const opt = inferenceCost(mcu, layers, { kernels: 'optimized' });
      const ref = inferenceCost(mcu, layers, { kernels: 'reference' });
      expect(ref.latencyMs).toBeGreaterThan(opt.latencyMs);
      const sum = KERNEL_KINDS.reduce((s, k) => s + opt.cyclesByKind[k], 0);
      expect(sum).toBeCloseTo(opt.cycles, 6);
      expect(opt.energyUj).toBeCloseTo(opt.latencyMs * nnPowerMw(mcu), 6);
    }
  });

  it('KWS-sized model on the nRF52840 lands in the doc §6 range (0.4–7.4 mJ per KWS inference)', () => {
    const c = inferenceCost(
      MCU_PROFILES.nrf52840,
      [
        { op: 'CONV_2D', macs: 2_368_000 },
        { op: 'DEPTHWISE_CONV_2D', macs: 288_000 },
      ],
      {
        kernels: 'optimized',
      },
    );
    expect(c.energyUj).toBeGreaterThan(400);
    expect(c.energyUj).toBeLessThan(7400);
  });

  it('accepts an explicit cycles table and rejects negative MACs', () => {
    const table = { conv: 1, depthwise: 1, 'fully-connected': 1, elementwise: 1 };
    expect(
      inferenceCost(MCU_PROFILES.rp2040, [{ op: 'CONV_2D', macs: 133 }], { kernels: table }).latencyMs,
    ).toBeCloseTo(0.001, 9);
    expect(() => inferenceCost(MCU_PROFILES.rp2040, [{ op: 'CONV_2D', macs: -1 }], { kernels: 'optimized' })).toThrow(
      RangeError,
    );
  });
});

describe('MCU profiles', () => {
  it('has the required MCUs, each figure with a non-empty source', () => {
    for (const id of [
      'nrf52840',
      'stm32l4r5',
      'stm32u575',
      'stm32h7a3',
      'esp32-s3',
      'rp2040',
      'atmega328p',
    ] as McuId[]) {
      const p = MCU_PROFILES[id];
      expect(p.id).toBe(id);
      for (const [field, source] of Object.entries(p.sources)) {
        expect(typeof source).toBe('string');
        expect((source as string).length).toBeGreaterThan(3);
        expect(p).toHaveProperty(field);
      }
      for (const kind of KERNEL_KINDS) {
        expect(p.cyclesPerMac.reference[kind]).toBeGreaterThan(0);
        expect(p.cyclesPerMac.optimized[kind]).toBeGreaterThan(0);
      }
    }
  });

  it('marks undocumented figures as assumptions', () => {
    expect(MCU_PROFILES['esp32-s3'].sources.cyclesPerMac).toContain('[ASSUME]');
    expect(MCU_PROFILES.atmega328p.sources.cyclesPerMac).toContain('[ASSUME]');
    expect(MCU_PROFILES.stm32h7a3.sources.sleepPowerUw).toContain('[ASSUME');
  });
});
