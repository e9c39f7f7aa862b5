import { fitKernelCycles, fitScaleFactor } from './calibration-fit';
import { DOC_HAND_COUNTED_LAYERS } from './doc-hand-counted-layers';
import { MLPERF_MEASUREMENTS } from './mlperf-measurements';
import { calibrateFromMlperf, validateAgainstMlperf } from './validate-against-mlperf';

// Arithmetic tests on the doc's own [DER] hand-counted MAC totals (energy-sources.md §2), split by kind
// from the reference architectures. The real-model validation is mlperf-models.spec.ts.
describe('calibration arithmetic', () => {
  it('fits a table exactly when the data come from one', () => {
    const truth = { conv: 2, depthwise: 8, 'fully-connected': 3, elementwise: 6 };
    const point = (conv: number, depthwise: number, fc: number) => ({
      macs: { conv, depthwise, 'fully-connected': fc, elementwise: 1000 },
      cycles: conv * 2 + depthwise * 8 + fc * 3 + 6000,
    });
    const fit = fitKernelCycles([point(1e6, 1e5, 0), point(5e6, 3e5, 10), point(1e7, 0, 0), point(0, 0, 2e5)], 6);
    expect(fit.table.conv).toBeCloseTo(truth.conv, 9);
    expect(fit.table.depthwise).toBeCloseTo(truth.depthwise, 9);
    expect(fit.table['fully-connected']).toBeCloseTo(truth['fully-connected'], 9);
    for (const r of fit.residuals) expect(Math.abs(r)).toBeLessThan(1e-12);
  });

  it('pins a kind with no MACs to the mean of the others instead of dividing by zero', () => {
    const fit = fitKernelCycles(
      [
        { macs: { conv: 1e6, depthwise: 0, 'fully-connected': 0, elementwise: 0 }, cycles: 2e6 },
        { macs: { conv: 0, depthwise: 0, 'fully-connected': 1e5, elementwise: 0 }, cycles: 4e5 },
      ],
      0,
    );
    expect(fit.table.conv).toBeCloseTo(2, 9);
    expect(fit.table['fully-connected']).toBeCloseTo(4, 9);
    expect(fit.table.depthwise).toBeCloseTo(3, 9);
  });

  it('scale factor is the geometric mean of measured/predicted', () => {
    expect(
      fitScaleFactor([
        { predicted: 1, measured: 2 },
        { predicted: 1, measured: 0.5 },
      ]),
    ).toBeCloseTo(1, 12);
    expect(
      fitScaleFactor([
        { predicted: 10, measured: 8 },
        { predicted: 20, measured: 16 },
      ]),
    ).toBeCloseTo(0.8, 12);
  });

  it('L4R5 TFLM-reference fit by hand: IC is pure conv, so conv ≈ 704.2 ms × 120 MHz / 12.50 M MAC', () => {
    const c = calibrateFromMlperf(DOC_HAND_COUNTED_LAYERS);
    // 0.7042 s × 120e6 = 84.50 M cycles; minus elementwise 32,768 × 20 = 0.66 M → 83.85 M / 12.500992 M = 6.71
    expect(c.stackTables['tflm-reference']!.conv).toBeCloseTo(6.71, 1);
    // AD is pure FC: 10.05 ms × 120 MHz / 264,192 = 4.565 cycles/MAC
    expect(c.stackTables['tflm-reference']!['fully-connected']).toBeCloseTo(4.565, 2);
  });

  it('NN power per board is the mean energy/latency of its ST runs (v1.2 only: L4R5 ≈ 41.6 mW)', () => {
    const v12 = MLPERF_MEASUREMENTS.filter((m) => m.submitter !== 'ST' || m.round === 'v1.2');
    const c = calibrateFromMlperf(DOC_HAND_COUNTED_LAYERS, { measurements: v12 });
    // (1820/43.19 + 3895/88.93 + 6919/165.1 + 203.4/5.26) / 4 = (42.14 + 43.80 + 41.91 + 38.67) / 4
    expect(c.nnPowerMw.stm32l4r5).toBeCloseTo((1820 / 43.19 + 3895 / 88.93 + 6919 / 165.1 + 203.4 / 5.26) / 4, 9);
    expect(c.nnPowerMw.stm32l4r5).toBeCloseTo(41.63, 1);
  });
});

describe('validateAgainstMlperf on the doc hand counts', () => {
  const v = validateAgainstMlperf(DOC_HAND_COUNTED_LAYERS);

  it('keeps calibration and validation rows apart', () => {
    const validation = v.rows.filter((r) => r.role === 'validation');
    expect(validation.every((r) => r.board === 'stm32u575' || r.board === 'stm32h7a3')).toBe(true);
    expect(validation.every((r) => r.submitter === 'ST')).toBe(true);
    expect(
      v.rows.filter((r) => r.role === 'calibration').every((r) => r.board === 'stm32l4r5' || r.board === 'stm32g0b1'),
    ).toBe(true);
  });

  it('a held-out prediction does not move when its own measurement is changed', () => {
    const target = MLPERF_MEASUREMENTS.find((m) => m.round === 'v1.2' && m.board === 'stm32u575' && m.model === 'vww')!;
    const perturbed = MLPERF_MEASUREMENTS.map((m) =>
      m === target ? { ...m, latencyMs: m.latencyMs * 3, energyUj: m.energyUj! * 3 } : m,
    );
    const again = validateAgainstMlperf(DOC_HAND_COUNTED_LAYERS, perturbed);
    const pick = (x: typeof v) =>
      x.rows.find(
        (r) => r.role === 'validation' && r.round === 'v1.2' && r.board === 'stm32u575' && r.model === 'vww',
      )!;
    expect(pick(again).predictedLatencyMs).toBeCloseTo(pick(v).predictedLatencyMs, 9);
    expect(pick(again).predictedEnergyUj!).toBeCloseTo(pick(v).predictedEnergyUj!, 9);
  });

  it('reaches the same tolerance as with the real models (doc counts equal the model files for MAC kinds)', () => {
    expect(v.summary.validation.latencyMaxAbsPct).toBeLessThanOrEqual(25);
    expect(v.summary.validation.energyMaxAbsPct).toBeLessThanOrEqual(35);
  });
});
