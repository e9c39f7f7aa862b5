/**
 * int16 sigmoid and tanh of TFLite's reference_integer_ops (logistic.h / tanh.h, the int16 overloads), used
 * by the int16 LOGISTIC and TANH kernels and by the integer LSTM on its Q3.12 gate pre-activations. Both interpolate one 256-entry table of
 * sigmoid(i / 24) in Q0.16 (tanh(x) = 2 sigmoid(2x) - 1); inputs are first multiplied by 3 (the table's
 * [-10.7, 10.7] range is [-8, 8] scaled by 4/3) and, for tanh, rescaled by `inputMultiplier >> inputShift`.
 */

/** sigmoid_table_uint16 (tensorflow/lite/kernels/internal/common.h; the same table ships in CMSIS-NN). */
const SIGMOID_TABLE = new Uint16Array([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688, 43304,
  43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311,
  52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007, 58280,
  58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750,
  61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536, 63615,
  63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494, 64536, 64576,
  64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060,
  65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301,
  65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420,
  65425, 65429, 65433, 65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
  65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508,
  65509, 65510, 65511, 65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
  65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529,
  65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533,
  65533, 65533, 65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
  65535,
]);

/** Logistic(int16) with input_multiplier = 0 (power-of-two input scale 2^-12): Q3.12 in, Q0.15 out. */
export function sigmoidInt16(x: number): number {
  return logisticInt16(x, SIGMOID_Q3_12);
}

/**
 * Logistic(int16) of reference_integer_ops with its (multiplier, shift) resolved like tanh's: Q0.15 out. The
 * rescaled input is in units of 1/(3·4096): the table's step is 2^9 of them.
 */
export function logisticInt16(x: number, p: TanhInt16Params): number {
  const round = p.shift > 0 ? 1 << (p.shift - 1) : 0;
  const input = (x * p.multiplier + round) >> p.shift;
  const abs = input < 0 ? -input : input;
  const uh = abs >>> 9;
  let result: number;
  if (uh >= 255) {
    result = 0x7fff << 10;
  } else {
    const ua = SIGMOID_TABLE[uh];
    result = ua * 512 + (abs & 0x1ff) * (SIGMOID_TABLE[uh + 1] - ua);
  }
  result = input >= 0 ? result + 512 : (1 << 25) - result + 511;
  return result >>> 10;
}

/** The (multiplier, shift) Tanh(int16) is called with; multiplier 0 means "3 << shift, no shift". */
export interface TanhInt16Params {
  multiplier: number;
  shift: number;
}

const SIGMOID_Q3_12: TanhInt16Params = { multiplier: 3, shift: 0 };

/** lstm_internal::Tanh: input scale 2^cellStateScalePower. */
export function tanhInt16Params(cellStateScalePower: number): TanhInt16Params {
  let shift = 15 + cellStateScalePower - 3;
  let multiplier = 0;
  if (shift < 0) {
    shift = -shift;
    multiplier = 3;
  }
  if (multiplier === 0) return { multiplier: 3 << shift, shift: 0 };
  return { multiplier, shift };
}

/** Tanh(int16) of reference_integer_ops: Q0.15 out. */
export function tanhInt16(x: number, p: TanhInt16Params): number {
  const round = p.shift > 0 ? 1 << (p.shift - 1) : 0;
  const input = (x * p.multiplier + round) >> p.shift;
  const abs = input < 0 ? -input : input;
  const uh = abs >>> 8;
  let result: number;
  if (uh >= 255) {
    result = 0xffff << 8;
  } else {
    const ua = SIGMOID_TABLE[uh];
    result = ua * 256 + (abs & 0xff) * (SIGMOID_TABLE[uh + 1] - ua);
  }
  result = input >= 0 ? result - (1 << 23) + 128 : -result + (1 << 23) + 127;
  return result >> 8;
}
