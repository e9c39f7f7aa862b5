/**
 * Compares this library's float32 sin / cos / log (src/quant/libm-sin-cos-log.ts) with the C library's sinf /
 * cosf / logf on every one of the 2^32 float bit patterns, the figures in README "float32 sin, cos, log": run as
 * `node -r ./bin/register.js libs/tinyml/tools/libm-exhaustive.ts [sinf|cosf|logf …]` on a glibc x86-64 host with
 * a C compiler (`cc`), the reference build's (glibc 2.36, Debian 12, FMA). A C program compiled into a temporary
 * folder streams glibc's results in input order; each is compared with the JS result bit for bit (two NaNs count
 * as equal, a differing NaN sign or payload is counted apart). About six minutes per function on one core.
 */
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosf, logf, sinf } from '../src/quant/libm-sin-cos-log';

const C_SOURCE = `
#include <gnu/libc-version.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
static uint32_t out[1 << 20];
int main(int argc, char **argv) {
  int k = strcmp(argv[1], "sinf") == 0 ? 0 : strcmp(argv[1], "cosf") == 0 ? 1 : 2;
  fprintf(stderr, "%s\\n", gnu_get_libc_version());
  for (uint64_t base = 0; base < (1ull << 32); base += (1u << 20)) {
    for (uint32_t j = 0; j < (1u << 20); j++) {
      uint32_t bits = (uint32_t)(base + j);
      float x, y;
      memcpy(&x, &bits, 4);
      y = k == 0 ? sinf(x) : k == 1 ? cosf(x) : logf(x);
      memcpy(&out[j], &y, 4);
    }
    if (fwrite(out, 4, 1u << 20, stdout) != (1u << 20)) return 1;
  }
  return 0;
}
`;

const BLOCK = 1 << 20;

interface Routine {
  fn: (x: number) => number;
  /** Where the kernels' inputs usually lie, counted apart (the share of the differences that matter most). */
  focus: [number, number];
}

const ROUTINES: Record<string, Routine> = {
  sinf: { fn: sinf, focus: [-2 * Math.PI, 2 * Math.PI] },
  cosf: { fn: cosf, focus: [-2 * Math.PI, 2 * Math.PI] },
  // LOG_SOFTMAX takes the log of a sum of exps in [1, row length].
  logf: { fn: logf, focus: [1, 4096] },
};

interface Tally {
  name: string;
  glibc: string;
  differ: number;
  differInFocus: number;
  focusInputs: number;
  nanBitsOnly: number;
  maxUlps: number;
  first: string[];
}

async function compare(exe: string, name: string): Promise<Tally> {
  const { fn, focus } = ROUTINES[name];
  const child = spawn(exe, [name], { stdio: ['ignore', 'pipe', 'pipe'] });
  let glibc = '';
  child.stderr.on('data', (d: Buffer) => (glibc += d.toString()));
  const xs = new Float32Array(BLOCK);
  const xBits = new Uint32Array(xs.buffer);
  const ys = new Float32Array(BLOCK);
  const yBits = new Uint32Array(ys.buffer);
  const want = new Uint32Array(BLOCK);
  const wantBytes = new Uint8Array(want.buffer);
  const tally: Tally = {
    name,
    glibc: '',
    differ: 0,
    differInFocus: 0,
    focusInputs: 0,
    nanBitsOnly: 0,
    maxUlps: 0,
    first: [],
  };
  let base = 0;
  let filled = 0;
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, wantBytes.length - filled);
      wantBytes.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled < wantBytes.length) break;
      compareBlock(base, xs, xBits, ys, yBits, want, fn, focus, tally);
      base += BLOCK;
      filled = 0;
      if (base % 2 ** 28 === 0) process.stderr.write(`${name}: ${base / 2 ** 26}/64, ${tally.differ} differ\n`);
    }
  }
  if (base !== 2 ** 32) throw new Error(`${name}: the C program stopped after ${base} inputs`);
  tally.glibc = glibc.trim();
  return tally;
}

function compareBlock(
  base: number,
  xs: Float32Array,
  xBits: Uint32Array,
  ys: Float32Array,
  yBits: Uint32Array,
  want: Uint32Array,
  fn: (x: number) => number,
  [lo, hi]: [number, number],
  tally: Tally,
): void {
  for (let j = 0; j < BLOCK; j++) xBits[j] = base + j;
  for (let j = 0; j < BLOCK; j++) ys[j] = fn(xs[j]);
  for (let j = 0; j < BLOCK; j++) {
    const inFocus = xs[j] >= lo && xs[j] <= hi;
    if (inFocus) tally.focusInputs++;
    const got = yBits[j];
    const expected = want[j];
    if (got === expected) continue;
    if ((got & 0x7fffffff) > 0x7f800000 && (expected & 0x7fffffff) > 0x7f800000) {
      tally.nanBitsOnly++;
      continue;
    }
    tally.differ++;
    if (inFocus) tally.differInFocus++;
    // Same sign and both finite: the distance in float steps is the distance of the bit patterns.
    if ((got ^ expected) >>> 31 === 0) tally.maxUlps = Math.max(tally.maxUlps, Math.abs(got - expected));
    if (tally.first.length < 8)
      tally.first.push(`${(base + j).toString(16)}: ours ${got.toString(16)}, glibc ${expected.toString(16)}`);
  }
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(ROUTINES);
  const unknown = names.filter((n) => !(n in ROUTINES));
  if (unknown.length > 0) throw new Error(`unknown routine ${unknown.join(', ')} (one of ${Object.keys(ROUTINES)})`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'libm-exhaustive-'));
  const exe = path.join(work, 'libm');
  fs.writeFileSync(`${exe}.c`, C_SOURCE);
  execFileSync('cc', ['-O2', '-o', exe, `${exe}.c`, '-lm']);
  try {
    for (const name of names) process.stdout.write(`${JSON.stringify(await compare(exe, name))}\n`);
  } finally {
    fs.rmSync(work, { recursive: true });
  }
}

void main();
