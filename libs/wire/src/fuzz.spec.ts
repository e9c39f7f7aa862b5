/**
 * Fuzzing every decoder with a seeded PRNG (reproducible: a failure prints seed and hex). Each
 * decoder sees 12,000 inputs: random bytes, byte-level mutations of valid encodings, structure-aware
 * element swaps, and valid-but-hostile CBOR built by a hand-written writer below (so the test can
 * produce what cbor-x's encoder would never emit: tags, indefinite lengths, non-shortest heads,
 * NaN, 2^64, invalid UTF-8, ...). Invariant: every input ends in either a valid message that
 * re-encodes to the exact same bytes, or a WireError with a known reason — never another throw.
 * OtaChunkV1 additionally gets 12,000 corrupted chunks: each must fail the CRC check (or be a valid
 * message whose crc32 matches its data).
 */
import { decodeCbor } from './codec';
import { crc32 } from './crc32';
import { WIRE_ERROR_REASONS, WireError } from './errors';
import { codecFor } from './fixtures/codecs';
import { GOLDEN_FIXTURES, hexToBytes, type GoldenMessageTypes } from './fixtures/golden.fixtures';
import { decodeOtaChunkV1, encodeOtaChunkV1, type OtaChunkV1 } from './messages/ota-chunk.v1';
import { prng, randomBytes, validChunk, VALID_MESSAGES as VALID, type Rng } from './testing/arbitrary-messages';

const CASES_PER_DECODER = 12_000;

// ---- raw CBOR writer (independent of cbor-x) --------------------------------------------------
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Head with an explicit argument width (0 = inline, 1/2/4/8 bytes) so non-shortest forms are possible. */
function head(major: number, arg: bigint, width?: 0 | 1 | 2 | 4 | 8): Uint8Array {
  const w = width ?? (arg < 24n ? 0 : arg < 0x100n ? 1 : arg < 0x10000n ? 2 : arg < 0x100000000n ? 4 : 8);
  const ai = w === 0 ? Number(arg) : w === 1 ? 24 : w === 2 ? 25 : w === 4 ? 26 : 27;
  const out = new Uint8Array(1 + w);
  out[0] = (major << 5) | ai;
  for (let i = 0; i < w; i++) out[w - i] = Number((arg >> BigInt(8 * i)) & 0xffn);
  return out;
}

const utf8 = new TextEncoder();

/** Plain JS -> preferred CBOR (ints, strings, Uint8Array, null, arrays). Mirrors the wire profile. */
function encodeJs(value: unknown): Uint8Array {
  if (value === null) return Uint8Array.of(0xf6);
  if (typeof value === 'number') return value >= 0 ? head(0, BigInt(value)) : head(1, BigInt(-1 - value));
  if (typeof value === 'string') {
    const b = utf8.encode(value);
    return concat([head(3, BigInt(b.length)), b]);
  }
  if (value instanceof Uint8Array) return concat([head(2, BigInt(value.length)), value]);
  if (Array.isArray(value)) return concat([head(4, BigInt(value.length)), ...value.map(encodeJs)]);
  throw new Error(`encodeJs: unsupported ${typeof value}`);
}

const INTERESTING_UINTS = [
  0n,
  1n,
  23n,
  24n,
  127n,
  128n,
  255n,
  256n,
  65535n,
  65536n,
  2n ** 31n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];
const INTERESTING_TAGS = [
  0n,
  1n,
  2n,
  3n,
  21n,
  24n,
  25n,
  27n,
  28n,
  29n,
  55799n,
  64n,
  65n,
  72n,
  86n,
  105n,
  258n,
  259n,
  40001n,
  0xdfffn,
  2n ** 32n,
];

