/**
 * float32 sin / cos / log for the kernels that call std::sin / std::cos / std::log on floats (TFLM's SIN, COS, LOG
 * and float LOG_SOFTMAX): the double routine (V8's fdlibm port, accurate to within one double ulp), rounded to
 * float once. That result is the correctly rounded float except in the rare cases where the double lands next to a
 * midpoint between two floats; glibc's sinf / cosf / logf are not correctly rounded (their documented worst errors
 * are about 0.56 and 0.82 float ulp), so the two differ in the last bit for some inputs. Measured over all 2^32
 * float inputs against glibc 2.36 on x86-64 with FMA, the reference host's C library: README "float32 sin, cos,
 * log". Unlike expf / tanhf (libm-float32.ts) no glibc algorithm is reproduced here.
 */
const { cos: mathCos, fround: mathFround, log: mathLog, sin: mathSin } = Math;

export function sinf(x: number): number {
  return mathFround(mathSin(x));
}

export function cosf(x: number): number {
  return mathFround(mathCos(x));
}

/**
 * glibc's logf result for a negative input (-inf included): the x86 default NaN of 0/0, sign bit set (0xffc00000).
 * Math.log gives V8's NaN instead, whose bits differ; a NaN input is returned as is (glibc keeps its payload).
 */
const INVALID_NAN = new Float32Array(new Uint32Array([0xffc00000]).buffer)[0];

export function logf(x: number): number {
  if (x !== x) return x;
  return x < 0 ? INVALID_NAN : mathFround(mathLog(x));
}
