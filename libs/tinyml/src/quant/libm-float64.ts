/**
 * glibc's double exp as the reference build runs it (glibc 2.36 on x86-64 with FMA: the ifunc picks the
 * __exp_fma build of sysdeps/ieee754/dbl-64/e_exp.c, whose a * b + c expressions GCC contracts to fused
 * multiply-adds), so a kernel calling std::exp(double) (TFLite_Detection_PostProcess's box decoding) matches
 * the C++ bit for bit: Math.exp is V8's fdlibm port and differs in the last bit for about one input in ten.
 *
 * The algorithm (ARM's optimized routines, glibc since 2.28): x = k·ln2/128 + r, |r| <= ln2/256;
 * exp(x) = 2^(k/128)·exp(r) ~= scale + scale·(tail + r + r²(C2 + r·C3) + r⁴(C4 + r·C5)), with
 * 2^(j/128) = H[j]·(1 + T[j]) from a 128-entry table and scale = H[k mod 128]·2^floor(k/128). Every fused
 * multiply-add of the FMA build is emulated exactly (fusedMultiplyAdd below). Only |x| < 512 runs this path;
 * beyond it the C routine takes its overflow / underflow branches, which a caller rounding to float cannot
 * tell from Math.exp (exp(±512) is far outside float range), and Math.exp is returned.
 *
 * The result is written to EXP_RESULT[0] instead of being returned: a double returned (or passed) across a
 * call V8 does not inline is boxed, and eval() paths allocate nothing.
 */

/** [tail T[j] hi, lo, scale H[j] hi, lo] as 32-bit words of the doubles (glibc e_exp_data.c `tab`, whose odd
 * entries store H[j]'s bits less j << 45: added back here). */