/** A random, hostile but well-formed-ish CBOR item. */
function randomItem(rng: Rng, depth = 0): Uint8Array {
  const choice = rng.int(0, depth > 6 ? 9 : 15);
  switch (choice) {
    case 0:
    case 1: {
      const v = rng.chance(0.5) ? rng.pick(INTERESTING_UINTS) : BigInt(rng.int(0, 2 ** 32));
      return head(rng.chance(0.2) ? 1 : 0, v, rng.chance(0.1) ? 8 : undefined); // uint / nint, maybe non-shortest
    }
    case 2: {
      const len = rng.pick([0, 1, 5, 16, 31, 32, 33, 64, 65, 129, 300]);
      const chars = rng.chance(0.8) ? 'abcdefghijklmnopqrstuvwxyz0123456789-.+_ ' : 'ÄéΩ\u0000\n\u007f~';
      let s = '';
      for (let i = 0; i < len; i++) s += rng.pick(chars.split(''));
      return encodeJs(s);
    }
    case 3:
      return concat([head(3, 2n), Uint8Array.of(0xc3, 0x28)]); // invalid UTF-8
    case 4:
      return encodeJs(randomBytes(rng, rng.pick([0, 4, 31, 32, 33, 100])));
    case 5:
      return rng.pick([
        Uint8Array.of(0xf4),
        Uint8Array.of(0xf5),
        Uint8Array.of(0xf6),
        Uint8Array.of(0xf7),
        Uint8Array.of(0xf0),
        Uint8Array.of(0xf8, 0xff),
        Uint8Array.of(0xf9, 0x7e, 0x00),
        Uint8Array.of(0xfa, 0x7f, 0xc0, 0, 0),
        Uint8Array.of(0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0),
        Uint8Array.of(0xfb, 0x80, 0, 0, 0, 0, 0, 0, 0),
        Uint8Array.of(0xfb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0),
        Uint8Array.of(0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0),
        Uint8Array.of(0xff),
      ]);
    case 6: {
      const tag = rng.pick(INTERESTING_TAGS);
      return concat([head(6, tag), randomItem(rng, depth + 1)]);
    }
    case 7:
      return concat([head(3, BigInt(rng.pick([100, 4096, 2 ** 31, 2 ** 32 - 1]))), Uint8Array.of(0x61)]); // length lies
    case 8:
      return head(4, rng.pick([2n ** 32n - 1n, 2n ** 40n, 1000000n])); // huge declared array
    case 9:
      return Uint8Array.of(0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x81, 0x00); // deep
    case 10:
    case 11: {
      const n = rng.int(0, depth === 0 ? 20 : 3); // keep the branching factor < 1 below the top
      const items = Array.from({ length: n }, () => randomItem(rng, depth + 1));
      return concat([head(4, BigInt(n), rng.chance(0.1) ? 1 : undefined), ...items]);
    }
    case 12: {
      const n = rng.int(0, 5);
      return concat([
        Uint8Array.of(0x9f),
        ...Array.from({ length: n }, () => randomItem(rng, depth + 1)),
        Uint8Array.of(0xff),
      ]);
    }
    case 13: {
      // maps, including integer keys 0..n (what an int-keyed encoding would look like) plus extras
      const n = rng.int(0, depth === 0 ? 10 : 2);
      const entries = Array.from({ length: n }, (_, i) =>
        concat([rng.chance(0.7) ? head(0, BigInt(i)) : randomItem(rng, depth + 1), randomItem(rng, depth + 1)]),
      );
      return concat([head(5, BigInt(n)), ...entries]);
    }
    case 14:
      return concat([Uint8Array.of(0xbf), randomItem(rng, depth + 1), randomItem(rng, depth + 1), Uint8Array.of(0xff)]);
    default: {
      // deep nesting of definite (0x81) or indefinite (0x9f ... 0xff) single-element arrays
      let nest: Uint8Array = Uint8Array.of(0x00);
      for (let i = rng.int(1, 40); i > 0; i--) {
        nest = rng.chance(0.5)
          ? concat([Uint8Array.of(0x81), nest])
          : concat([Uint8Array.of(0x9f), nest, Uint8Array.of(0xff)]);
      }
      return nest;
    }
  }
}

