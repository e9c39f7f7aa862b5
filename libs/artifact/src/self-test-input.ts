/**
 * The self-test's seeded input (docs/ota.md "Self-test"): a device fills its input tensors from a
 * 32-bit seed with xorshift32, so a manifest carries 4 bytes instead of a whole input (9 KiB for a
 * 96×96 camera frame). Defined so any firmware reproduces it in a few lines of C.
 */

export interface SelfTestTensor {
  dtype: string;
  shape: readonly number[];
}

const BYTES: Readonly<Record<string, number>> = { int8: 1, uint8: 1, bool: 1, int16: 2, int32: 4, float32: 4 };

/** Bytes of one tensor of this dtype and shape; throws for dtypes a self-test input cannot hold. */
export function tensorBytes(t: SelfTestTensor): number {
  const size = BYTES[t.dtype];
  if (size === undefined) throw new Error(`self-test inputs of dtype ${t.dtype} are not defined`);
  return t.shape.reduce((a, b) => a * b, 1) * size;
}

/**
 * One byte array per input tensor, in order, all from one xorshift32 stream (state = seed; each step
 * `x ^= x << 13; x ^= x >>> 17; x ^= x << 5`, mod 2^32). Integer tensors take each step's 4 bytes
 * little-endian, the last step truncated; bool tensors take `x & 1` per element; float32 tensors take
 * one step per element, `(x >>> 8) / 2^23 - 1` (exact in float32, in [-1, 1)), stored little-endian.
 */
export function seededSelfTestInput(seed: number, inputs: readonly SelfTestTensor[]): Uint8Array[] {
  if (!Number.isInteger(seed) || seed < 1 || seed > 0xffffffff) throw new Error(`self-test seed ${seed}: 1..2^32-1`);
  let x = seed >>> 0;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
  return inputs.map((t) => {
    const out = new Uint8Array(tensorBytes(t));
    const view = new DataView(out.buffer);
    if (t.dtype === 'float32') {
      for (let i = 0; i < out.length; i += 4) view.setFloat32(i, (next() >>> 8) / 2 ** 23 - 1, true);
    } else if (t.dtype === 'bool') {
      for (let i = 0; i < out.length; i++) out[i] = next() & 1;
    } else {
      for (let i = 0; i < out.length; i += 4) {
        const v = next();
        for (let k = 0; k < 4 && i + k < out.length; k++) out[i + k] = (v >>> (8 * k)) & 0xff;
      }
    }
    return out;
  });
}

/**
 * Whether a self-test output matches the expected bytes: every element within `toleranceLsb`
 * quantized steps (integer tensors), or units in the last place (float32 tensors). Another correct
 * interpreter (an optimised kernel library, say) may round one step differently.
 */
export function selfTestOutputMatches(
  actual: Uint8Array,
  expected: Uint8Array,
  outputs: readonly SelfTestTensor[],
  toleranceLsb: number,
): boolean {
  if (actual.length !== expected.length) return false;
  const a = new DataView(actual.buffer, actual.byteOffset, actual.byteLength);
  const e = new DataView(expected.buffer, expected.byteOffset, expected.byteLength);
  let offset = 0;
  for (const t of outputs) {
    const size = BYTES[t.dtype];
    if (size === undefined) return false;
    const end = offset + tensorBytes(t);
    for (; offset < end; offset += size) {
      const d =
        t.dtype === 'float32'
          ? Math.abs(orderedFloatBits(a.getInt32(offset, true)) - orderedFloatBits(e.getInt32(offset, true)))
          : Math.abs(readInt(a, offset, t.dtype) - readInt(e, offset, t.dtype));
      if (d > toleranceLsb) return false;
    }
  }
  return offset === actual.length;
}

function readInt(v: DataView, offset: number, dtype: string): number {
  if (dtype === 'int8') return v.getInt8(offset);
  if (dtype === 'uint8' || dtype === 'bool') return v.getUint8(offset);
  if (dtype === 'int16') return v.getInt16(offset, true);
  return v.getInt32(offset, true);
}

/** Float32 bit patterns mapped to integers that order like the floats (ULP distance = difference). */
function orderedFloatBits(bits: number): number {
  return bits < 0 ? -2147483648 - bits : bits;
}