const TABLE_WORDS: readonly (readonly [number, number, number, number])[] = [
  [0x00000000, 0x00000000, 0x3ff00000, 0x00000000],
  [0x3c9b3b4f, 0x1a88bf6e, 0x3ff0163d, 0xa9fb3335],
  [0xbc716013, 0x9cd8dc5d, 0x3ff02c9a, 0x3e778061],
  [0xbc905e7a, 0x108766d1, 0x3ff04315, 0xe86e7f85],
  [0x3c8cd252, 0x3567f613, 0x3ff059b0, 0xd3158574],
  [0xbc8bce80, 0x23f98efa, 0x3ff0706b, 0x29ddf6de],
  [0x3c60f74e, 0x61e6c861, 0x3ff08745, 0x18759bc8],
  [0x3c90a3e4, 0x5b33d399, 0x3ff09e3e, 0xcac6f383],
  [0x3c979aa6, 0x5d837b6d, 0x3ff0b558, 0x6cf9890f],
  [0x3c8eb51a, 0x92fdeffc, 0x3ff0cc92, 0x2b7247f7],
  [0x3c3ebe3d, 0x702f9cd1, 0x3ff0e3ec, 0x32d3d1a2],
  [0xbc6a0334, 0x89906e0b, 0x3ff0fb66, 0xaffed31b],
  [0xbc955652, 0x2a2fbd0e, 0x3ff11301, 0xd0125b51],
  [0xbc5080ef, 0x8c4eea55, 0x3ff12abd, 0xc06c31cc],
  [0xbc91c923, 0xb9d5f416, 0x3ff1429a, 0xaea92de0],
  [0x3c80d3e3, 0xe95c55af, 0x3ff15a98, 0xc8a58e51],
  [0xbc801b15, 0xeaa59348, 0x3ff172b8, 0x3c7d517b],
  [0xbc8f1ff0, 0x55de323d, 0x3ff18af9, 0x388c8dea],
  [0x3c8b898c, 0x3f1353bf, 0x3ff1a35b, 0xeb6fcb75],
  [0xbc96d99c, 0x7611eb26, 0x3ff1bbe0, 0x84045cd4],
  [0x3c9aecf7, 0x3e3a2f60, 0x3ff1d487, 0x3168b9aa],
  [0xbc8fe782, 0xcb86389d, 0x3ff1ed50, 0x22fcd91d],
  [0x3c8a6f41, 0x44a6c38d, 0x3ff2063b, 0x88628cd6],
  [0x3c807a05, 0xb0e4047d, 0x3ff21f49, 0x917ddc96],
  [0x3c968efd, 0xe3a8a894, 0x3ff2387a, 0x6e756238],
  [0x3c875e18, 0xf274487d, 0x3ff251ce, 0x4fb2a63f],
  [0x3c80472b, 0x981fe7f2, 0x3ff26b45, 0x65e27cdd],
  [0xbc96b87b, 0x3f71085e, 0x3ff284df, 0xe1f56381],
  [0x3c82f7e1, 0x6d09ab31, 0x3ff29e9d, 0xf51fdee1],
  [0xbc3d219b, 0x1a6fbffa, 0x3ff2b87f, 0xd0dad990],
  [0x3c8b3782, 0x720c0ab4, 0x3ff2d285, 0xa6e4030b],
  [0x3c6e1492, 0x89cecb8f, 0x3ff2ecaf, 0xa93e2f56],
  [0x3c834d75, 0x4db0abb6, 0x3ff306fe, 0x0a31b715],
  [0x3c864201, 0xe2ac744c, 0x3ff32170, 0xfc4cd831],
  [0x3c8fdd39, 0x5dd3f84a, 0x3ff33c08, 0xb26416ff],
  [0xbc86a380, 0x3b8e5b04, 0x3ff356c5, 0x5f929ff1],
  [0xbc924aed, 0xcc4b5068, 0x3ff371a7, 0x373aa9cb],
  [0xbc9907f8, 0x1b512d8e, 0x3ff38cae, 0x6d05d866],
  [0xbc71d1e8, 0x3e9436d2, 0x3ff3a7db, 0x34e59ff7],
  [0xbc991919, 0xb3ce1b15, 0x3ff3c32d, 0xc313a8e5],
  [0x3c859f48, 0xa72a4c6d, 0x3ff3dea6, 0x4c123422],
  [0xbc931260, 0x7a28698a, 0x3ff3fa45, 0x04ac801c],
  [0xbc58a78f, 0x4817895b, 0x3ff4160a, 0x21f72e2a],
  [0xbc7c2c9b, 0x67499a1b, 0x3ff431f5, 0xd950a897],
  [0x3c4363ed, 0x60c2ac11, 0x3ff44e08, 0x6061892d],
  [0x3c966609, 0x3b0664ef, 0x3ff46a41, 0xed1d0057],
  [0x3c6ecce1, 0xdaa10379, 0x3ff486a2, 0xb5c13cd0],
  [0x3c93ff8e, 0x3f0f1230, 0x3ff4a32a, 0xf0d7d3de],
  [0x3c7690ce, 0xbb7aafb0, 0x3ff4bfda, 0xd5362a27],
  [0x3c931dbd, 0xeb54e077, 0x3ff4dcb2, 0x99fddd0d],
  [0xbc8f9434, 0x0071a38e, 0x3ff4f9b2, 0x769d2ca7],
  [0xbc87decc, 0xdc93a349, 0x3ff516da, 0xa2cf6642],
  [0xbc78dec6, 0xbd0f385f, 0x3ff5342b, 0x569d4f82],
  [0xbc861246, 0xec7b5cf6, 0x3ff551a4, 0xca5d920f],
  [0x3c933505, 0x18fdd78e, 0x3ff56f47, 0x36b527da],
  [0x3c7b98b7, 0x2f8a9b05, 0x3ff58d12, 0xd497c7fd],
  [0x3c9063e1, 0xe21c5409, 0x3ff5ab07, 0xdd485429],
  [0x3c34c785, 0x5019c6ea, 0x3ff5c926, 0x8a5946b7],
  [0x3c9432e6, 0x2b64c035, 0x3ff5e76f, 0x15ad2148],
  [0xbc8ce44a, 0x6199769f, 0x3ff605e1, 0xb976dc09],
  [0xbc8c33c5, 0x3bef4da8, 0x3ff6247e, 0xb03a5585],
  [0xbc845378, 0x892be9ae, 0x3ff64346, 0x34ccc320],
  [0xbc93cedd, 0x78565858, 0x3ff66238, 0x82552225],
  [0x3c5710aa, 0x807e1964, 0x3ff68155, 0xd44ca973],
  [0xbc93b3ef, 0xbf5e2228, 0x3ff6a09e, 0x667f3bcd],
  [0xbc6a12ad, 0x8734b982, 0x3ff6c012, 0x750bdabf],
  [0xbc6367ef, 0xb86da9ee, 0x3ff6dfb2, 0x3c651a2f],
  [0xbc80dc3d, 0x54e08851, 0x3ff6ff7d, 0xf9519484],
  [0xbc781f64, 0x7e5a3ecf, 0x3ff71f75, 0xe8ec5f74],
  [0xbc86ee4a, 0xc08b7db0, 0x3ff73f9a, 0x48a58174],
  [0xbc861932, 0x1e55e68a, 0x3ff75feb, 0x564267c9],
  [0x3c909ccb, 0x5e09d4d3, 0x3ff78069, 0x4fde5d3f],
  [0xbc7b32dc, 0xb94da51d, 0x3ff7a114, 0x73eb0187],
  [0x3c94ecfd, 0x5467c06b, 0x3ff7c1ed, 0x0130c132],
  [0x3c65ebe1, 0xabd66c55, 0x3ff7e2f3, 0x36cf4e62],
  [0xbc88a1c5, 0x2fb3cf42, 0x3ff80427, 0x543e1a12],
  [0xbc9369b6, 0xf13b3734, 0x3ff82589, 0x994cce13],
  [0xbc805e84, 0x3a19ff1e, 0x3ff8471a, 0x4623c7ad],
  [0xbc94d450, 0xd872576e, 0x3ff868d9, 0x9b4492ed],
  [0x3c90ad67, 0x5b0e8a00, 0x3ff88ac7, 0xd98a6699],
  [0x3c8db72f, 0xc1f0eab4, 0x3ff8ace5, 0x422aa0db],
  [0xbc65b660, 0x9cc5e7ff, 0x3ff8cf32, 0x16b5448c],
  [0x3c7bf683, 0x59f35f44, 0x3ff8f1ae, 0x99157736],
  [0xbc93091f, 0xa71e3d83, 0x3ff9145b, 0x0b91ffc6],
  [0xbc5da9b8, 0x8b6c1e29, 0x3ff93737, 0xb0cdc5e5],
  [0xbc6c23f9, 0x7c90b959, 0x3ff95a44, 0xcbc8520f],
  [0xbc924343, 0x22f4f9aa, 0x3ff97d82, 0x9fde4e50],
  [0xbc85ca6c, 0xd7668e4b, 0x3ff9a0f1, 0x70ca07ba],
  [0x3c71affc, 0x2b91ce27, 0x3ff9c491, 0x82a3f090],
  [0x3c6dd235, 0xe10a73bb, 0x3ff9e863, 0x19e32323],
  [0xbc87c504, 0x22622263, 0x3ffa0c66, 0x7b5de565],
  [0x3c8b1c86, 0xe3e231d5, 0x3ffa309b, 0xec4a2d33],
  [0xbc91bbd1, 0xd3bcbb15, 0x3ffa5503, 0xb23e255d],
  [0x3c90cc31, 0x9cee31d2, 0x3ffa799e, 0x1330b358],
  [0x3c846984, 0x6e735ab3, 0x3ffa9e6b, 0x5579fdbf],
  [0xbc82dfcd, 0x978e9db4, 0x3ffac36b, 0xbfd3f37a],
  [0x3c8c1a77, 0x92cb3387, 0x3ffae89f, 0x995ad3ad],
  [0xbc907b8f, 0x4ad1d9fa, 0x3ffb0e07, 0x298db666],
  [0xbc55c3d9, 0x56dcaeba, 0x3ffb33a2, 0xb84f15fb],
  [0xbc90a40e, 0x3da6f640, 0x3ffb5972, 0x8de5593a],
  [0xbc68d6f4, 0x38ad9334, 0x3ffb7f76, 0xf2fb5e47],
  [0xbc91eee2, 0x6b588a35, 0x3ffba5b0, 0x30a1064a],
  [0x3c74ffd7, 0x0a5fddcd, 0x3ffbcc1e, 0x904bc1d2],
  [0xbc91bdfb, 0xfa9298ac, 0x3ffbf2c2, 0x5bd71e09],
  [0x3c736eae, 0x30af0cb3, 0x3ffc199b, 0xdd85529c],
  [0x3c8ee332, 0x5c9ffd94, 0x3ffc40ab, 0x5fffd07a],
  [0x3c84e08f, 0xd10959ac, 0x3ffc67f1, 0x2e57d14b],
  [0x3c63cdaf, 0x384e1a67, 0x3ffc8f6d, 0x9406e7b5],
  [0x3c676b2c, 0x6c921968, 0x3ffcb720, 0xdcef9069],
  [0xbc808a18, 0x83ccb5d2, 0x3ffcdf0b, 0x555dc3fa],
  [0xbc8fad5d, 0x3ffffa6f, 0x3ffd072d, 0x4a07897c],
  [0xbc900dae, 0x3875a949, 0x3ffd2f87, 0x080d89f2],
  [0x3c74a385, 0xa63d07a7, 0x3ffd5818, 0xdcfba487],
  [0xbc82919e, 0x2040220f, 0x3ffd80e3, 0x16c98398],
  [0x3c8e5a50, 0xd5c192ac, 0x3ffda9e6, 0x03db3285],
  [0x3c843a59, 0xac016b4b, 0x3ffdd321, 0xf301b460],
  [0xbc82d521, 0x07b43e1f, 0x3ffdfc97, 0x337b9b5f],
  [0xbc892ab9, 0x3b470dc9, 0x3ffe2646, 0x14f5a129],
  [0x3c74b604, 0x603a88d3, 0x3ffe502e, 0xe78b3ff6],
  [0x3c83c5ec, 0x519d7271, 0x3ffe7a51, 0xfbc74c83],
  [0xbc8ff712, 0x8fd391f0, 0x3ffea4af, 0xa2a490da],
  [0xbc8dae98, 0xe223747d, 0x3ffecf48, 0x2d8e67f1],
  [0x3c8ec3bc, 0x41aa2008, 0x3ffefa1b, 0xee615a27],
  [0x3c842b94, 0xc3a9eb32, 0x3fff252b, 0x376bba97],
  [0x3c8a64a9, 0x31d185ee, 0x3fff5076, 0x5b6e4540],
  [0xbc8e37ba, 0xe43be3ed, 0x3fff7bfd, 0xad9cbe14],
  [0x3c77893b, 0x4d91cd9d, 0x3fffa7c1, 0x819e90d8],
  [0x3c5305c1, 0x4160cc89, 0x3fffd3c2, 0x2b8f71f1],
];