// ---- mutations ----------------------------------------------------------------------------------
function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  for (let n = rng.int(1, 4); n > 0; n--) {
    const at = rng.int(0, b.length);
    switch (rng.int(0, 6)) {
      case 0: // bit flip
        if (b.length) b[Math.min(at, b.length - 1)]! ^= 1 << rng.int(0, 7);
        break;
      case 1: // byte replace
        if (b.length) b[Math.min(at, b.length - 1)] = rng.int(0, 255);
        break;
      case 2: // truncate
        b = b.subarray(0, at);
        break;
      case 3: // insert random bytes
        b = concat([b.subarray(0, at), randomBytes(rng, rng.int(1, 8)), b.subarray(at)]);
        break;
      case 4: // insert a whole (hostile) item
        b = concat([b.subarray(0, at), randomItem(rng), b.subarray(at)]);
        break;
      case 5: // delete a range
        b = concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + rng.int(1, 8)))]);
        break;
      default: // append trailing garbage / duplicate the message
        b = rng.chance(0.5) ? concat([b, randomBytes(rng, rng.int(1, 4))]) : concat([b, b]);
    }
  }
  return b;
}

/** Swap, add or remove one element of the top-level (or a nested) array, keeping the rest valid. */
function mutateStructure(rng: Rng, valid: Uint8Array): Uint8Array {
  const wire = decodeCbor(valid, 1 << 16) as unknown[];
  const parts: Uint8Array[] = wire.map(encodeJs);
  const at = rng.int(0, parts.length - 1);
  switch (rng.int(0, 3)) {
    case 0:
      parts[at] = randomItem(rng);
      break;
    case 1:
      parts.splice(at, 0, randomItem(rng));
      break;
    case 2:
      parts.splice(at, 1);
      break;
    default: {
      // same value, non-preferred encoding of a top-level integer or array
      const v = wire[at];
      if (typeof v === 'number' && v >= 0) parts[at] = head(0, BigInt(v), 8);
      else parts[at] = randomItem(rng);
    }
  }
  const asMap = rng.chance(0.1);
  return concat([
    asMap ? head(5, BigInt(parts.length)) : head(4, BigInt(parts.length)),
    ...(asMap ? parts.flatMap((p, i) => [head(0, BigInt(i)), p]) : parts),
  ]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

describe.each(Object.keys(VALID) as (keyof GoldenMessageTypes)[])('fuzz decode%s', (name) => {
  const codec = codecFor(name);
  const goldens = GOLDEN_FIXTURES.filter((f) => f.codec === name).map((f) => hexToBytes(f.hex));

  it('random valid messages round trip', () => {
    const rng = prng(0xc0ffee ^ name.length);
    for (let i = 0; i < 1000; i++) {
      const message = VALID[name](rng);
      const bytes = codec.encode(message);
      expect(bytes.length).toBeLessThanOrEqual(codec.maxBytes);
      expect(codec.decode(bytes)).toStrictEqual(message);
    }
  });

  it(`${CASES_PER_DECODER} hostile inputs end in a valid message or a WireError`, () => {
    // OTA names share length and initial with each other, so they add two more characters.
    const seed =
      0x5eed0000 +
      name.length * 7919 +
      name.charCodeAt(0) +
      (name.startsWith('Ota') ? 104_729 * name.charCodeAt(3) + name.charCodeAt(4) : 0);
    const rng = prng(seed);
    const outcomes: Record<string, number> = { ok: 0, oversized: 0, malformed: 0, schema: 0, 'unknown-topic': 0 };
    for (let i = 0; i < CASES_PER_DECODER; i++) {
      const base = rng.chance(0.5) && goldens.length ? rng.pick(goldens) : codec.encode(VALID[name](rng));
      let input: Uint8Array;
      const mode = rng.int(0, 99);
      if (mode < 20) input = randomBytes(rng, rng.int(0, rng.chance(0.9) ? 80 : 700));
      else if (mode < 55) input = mutateBytes(rng, base);
      else if (mode < 80) input = mutateStructure(rng, base);
      else if (mode < 95) input = randomItem(rng);
      else input = base; // keep some valid inputs in the stream

      let decoded: unknown;
      try {
        decoded = codec.decode(input);
      } catch (error) {
        if (!(error instanceof WireError) || !WIRE_ERROR_REASONS.includes(error.reason)) {
          throw new Error(`seed ${seed} case ${i}: ${name} threw a non-WireError for ${hex(input)}: ${String(error)}`, {
            cause: error,
          });
        }
        outcomes[error.reason]!++;
        continue;
      }
      // Accepted input must be exactly the canonical encoding of what it decoded to.
      const reencoded = codec.encode(decoded);
      if (!sameBytes(reencoded, input)) {
        throw new Error(
          `seed ${seed} case ${i}: ${name} accepted non-canonical ${hex(input)} (canonical ${hex(reencoded)})`,
        );
      }
      outcomes.ok!++;
    }

    console.log(`fuzz ${name} seed=${seed}: ${JSON.stringify(outcomes)}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(outcomes.ok! + outcomes.oversized! + outcomes.malformed! + outcomes.schema!).toBe(CASES_PER_DECODER);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.malformed).toBeGreaterThan(0);
    expect(outcomes.schema).toBeGreaterThan(0);
    expect(outcomes.oversized).toBeGreaterThan(0);
  });
});

describe('fuzz OtaChunkV1 data corruption (CRC-32)', () => {
  const CASES = 12_000;

  it(`${CASES} corrupted chunks end in a WireError or a valid message whose crc matches its data`, () => {
    const seed = 0xc4c32000;
    const rng = prng(seed);
    const outcomes = { ok: 0, crcMismatch: 0, otherWireError: 0 };
    for (let i = 0; i < CASES; i++) {
      const chunk = validChunk(rng);
      const valid = encodeOtaChunkV1(chunk);
      const dataStart = valid.length - chunk.data.length;
      let input: Uint8Array;
      let burstInData = false;
      if (rng.chance(0.6)) {
        // one burst of 1..4 corrupted bytes inside `data`: CRC-32 detects every burst of <= 32 bits
        input = Uint8Array.from(valid);
        const len = Math.min(rng.int(1, 4), chunk.data.length);
        const at = dataStart + rng.int(0, chunk.data.length - len);
        input[at]! ^= rng.int(1, 255); // the first byte always changes
        for (let k = 1; k < len; k++) input[at + k]! ^= rng.int(0, 255);
        burstInData = true;
      } else {
        input = mutateBytes(rng, valid);
      }
      let decoded: OtaChunkV1;
      try {
        decoded = decodeOtaChunkV1(input);
      } catch (error) {
        if (!(error instanceof WireError) || !WIRE_ERROR_REASONS.includes(error.reason)) {
          throw new Error(`seed ${seed} case ${i}: threw a non-WireError for ${hex(input)}: ${String(error)}`, {
            cause: error,
          });
        }
        if (error.reason === 'schema' && error.message.includes('CRC-32 mismatch')) outcomes.crcMismatch++;
        else if (burstInData)
          throw new Error(`seed ${seed} case ${i}: data corruption not reported as a CRC mismatch: ${error.message}`, {
            cause: error,
          });
        else outcomes.otherWireError++;
        continue;
      }
      if (burstInData) throw new Error(`seed ${seed} case ${i}: corrupted data accepted: ${hex(input)}`);
      if (crc32(decoded.data) !== decoded.crc32 || !sameBytes(encodeOtaChunkV1(decoded), input)) {
        throw new Error(
          `seed ${seed} case ${i}: accepted a chunk whose crc does not match or that is not canonical: ${hex(input)}`,
        );
      }
      outcomes.ok++;
    }

    console.log(`fuzz OtaChunkV1 corruption seed=${seed}: ${JSON.stringify(outcomes)}`);
    expect(outcomes.ok + outcomes.crcMismatch + outcomes.otherWireError).toBe(CASES);
    expect(outcomes.crcMismatch).toBeGreaterThan(CASES / 2);
  });
});
