/**
 * Records the C library's expf / tanhf / expm1f / sinf / cosf / logf on chosen float32 inputs into
 * src/quant/libm-float32.vectors.ts, the values src/quant/libm-float32.spec.ts and libm-sin-cos-log.spec.ts check
 * the JS routines against: run as
 * `node -r ./bin/register.js libs/tinyml/tools/libm-vectors.ts` on a glibc x86-64 host with a C compiler (`cc`)
 * and FMA (the reference build's: glibc 2.36, Debian 12). The inputs: every branch boundary of the routines ±2
 * ulp, the two floats where glibc's FMA build of expf rounds differently, the points of glibc's sin / cos / log
 * algorithms where a reduction or table index changes ±1 ulp, and seeded random inputs: uniform
 * float bit patterns over each routine's non-trivial range, and uniform values where activations lie.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { xorshift } from './xorshift';

const C_SOURCE = `
#include <gnu/libc-version.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  char name[16];
  unsigned int bits;
  printf("%s\\n", gnu_get_libc_version());
  while (scanf("%15s %x", name, &bits) == 2) {
    float x, y;
    memcpy(&x, &bits, 4);
    y = strcmp(name, "expf") == 0    ? expf(x)
        : strcmp(name, "tanhf") == 0 ? tanhf(x)
        : strcmp(name, "expm1f") == 0 ? expm1f(x)
        : strcmp(name, "sinf") == 0  ? sinf(x)
        : strcmp(name, "cosf") == 0  ? cosf(x)
                                     : logf(x);
    memcpy(&bits, &y, 4);
    printf("%08x\\n", bits);
  }
  return 0;
}
`;

const RANDOM_PER_RANGE = 256;

/** Non-trivial input ranges (float bit patterns, half-open) per routine; both signs are listed. */
const RANGES: Record<string, [number, number][]> = {
  expf: [
    [0x00000000, 0x42b17220],
    [0x80000000, 0xc2cff1c0],
  ],
  tanhf: [
    [0x24000000, 0x41b00000],
    [0xa4000000, 0xc1b00000],
  ],
  expm1f: [
    [0x33000000, 0x42b17220],
    [0xb3000000, 0xc195b850],
  ],
  // sin / cos: from 2^-12 (below it sin x rounds to x, cos x to 1) to 2^23 (above it every float is an integer).
  sinf: [
    [0x39800000, 0x4b000000],
    [0xb9800000, 0xcb000000],
  ],
  cosf: [
    [0x39800000, 0x4b000000],
    [0xb9800000, 0xcb000000],
  ],
  // log: every positive finite float, subnormals included.
  logf: [[0x00000001, 0x7f800000]],
};

/** Where the values that matter lie (models' activations): seeded inputs uniform in value too. */
const VALUE_RANGES: Record<string, [number, number]> = {
  expf: [-104, 89],
  tanhf: [-10, 10],
  expm1f: [-20, 89],
  sinf: [-10, 10],
  cosf: [-10, 10],
  // LOG_SOFTMAX takes the log of a sum of exps: at least 1, at most the row length.
  logf: [1, 4096],
};

const SIN_COS_BOUNDARIES = [
  0x00000000, 0x00800000, 0x32000000, 0x39800000, 0x3f400000, 0x3f490fdb, 0x3fc90fdb, 0x40490fdb, 0x42f00000,
  0x4b000000, 0x7f7ffffd, 0x7f800000, 0x7fc00002, 0x7f800002,
];

/** Branch thresholds of the routines (magnitudes as float bit patterns); each is taken ±2 ulp, both signs. */
const BOUNDARIES: Record<string, number[]> = {
  expf: [0x42b00000, 0x42b17217, 0x42cff1b4, 0x3f800000, 0x00000000, 0x7f800000, 0x3f317218],
  tanhf: [0x24000000, 0x3f800000, 0x41b00000, 0x7f800000, 0x00000000],
  expm1f: [0x33000000, 0x3eb17218, 0x3f851592, 0x4195b844, 0x42b17180, 0x42b17218, 0x7f800000, 0x3e800000],
  // Zero, 2^-126, 2^-27, 2^-12, 0.75 (glibc's polynomial / reduction switch: the top 12 bits of pi/4), pi/4, pi/2,
  // pi, 120 (fast / large reduction switch), 2^23, the largest float, infinity, a quiet and a signalling NaN.
  sinf: SIN_COS_BOUNDARIES,
  cosf: SIN_COS_BOUNDARIES,
  // Zero, subnormals, the smallest normal, glibc's table offset 0x3f330000, 1, 2, the largest float, infinity,
  // NaNs (negative inputs give NaN).
  logf: [
    0x00000000, 0x00000002, 0x007ffffd, 0x00800000, 0x3f330000, 0x3f800000, 0x40000000, 0x7f7ffffd, 0x7f800000,
    0x7fc00002, 0x7f800002,
  ],
};

