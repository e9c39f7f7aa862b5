/**
 * The decoder fuzz specs' harness (tests only; not exported from index.ts). Each case runs one decode
 * and must end in a result or the decoder's own typed error — never another throw — must leave its
 * input as it was, must not hold more ArrayBuffer memory than the bound it was given, and, when the
 * case says so, must be refused. A failure names the seed, the case and the input's hex, so
 * `FUZZ_SEED=<seed> npx jest <spec>` replays it.
 */
import { mulberry32 } from '@tinyfleet/random';

/** Override with FUZZ_SEED to explore or replay; fixed otherwise, so every run is the same. */
export const FUZZ_SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : 0x7f4a7c15;

/**
 * Buffers a decode may allocate beyond its bound: views, a varint's scratch, TextDecoder output. A
 * decoder that allocates what a hostile length field asks for overshoots this by orders of magnitude.
 */
export const MEMORY_SLACK_BYTES = 1 << 20;

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

export interface FuzzCase<T> {
  /** What made the input (for the report and the failure message). */
  kind: string;
  input: Uint8Array;
  decode: () => T;
  /** Allocation bound: the model length the decoder was told, or its OTA limit. */
  boundBytes: number;
  /** The decoder must refuse this input. */
  mustRefuse?: boolean;
  /** For a decoded result: what is wrong with it, or null. */
  check?: (result: T) => string | null;
}

interface Tally {
  cases: number;
  decoded: number;
  refused: number;
}

export class Fuzzer {
  readonly rnd: () => number;
  private readonly tallies = new Map<string, Tally>();
  private count = 0;

  constructor(
    readonly name: string,
    readonly seed: number,
    private readonly isTyped: (err: unknown) => boolean,
  ) {
    this.rnd = mulberry32(seed);
  }

  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  run<T>(c: FuzzCase<T>): void {
    const index = this.count++;
    const fail = (problem: string): never => {
      throw new Error(
        `${this.name} fuzz, seed ${this.seed} (FUZZ_SEED=${this.seed}), case ${index} (${c.kind}): ${problem}\n` +
          `input (${c.input.length} bytes): ${hex(c.input)}`,
      );
    };
    const copy = c.input.slice();
    const before = process.memoryUsage().arrayBuffers;
    let result: { value: T } | null = null;
    try {
      result = { value: c.decode() };
    } catch (err) {
      if (!this.isTyped(err)) fail(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    }
    const grewBytes = process.memoryUsage().arrayBuffers - before;
    if (grewBytes > c.boundBytes + MEMORY_SLACK_BYTES)
      fail(`held ${grewBytes} bytes of ArrayBuffers, bound ${c.boundBytes} (+${MEMORY_SLACK_BYTES} slack)`);
    if (hex(copy) !== hex(c.input)) fail('changed its input');
    if (result && c.mustRefuse) fail('was accepted, but must be refused');
    if (result && c.check) {
      let problem: string | null;
      try {
        problem = c.check(result.value);
      } catch (err) {
        problem = `its result fails the check: ${String(err)}`;
      }
      if (problem) fail(problem);
    }
    const tally = this.tallies.get(c.kind) ?? { cases: 0, decoded: 0, refused: 0 };
    tally.cases++;
    if (result) tally.decoded++;
    else tally.refused++;
    this.tallies.set(c.kind, tally);
  }

  get cases(): number {
    return this.count;
  }

  tally(kind: string): Tally {
    return this.tallies.get(kind) ?? { cases: 0, decoded: 0, refused: 0 };
  }

  /** One line per kind; printed when FUZZ_REPORT is set. */
  report(): string {
    const rows = [...this.tallies].map(
      ([k, t]) => `  ${k}: ${t.cases} cases, ${t.decoded} decoded, ${t.refused} refused`,
    );
    return `${this.name} fuzz, seed ${this.seed}: ${this.count} cases\n${rows.join('\n')}`;
  }
}

/** A varint in its shortest LEB128 form (the encoders' form). */
export function varint(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) b |= 0x80;
    out.push(b);
  } while (v > 0);
  return out;
}

export function splice(b: Uint8Array, start: number, end: number, insert: readonly number[]): Uint8Array {
  return Uint8Array.from([...b.subarray(0, start), ...insert, ...b.subarray(end)]);
}

/** Byte-level damage that knows nothing of the format: flips, random bytes, insertions, deletions. */
export function mutateBytes(f: Fuzzer, valid: Uint8Array): Uint8Array {
  let b: Uint8Array = valid.slice();
  for (let k = 0, n = 1 + f.int(4); k < n; k++) {
    const at = f.int(b.length);
    const op = f.int(4);
    if (op === 0) b[at]! ^= 1 << f.int(8);
    else if (op === 1) b[at] = f.int(256);
    else if (op === 2) b = splice(b, at, at, [f.int(256)]);
    else b = splice(b, at, at + 1, []);
  }
  return b;
}
