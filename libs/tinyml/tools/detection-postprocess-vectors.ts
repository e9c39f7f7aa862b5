/**
 * Records what the C++ reference build computes for the two parts of TFLite_Detection_PostProcess that JS could
 * compute differently, into src/kernels/detection-postprocess.vectors.ts: run as
 * `node -r ./bin/register.js libs/tinyml/tools/detection-postprocess-vectors.ts` on a glibc x86-64 host with g++
 * (the reference build's toolchain: GCC 12, glibc 2.36, Debian 12).
 *
 * - std::partial_sort (libstdc++) over indices with the comparator of TFLM's DecreasingPartialArgSort
 *   (`tie(v[i], j) > tie(v[j], i)`), on seeded score arrays with ties, signed zeros and NaN (where the
 *   comparator is not a strict weak order, so the result is the algorithm's, not the comparator's).
 * - The box decoding expressions of TFLM's DecodeCenterSizeBoxes (double arithmetic, glibc's exp, one rounding
 *   to float per center and half size, float corners), on seeded encodings and anchors.
 * - glibc's double exp itself (the FMA build the ifunc picks on this host, as on the reference host) on seeded
 *   inputs where box decoding calls it and across its whole non-special range, for src/quant/libm-float64.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { xorshift } from './xorshift';

const CPP_SOURCE = `
#include <gnu/libc-version.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <tuple>
#include <vector>
static float F(unsigned b) { float f; std::memcpy(&f, &b, 4); return f; }
static unsigned B(float f) { unsigned b; std::memcpy(&b, &f, 4); return b; }
int main() {
  std::printf("%s %d.%d\\n", gnu_get_libc_version(), __GNUC__, __GNUC_MINOR__);
  char kind[16];
  while (std::scanf("%15s", kind) == 1) {
    if (std::strcmp(kind, "sort") == 0) {
      int n, k;
      if (std::scanf("%d %d", &n, &k) != 2) return 1;
      std::vector<float> v(n);
      for (auto& x : v) { unsigned b; if (std::scanf("%x", &b) != 1) return 1; x = F(b); }
      std::vector<int> idx(n);
      std::iota(idx.begin(), idx.end(), 0);
      const float* values = v.data();
      std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [values](const int i, const int j) {
        return std::tie(values[i], j) > std::tie(values[j], i);
      });
      for (int i = 0; i < k; i++) std::printf(i ? " %d" : "%d", idx[i]);
      std::printf("\\n");
    } else if (std::strcmp(kind, "exp") == 0) {
      unsigned long long b;
      if (std::scanf("%llx", &b) != 1) return 1;
      double x, y;
      std::memcpy(&x, &b, 8);
      y = std::exp(x);
      std::memcpy(&b, &y, 8);
      std::printf("%016llx\\n", b);
    } else {
      unsigned b[12];
      for (auto& x : b) if (std::scanf("%x", &x) != 1) return 1;
      const double y = F(b[0]), x = F(b[1]), h = F(b[2]), w = F(b[3]);
      const double ay = F(b[4]), ax = F(b[5]), ah = F(b[6]), aw = F(b[7]);
      const double sy = F(b[8]), sx = F(b[9]), sh = F(b[10]), sw = F(b[11]);
      const float yc = static_cast<float>(y / sy * ah + ay);
      const float xc = static_cast<float>(x / sx * aw + ax);
      const float hh = static_cast<float>(0.5 * std::exp(h / sh) * ah);
      const float hw = static_cast<float>(0.5 * std::exp(w / sw) * aw);
      std::printf("%08x%08x%08x%08x\\n", B(yc - hh), B(xc - hw), B(yc + hh), B(xc + hw));
    }
  }
  return 0;
}
`;

const SORT_CASES = 400;
/** exp inputs: where decoding calls it (h / h_scale), then across exp's non-special range |x| < 512. */
const EXP_RANGES: [number, number, number][] = [
  [768, -20, 20],
  [256, -511, 511],
];
/** Boxes of the decode case: one op, one set of scales (SSD's usual 10, 10, 5, 5). */
const DECODE_BOXES = 256;
const DECODE_SCALES = [10, 10, 5, 5];

const bits = new Uint32Array(1);
const float = new Float32Array(bits.buffer);
function hexOf(x: number): string {
  float[0] = x;
  return bits[0].toString(16).padStart(8, '0');
}

/** Score arrays: a few repeated values (ties), both zeros, and in a third of the cases NaN. */
function sortCases(random: Generator<number>): { k: number; values: string[] }[] {
  const next = (): number => random.next().value as number;
  const out = [];
  for (let c = 0; c < SORT_CASES; c++) {
    const n = 1 + (next() % 48);
    const k = 1 + (next() % n);
    const withNaN = c % 3 === 2;
    const pool = [0.25, 0.5, 0.75, 0, -0, next() / 2 ** 32];
    const values = Array.from({ length: n }, () => {
      if (withNaN && next() % 5 === 0) return '7fc00000';
      return hexOf(c % 3 === 0 ? next() / 2 ** 32 : pool[next() % pool.length]);
    });
    out.push({ k, values });
  }
  return out;
}

