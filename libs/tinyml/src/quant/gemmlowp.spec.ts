/**
 * gemmlowp / TFLM fixed-point transcendental helpers against double math. log_x_for_x_greater_than_or_equal_to_1
 * (int8 LOG_SOFTMAX takes the log of a FixedPoint<12> sum of exps into FixedPoint<5>): its rational approximation
 * stays within a few output steps (2^-26) of log(x); bit-exactness with TFLM is checked by the ported
 * log_softmax_test.cc vectors in kernels/log-softmax.kernel.spec.ts.
 */
import { logXForXGreaterThanOrEqualTo1 } from './gemmlowp';

describe('logXForXGreaterThanOrEqualTo1', () => {
  it.each([
    [12, 5],
    [4, 5],
  ])(
    'FixedPoint<%i> -> FixedPoint<%i>: within 1e-7 of log(x) for x from 1 up to the input range',
    (inBits, outBits) => {
      let worst = 0;
      for (let raw = 2 ** (31 - inBits); raw < 2 ** 31; raw = Math.floor(raw * 1.0007) + 1) {
        const x = raw / 2 ** (31 - inBits);
        worst = Math.max(
          worst,
          Math.abs(logXForXGreaterThanOrEqualTo1(raw, inBits, outBits) / 2 ** (31 - outBits) - Math.log(x)),
        );
      }
      expect(worst).toBeLessThan(1e-7);
    },
  );
  it('log(1) is 0 to within one output step, and the result grows with x', () => {
    const one = 2 ** 19; // 1.0 in FixedPoint<12>
    expect(Math.abs(logXForXGreaterThanOrEqualTo1(one, 12, 5))).toBeLessThanOrEqual(1);
    let previous = -Infinity;
    for (let raw = one; raw < 2 ** 31; raw = Math.floor(raw * 1.01) + 1) {
      const y = logXForXGreaterThanOrEqualTo1(raw, 12, 5);
      expect(y).toBeGreaterThanOrEqual(previous);
      previous = y;
    }
  });
});