const words = new Uint32Array(2);
const bitsView = new Float64Array(words.buffer);

function fromWords(hi: number, lo: number): number {
  words[0] = lo;
  words[1] = hi;
  return bitsView[0];
}

const TAIL = Float64Array.from(TABLE_WORDS, (w) => fromWords(w[0], w[1]));
/** H[j]'s high and low words: scale is built by adding floor(k/128) to the exponent field (exact). */
const SCALE_HI = Uint32Array.from(TABLE_WORDS, (w) => w[2]);
const SCALE_LO = Uint32Array.from(TABLE_WORDS, (w) => w[3]);

// e_exp_data.c: 128/ln2, -ln2/128 in two parts, the rounding shift 1.5·2^52 and the polynomial (C2 … C5).
const INV_LN2_N = fromWords(0x40671547, 0x652b82fe);
const NEG_LN2_HI_N = fromWords(0xbf762e42, 0xfefa0000);
const NEG_LN2_LO_N = fromWords(0xbd0cf79a, 0xbc9e3b3a);
const SHIFT = 6755399441055744;
const C2 = fromWords(0x3fdfffff, 0xfffffdbd);
const C3 = fromWords(0x3fc55555, 0x5555543c);
const C4 = fromWords(0x3fa55555, 0xcf172b91);
const C5 = fromWords(0x3f811111, 0x67a4d017);

