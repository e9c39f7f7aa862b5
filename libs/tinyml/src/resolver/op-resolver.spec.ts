import * as fs from 'node:fs';
import { Interpreter, SUPPORTED_OPS, UnsupportedOpError, loadModel } from '../index';
import { packInt4 } from '../testing/model-builder';
import { loadReferenceModel } from '../testing/reference-models';
import { OP_SET_BUILDS, OpResolver, opsNeeded, registrationType, resolverForBuild } from './op-resolver';
import { OP_CODES, OP_SET_DTYPES, OpSetFormatError, decodeOpSet, encodeOpSet, encodeOpSetBytes } from './op-set';

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
    // full: 112 op bits (14 bytes: ff x 14), none restricted. It grows as kernels are appended...
    expect(encodeOpSet(OP_SET_BUILDS.full)).toBe('ops1.AQ7__________________wAAAAAAAAAAAAAAAAAA');
    // ...while an id reported by a device of an older version keeps meaning the same ops (codes never move).
    expect(decodeOpSet('ops1.AQX______wAAAAAA')).toEqual(OP_CODES.slice(0, 40).map((op) => ({ op })));
    expect(decodeOpSet('ops1.AQn__________wcAAAAAAAAAAAA')).toEqual(OP_CODES.slice(0, 67).map((op) => ({ op })));
    expect(decodeOpSet('ops1.AQz______________z8AAAAAAAAAAAAAAAA')).toEqual(
      OP_CODES.slice(0, 94).map((op) => ({ op })),
    );
    expect(decodeOpSet('ops1.AQT___8BAAAAAA')).toEqual(OP_CODES.slice(0, 25).map((op) => ({ op })));
    expect(decodeOpSet('ops1.AQz______________z8AAAAAAAAAAAAAAAA')).toEqual(
      OP_CODES.slice(0, 94).map((op) => ({ op })),
    );
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

describe('int4 registrations (TFLM’s FULLY_CONNECTED_INT4 / CONV_2D_INT4 / DEPTHWISE_CONV_2D_INT4)', () => {
  // hello_world_int8's three FULLY_CONNECTED layers with their weights narrowed to [-8, 7] and packed as int4.
  function helloWorldInt4(): ReturnType<typeof modelOf> {
    const model = modelOf('hello_world_int8');
    for (const node of model.operators) {
      const t = model.tensors[node.inputs[1]];
      const data = t.data as Uint8Array;
      t.data = packInt4(Array.from(new Int8Array(data.buffer, data.byteOffset, t.elementCount), (w) => w >> 4));
      t.dtype = 'int4';
      t.byteLength = t.data.length;
    }
    return model;
  }

  it('is the registration type of an op with an int4 filter, and what opsNeeded reports', () => {
    const model = helloWorldInt4();
    expect(model.operators.map((n) => registrationType(model, n))).toEqual(['int4', 'int4', 'int4']);
    expect(opsNeeded(model)).toEqual([{ op: 'FULLY_CONNECTED', types: ['int4'] }]);
  });

  it('runs under a build registered for int4 only, and a build registered for int8 refuses it naming int4', () => {
    const model = helloWorldInt4();
    const int4Only = new OpResolver([{ op: 'FULLY_CONNECTED', types: ['int4'] }]);
    expect(new Interpreter(model, { resolver: int4Only }).allocate().arenaBytes).toBe(32);
    expect(() => new Interpreter(modelOf('hello_world_int8'), { resolver: int4Only }).allocate()).toThrow(
      'type int8 not registered in this build (has int4)',
    );
    const err = errorOf(() => new Interpreter(model, { resolver: resolverForBuild('atmega328p-dense') }).allocate());
    expect(err).toMatchObject({ op: 'FULLY_CONNECTED', opIndex: 0, type: 'int4' });
  });

  it('encodes int4 as type bit 10 (OP_SET_DTYPES is append-only)', () => {
    expect(OP_SET_DTYPES.indexOf('int4')).toBe(10);
    // FULLY_CONNECTED (7) restricted: 01 | 01 | ops 80 | restricted 80 | mask 00 04.
    const bytes = encodeOpSetBytes([{ op: 'FULLY_CONNECTED', types: ['int4', 'int8'] }]);
    expect(Buffer.from(bytes).toString('hex')).toBe('0101808001' + '04');
    expect(decodeOpSet(encodeOpSet([{ op: 'CONV_2D', types: ['int4'] }]))).toEqual([
      { op: 'CONV_2D', types: ['int4'] },
    ]);
  });
  it('refuses an int4 tensor anywhere but a constant filter, naming int4 (no TFLM kernel reads int4 activations)', () => {
    const model = helloWorldInt4();
    // The second layer's int4 weights as the third layer's input: not a filter position.
    const third = model.operators[2];
    third.inputs = [model.operators[1].inputs[1], ...third.inputs.slice(1)];
    const err = errorOf(() => new Interpreter(model).allocate());
    expect(err).toBeInstanceOf(UnsupportedOpError);
    expect(err).toMatchObject({ op: 'FULLY_CONNECTED', opIndex: 2, type: 'int4' });
    expect((err as Error).message).toMatch(/int4 input 0/);
  });
});
