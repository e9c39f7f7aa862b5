/** xorshift32 with a fixed seed: the vector tools draw the same inputs on every run. */
export function* xorshift(seed: number): Generator<number> {
  let s = seed >>> 0;
  for (;;) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    yield s;
  }
}
