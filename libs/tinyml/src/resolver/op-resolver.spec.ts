import * as fs from 'node:fs';
import { Interpreter, SUPPORTED_OPS, UnsupportedOpError, loadModel } from '../index';
import { loadReferenceModel } from '../testing/reference-models';
import { OP_SET_BUILDS, OpResolver, opsNeeded, resolverForBuild } from './op-resolver';
import { OP_CODES, OpSetFormatError, decodeOpSet, encodeOpSet, encodeOpSetBytes } from './op-set';

const modelOf = (name: string) => loadModel(new Uint8Array(fs.readFileSync(loadReferenceModel(name).modelFile)));

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** A well-formed id (version 1, no restriction) whose only op bit is code OP_CODES.length. */
function unknownOpCodeId(): string {
  const code = OP_CODES.length;
  const n = (code >> 3) + 1;
  const bytes = new Uint8Array(2 + 2 * n);
  bytes[0] = 1;
  bytes[1] = n;
  bytes[2 + (code >> 3)] = 1 << (code & 7);
  return `ops1.${Buffer.from(bytes).toString('base64url')}`;
}

describe('op-set identity', () => {
  it('gives every supported op a code (new kernels must append to OP_CODES)', () => {
    expect(SUPPORTED_OPS.filter((op) => !OP_CODES.includes(op))).toEqual([]);
  });

  it('is stable: fixed strings for the named builds (a changed string breaks devices in the field)', () => {
    // full: 99 op bits (13 bytes: ff x 12, 07), none restricted. It grows as kernels are appended...
    expect(encodeOpSet(OP_SET_BUILDS.full)).toBe('ops1.AQ3_______________8HAAAAAAAAAAAAAAAAAA');
    // ...while an id reported by a device of an older version keeps meaning the same ops (codes never move).
    expect(decodeOpSet('ops1.AQX______wAAAAAA')).toEqual(OP_CODES.slice(0, 40).map((op) => ({ op })));
    expect(decodeOpSet('ops1.AQn__________wcAAAAAAAAAAAA')).toEqual(OP_CODES.slice(0, 67).map((op) => ({ op })));
    expect(decodeOpSet('ops1.AQz______________z8AAAAAAAAAAAAAAAA')).toEqual(
      OP_CODES.slice(0, 94).map((op) => ({ op })),
    );
    expect(decodeOpSet('ops1.AQT___8BAAAAAA')).toEqual(OP_CODES.slice(0, 25).map((op) => ({ op })));
    // FULLY_CONNECTED(7), LOGISTIC(8), RELU(17), SOFTMAX(20) int8-only, RESHAPE(19) any type:
    // 01 | 03 | ops 80 01 1a | restricted 80 01 12 | 4 x int8 mask 01 00.
    expect(encodeOpSet(OP_SET_BUILDS['atmega328p-dense'])).toBe('ops1.AQOAARqAARIBAAEAAQABAA');
  });

  it('keeps every named build within the 64 op-set bytes the wire carries (libs/wire device-capabilities.v1)', () => {
    for (const [name, entries] of Object.entries(OP_SET_BUILDS))
      expect([name, encodeOpSetBytes(entries).length <= 64]).toEqual([name, true]);
  });

  it('round-trips every named build, independent of order and duplicates', () => {
    for (const entries of Object.values(OP_SET_BUILDS)) {
      const id = encodeOpSet(entries);
      expect(encodeOpSet(decodeOpSet(id))).toBe(id);
      expect(encodeOpSet([...entries].reverse().concat(entries))).toBe(id);
    }
    expect(decodeOpSet(encodeOpSet([{ op: 'SOFTMAX', types: ['float32', 'int8'] }]))).toEqual([
      { op: 'SOFTMAX', types: ['int8', 'float32'] },
    ]);
    expect(decodeOpSet(encodeOpSet([]))).toEqual([]);
  });

  it('widens a re-registered op: any type wins over a type list', () => {
    const id = encodeOpSet([{ op: 'ADD', types: ['int8'] }, { op: 'ADD' }]);
    expect(decodeOpSet(id)).toEqual([{ op: 'ADD' }]);
  });

  it.each([
    ['wrong prefix', 'ops2.AQEB'],
    ['not base64url', 'ops1.AQ+B'],
    ['unknown version', 'ops1.AgEBAA'],
    ['truncated', 'ops1.AQI'],
    ['trailing bytes', 'ops1.AQEBAAA'],
    // One past the last op this version knows.
    ['unknown op code', unknownOpCodeId()],
    ['non-canonical', 'ops1.AQEBAB'],
  ])('rejects %s with OpSetFormatError', (_what, id) => {
    expect(() => decodeOpSet(id)).toThrow(OpSetFormatError);
  });

  it('rejects ops and types without a code', () => {
    expect(() => encodeOpSet([{ op: 'LSH_PROJECTION' }])).toThrow(OpSetFormatError);
    expect(() => encodeOpSet([{ op: 'ADD', types: ['complex64'] }])).toThrow(OpSetFormatError);
    expect(() => new OpResolver([{ op: 'LSH_PROJECTION' }])).toThrow('no kernel for LSH_PROJECTION');
  });
});

describe('OpResolver in the interpreter', () => {
  it('runs a model whose ops and types the build registers', () => {
    const interpreter = new Interpreter(modelOf('hello_world_int8'), {
      resolver: resolverForBuild('atmega328p-dense'),
    });
    expect(interpreter.allocate().arenaBytes).toBe(32);
  });

  it('names op, index and type when the build has the op for other types only', () => {
    const resolver = resolverForBuild('atmega328p-dense');
    const err = errorOf(() => new Interpreter(modelOf('hello_world_float'), { resolver }).allocate());
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err).toMatchObject({ op: 'FULLY_CONNECTED', opIndex: 0, type: 'float32' });
    expect((err as Error).message).toBe(
      'operator 0 (FULLY_CONNECTED): type float32 not registered in this build (has int8)',
    );
  });

  it('names op, index and type when the build lacks the op', () => {
    const model = modelOf('mlperf_tiny_kws');
    const err = errorOf(() => new Interpreter(model, { resolver: resolverForBuild('atmega328p-dense') }).allocate());
    expect(err).toMatchObject({ op: model.operators[0].opName, opIndex: 0, type: 'int8' });
    expect((err as Error).message).toContain('not registered in this build');
  });

  it('lists what a model needs, and a resolver built from that list runs it', () => {
    const model = modelOf('mlperf_tiny_kws');
    const needed = opsNeeded(model);
    expect(needed.map((e) => e.op)).toEqual([
      'AVERAGE_POOL_2D',
      'CONV_2D',
      'DEPTHWISE_CONV_2D',
      'FULLY_CONNECTED',
      'RESHAPE',
      'SOFTMAX',
    ]);
    expect(new Interpreter(model, { resolver: new OpResolver(needed) }).allocate().arenaBytes).toBe(16000);
    expect(OpResolver.all().ops).toEqual([...SUPPORTED_OPS]);
  });
});