/** Encodings as an SSD head produces them (|y|, |x| up to 5, h, w in [-4, 4]) and anchors in the unit square. */
function decodeInputs(random: Generator<number>): { boxes: number[]; anchors: number[] } {
  const u = (lo: number, hi: number): number =>
    Math.fround(lo + ((random.next().value as number) / 2 ** 32) * (hi - lo));
  const boxes: number[] = [];
  const anchors: number[] = [];
  for (let i = 0; i < DECODE_BOXES; i++) {
    boxes.push(u(-5, 5), u(-5, 5), u(-4, 4), u(-4, 4));
    anchors.push(u(0, 1), u(0, 1), u(0.01, 1), u(0.01, 1));
  }
  return { boxes, anchors };
}

const wordPair = new Uint32Array(2);
const double = new Float64Array(wordPair.buffer);
function hex64Of(x: number): string {
  double[0] = x;
  return wordPair[1].toString(16).padStart(8, '0') + wordPair[0].toString(16).padStart(8, '0');
}

/** Seeded doubles per range, plus the edges of glibc's main path (2^-54 and 512, either side). */
function expInputs(random: Generator<number>): number[] {
  const out = [0, 2 ** -54, -(2 ** -54), 2 ** -53, 511.99, -511.99, Math.LN2 / 256, -Math.LN2 / 256];
  for (const [count, lo, hi] of EXP_RANGES)
    for (let i = 0; i < count; i++) {
      const u = (random.next().value as number) * 2 ** 21 + ((random.next().value as number) >>> 11);
      out.push(lo + (u / 2 ** 53) * (hi - lo));
    }
  return out;
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'detection-vectors-'));
  const exe = path.join(work, 'detection');
  fs.writeFileSync(`${exe}.cc`, CPP_SOURCE);
  execFileSync('g++', ['-O2', '-o', exe, `${exe}.cc`]);
  const random = xorshift(0x2545f491);
  const sorts = sortCases(random);
  const { boxes, anchors } = decodeInputs(random);
  const exps = expInputs(random);
  const stdin = [
    ...exps.map((x) => `exp ${hex64Of(x)}`),
    ...sorts.map((s) => `sort ${s.values.length} ${s.k} ${s.values.join(' ')}`),
    ...Array.from({ length: DECODE_BOXES }, (_, i) =>
      [
        'decode',
        ...boxes.slice(4 * i, 4 * i + 4).map(hexOf),
        ...anchors.slice(4 * i, 4 * i + 4).map(hexOf),
        ...DECODE_SCALES.map(hexOf),
      ].join(' '),
    ),
  ].join('\n');
  const [toolchain, ...results] = execFileSync(exe, { input: `${stdin}\n` })
    .toString()
    .trim()
    .split('\n');
  fs.rmSync(work, { recursive: true });
  const [glibc, gcc] = toolchain.split(' ');
  const expResults = results.slice(0, exps.length);
  const sorted = results.slice(exps.length, exps.length + sorts.length);
  const decoded = results.slice(exps.length + sorts.length);
  const lines = [
    `/**`,
    ` * Generated by libs/tinyml/tools/detection-postprocess-vectors.ts: do not edit. g++ ${gcc} (libstdc++), glibc`,
    ` * ${glibc}, x86-64. PARTIAL_SORT: [k, the scores as float bit patterns (8 hex digits each), the first k indices`,
    ` * std::partial_sort leaves with TFLM's comparator]. DECODE_*: box encodings and anchors (float bit patterns, 32`,
    ` * hex digits per box) and the corners TFLM's expressions give with the scales DECODE_SCALES (y, x, h, w).`,
    ` * EXP_GLIBC: pairs of double bit patterns (x, exp(x)), 32 hex digits per pair.`,
    ` */`,
    `export const PARTIAL_SORT: readonly (readonly [number, string, string])[] = [`,
    ...sorts.map((s, i) => `  [${s.k}, '${s.values.join('')}', '${sorted[i]}'],`),
    `];`,
    `export const DECODE_SCALES = [${DECODE_SCALES.join(', ')}];`,
    `export const DECODE_BOX_ENCODINGS = '${boxes.map(hexOf).join('')}';`,
    `export const DECODE_ANCHORS = '${anchors.map(hexOf).join('')}';`,
    `export const DECODE_CORNERS = '${decoded.join('')}';`,
    `export const EXP_GLIBC = '${exps.map((x, i) => hex64Of(x) + expResults[i]).join('')}';`,
  ];
  const file = path.join(__dirname, '..', 'src', 'kernels', 'detection-postprocess.vectors.ts');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  // The repository's formatting (long entries one element per line), so the generated file passes prettier --check.
  execFileSync('npx', ['prettier', '--write', file]);
  process.stdout.write(
    `glibc ${glibc}, g++ ${gcc}: ${exps.length} exp, ${sorts.length} sorts, ${DECODE_BOXES} boxes -> ${file}\n`,
  );
}

main();