/** Veltkamp's splitting constant 2^27 + 1: a = hi + lo with 26-bit halves, so products of halves are exact. */
const SPLIT = 134217729;
// Bound once: in Jest's vm sandbox every lookup of the global Math is intercepted (README "Tests").
const { abs, exp: mathExp } = Math;
/** Below 2^-54 glibc returns 1 + x (its WANT_ROUNDING branch); from 512 on, its special cases. */
const TINY = 2 ** -54;
const SPECIAL = 512;

/**
 * fma(a, b, c) = round(a·b + c) exactly, for the finite, non-overflowing operands of exp: the product as an
 * exact double pair (Dekker), its sum with c as an exact pair (Knuth's TwoSum), the two low parts added with
 * rounding to odd, then one rounding to nearest (Boldo & Melquiond, "Emulation of FMA and correctly rounded
 * sums: proved algorithms using rounding to odd", IEEE Trans. Computers 57(4), 2008).
 */
function fusedMultiplyAdd(a: number, b: number, c: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLIT * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  const pLo = aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
  const s = p + c;
  const sb = s - p;
  const sLo = p - (s - sb) + (c - sb);
  // v = round-to-odd(sLo + pLo): the nearest sum, moved to its odd neighbour when inexact and even.
  const v = sLo + pLo;
  const vb = v - sLo;
  const err = sLo - (v - vb) + (pLo - vb);
  if (err === 0) return s + v;
  bitsView[0] = v;
  if ((words[0] & 1) === 0) {
    // The neighbour toward err: one unit in the last place up or down in magnitude (v is never 0 here: a
    // zero sum of two doubles is exact).
    const up = v > 0 === err > 0;
    if (up) {
      words[0] = (words[0] + 1) >>> 0;
      if (words[0] === 0) words[1] = (words[1] + 1) >>> 0;
    } else {
      if (words[0] === 0) words[1] = (words[1] - 1) >>> 0;
      words[0] = (words[0] - 1) >>> 0;
    }
  }
  return s + bitsView[0];
}

/** glibc exp(x) (see the file comment) into EXP_RESULT[0]. */
export const EXP_RESULT = new Float64Array(1);

export function glibcExpInto(x: number): void {
  if (!(abs(x) < SPECIAL)) {
    EXP_RESULT[0] = mathExp(x);
    return;
  }
  if (abs(x) < TINY) {
    EXP_RESULT[0] = 1 + x;
    return;
  }
  const kd = fusedMultiplyAdd(INV_LN2_N, x, SHIFT) - SHIFT;
  const r = fusedMultiplyAdd(kd, NEG_LN2_LO_N, fusedMultiplyAdd(kd, NEG_LN2_HI_N, x));
  const j = kd & 127;
  const e = (kd - j) / 128;
  const r2 = r * r;
  const tmp = fusedMultiplyAdd(
    r2 * r2,
    fusedMultiplyAdd(r, C5, C4),
    fusedMultiplyAdd(r2, fusedMultiplyAdd(r, C3, C2), TAIL[j] + r),
  );
  words[0] = SCALE_LO[j];
  words[1] = (SCALE_HI[j] + (e << 20)) >>> 0;
  const scale = bitsView[0];
  EXP_RESULT[0] = fusedMultiplyAdd(scale, tmp, scale);
}