/**
 * Inputs taken ±1 ulp, both signs, beyond the boundaries: for sin / cos the floats nearest k·pi/4 below 120 (odd k
 * are quadrant switches of glibc's reduction, even k zeros of sin or cos) and every power of two from 2^7 up
 * (each table offset and shift of glibc's large reduction); for log the edges of glibc's 16 table intervals
 * (0x3f330000 + j·2^19) in the binades around 1 and at the extremes.
 */
const EXTRA_INPUTS: Record<string, number[]> = {
  sinf: sinCosExtras(),
  cosf: sinCosExtras(),
  logf: [0x00000000, 0x3f000000, 0x3f800000, 0x00800000, 0x7e800000].flatMap((base) =>
    Array.from({ length: 16 }, (_, j) => (0x3f330000 - 0x3f000000 + base + j * 2 ** 19) >>> 0),
  ),
};

function sinCosExtras(): number[] {
  const bits = new Uint32Array(new Float32Array(1).buffer);
  const value = new Float32Array(bits.buffer);
  const out: number[] = [];
  for (let k = 1; (k * Math.PI) / 4 < 120; k++) {
    value[0] = (k * Math.PI) / 4;
    out.push(bits[0]);
  }
  for (let e = 7; e <= 127; e++) out.push((e + 127) << 23);
  return out;
}

const FMA_INPUTS = [0x4202422f, 0xc27c65d9];

function inputsOf(name: string): number[] {
  const out = new Set<number>();
  for (const b of BOUNDARIES[name])
    for (let d = -2; d <= 2; d++)
      for (const sign of [0, 0x80000000]) {
        const v = b + d;
        if (v >= 0 && v <= 0x7fffffff) out.add((v | sign) >>> 0);
      }
  if (name === 'expf') for (const x of FMA_INPUTS) out.add(x);
  for (const b of EXTRA_INPUTS[name] ?? [])
    for (let d = -1; d <= 1; d++)
      for (const sign of [0, 0x80000000]) {
        const v = b + d;
        if (v >= 0 && v <= 0x7fffffff) out.add((v | sign) >>> 0);
      }
  const random = xorshift(0x9e3779b9 ^ name.length);
  for (const [lo, hi] of RANGES[name]) {
    const a = Math.min(lo, hi);
    const span = Math.abs(hi - lo);
    for (let i = 0; i < RANDOM_PER_RANGE; i++) out.add((a + ((random.next().value as number) % span)) >>> 0);
  }
  const [lo, hi] = VALUE_RANGES[name];
  const bits = new Uint32Array(new Float32Array(1).buffer);
  const value = new Float32Array(bits.buffer);
  for (let i = 0; i < RANDOM_PER_RANGE; i++) {
    value[0] = lo + ((random.next().value as number) / 2 ** 32) * (hi - lo);
    out.add(bits[0]);
  }
  return [...out].sort((p, q) => p - q);
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'libm-vectors-'));
  const exe = path.join(work, 'libm');
  fs.writeFileSync(`${exe}.c`, C_SOURCE);
  execFileSync('cc', ['-O2', '-o', exe, `${exe}.c`, '-lm']);
  const names = Object.keys(RANGES);
  const inputs = names.map(inputsOf);
  const stdin = names.flatMap((n, k) => inputs[k].map((x) => `${n} ${x.toString(16)}`)).join('\n');
  const [glibc, ...results] = execFileSync(exe, { input: `${stdin}\n` })
    .toString()
    .trim()
    .split('\n');
  fs.rmSync(work, { recursive: true });
  let next = 0;
  const lines = [
    `/**`,
    ` * Generated by libs/tinyml/tools/libm-vectors.ts: do not edit. glibc ${glibc} x86-64 (FMA) outputs, as pairs of`,
    ` * float bit patterns (input, output), 16 hex digits per pair.`,
    ` */`,
  ];
  names.forEach((n, k) => {
    const pairs = inputs[k].map((x) => x.toString(16).padStart(8, '0') + results[next++]).join('');
    lines.push(`export const ${n.toUpperCase()}_GLIBC =`, `  '${pairs}';`);
  });
  const file = path.join(__dirname, '..', 'src', 'quant', 'libm-float32.vectors.ts');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  process.stdout.write(`glibc ${glibc}: ${inputs.map((v, k) => `${names[k]} ${v.length}`).join(', ')} -> ${file}\n`);
}

main();
