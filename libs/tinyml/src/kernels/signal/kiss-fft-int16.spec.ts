/**
 * The int16 KISS FFT on TFLM's own RFFT vector (signal/micro/kernels/fft_test.cc, RfftTestSize64Int16) and, for
 * radix-4-only and mixed radix-4/2 lengths, against a float DFT scaled by 1/n (the fixed-point FFT divides by
 * the radix at every stage, each stage rounding, hence a few LSB); the bit-exact check on a real frame is the micro_speech_preprocessor spec.
 */
import { RealFftInt16 } from './kiss-fft-int16';

describe('RealFftInt16', () => {
  it('reproduces fft_test.cc RfftTestSize64Int16: an impulse of 16384 gives 256 + 0i in all 33 bins', () => {
    const input = new Int16Array(64);
    input[0] = 16384;
    const output = new Int16Array(66);
    new RealFftInt16(64).apply(input, output);
    const golden = Array.from({ length: 66 }, (_, i) => (i % 2 === 0 ? 256 : 0));
    expect(Array.from(output)).toEqual(golden);
  });

  it.each([[128], [256], [512]])('tracks a float DFT / n for length %i within 4 LSB', (n) => {
    let seed = n;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const input = new Int16Array(n);
    for (let i = 0; i < n; i++) input[i] = Math.round((rnd() * 2 - 1) * 16000);
    const output = new Int16Array(n + 2);
    new RealFftInt16(n).apply(input, output);
    let worst = 0;
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let t = 0; t < n; t++) {
        re += input[t] * Math.cos((-2 * Math.PI * k * t) / n);
        im += input[t] * Math.sin((-2 * Math.PI * k * t) / n);
      }
      worst = Math.max(worst, Math.abs(output[2 * k] - re / n), Math.abs(output[2 * k + 1] - im / n));
    }
    expect(worst).toBeLessThan(4);
  });

  it('rejects lengths that are not powers of two', () => {
    expect(() => new RealFftInt16(480)).toThrow(RangeError);
  });
});
