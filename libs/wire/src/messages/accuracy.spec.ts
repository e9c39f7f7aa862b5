import { encodeCbor } from '../codec';
import { list, tuple, uint8 } from '../schema';
import {
  ACCURACY_MAX_MODELS,
  ACCURACY_REPORT_V1_MAX_BYTES,
  decodeAccuracyReportV1,
  encodeAccuracyReportV1,
  type AccuracyReportV1,
  type ModelAccuracyV1,
} from './accuracy-report.v1';
import { encodeStatusV1, type StatusV1 } from './status.v1';
import { errorOf, fixture, reasonOf } from '../fixtures/spec-helpers';

function messageOf(fn: () => unknown): string {
  const e = errorOf(fn);
  return e === 'ok' ? e : e.message;
}

const report = (): AccuracyReportV1 => fixture('accuracy report, two models');
const model = (modelTag: number, inferences = 10, correct = 9): ModelAccuracyV1 => ({ modelTag, inferences, correct });
const models = (n: number): ModelAccuracyV1[] => Array.from({ length: n }, (_, i) => model(i + 1));
/** Wire bytes of a report, built without the schema layer (so decode sees exactly what a broken device sent). */
const wireOf = (ms: unknown[][]): Uint8Array => encodeCbor([1, 2, 3, ms]);

describe('AccuracyReportV1 rules', () => {
  it('accepts 0..ACCURACY_MAX_MODELS models and correct = inferences', () => {
    expect(ACCURACY_MAX_MODELS).toBe(8);
    expect(ACCURACY_REPORT_V1_MAX_BYTES).toBe(256);
    for (const n of [0, 1, ACCURACY_MAX_MODELS]) {
      const message = { ...report(), models: models(n) };
      expect(decodeAccuracyReportV1(encodeAccuracyReportV1(message))).toStrictEqual(message);
    }
    const exact = { ...report(), models: [model(7, 0, 0), model(8, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)] };
    expect(decodeAccuracyReportV1(encodeAccuracyReportV1(exact))).toStrictEqual(exact);
  });

  it('refuses correct > inferences on encode and decode, naming the field', () => {
    const bad = { ...report(), models: [model(1, 10, 11)] };
    expect(messageOf(() => encodeAccuracyReportV1(bad))).toBe(
      'schema: AccuracyReportV1.models[0].correct: 11 exceeds inferences 10',
    );
    expect(messageOf(() => decodeAccuracyReportV1(wireOf([[1, 10, 11]])))).toBe(
      'schema: AccuracyReportV1.models[0].correct: 11 exceeds inferences 10',
    );
    // the path points at the offending entry, not always the first
    expect(
      messageOf(() =>
        decodeAccuracyReportV1(
          wireOf([
            [1, 10, 9],
            [2, 0, 1],
          ]),
        ),
      ),
    ).toContain('AccuracyReportV1.models[1].correct');
  });

  it('refuses a modelTag that appears twice, on encode and decode', () => {
    const dup = { ...report(), models: [model(5), model(6), model(5, 20, 1)] };
    expect(messageOf(() => encodeAccuracyReportV1(dup))).toBe(
      'schema: AccuracyReportV1.models: a modelTag appears more than once',
    );
    expect(
      messageOf(() =>
        decodeAccuracyReportV1(
          wireOf([
            [5, 1, 1],
            [5, 1, 1],
          ]),
        ),
      ),
    ).toBe('schema: AccuracyReportV1.models: a modelTag appears more than once');
    expect(
      reasonOf(() =>
        decodeAccuracyReportV1(
          wireOf([
            [5, 1, 1],
            [6, 1, 1],
          ]),
        ),
      ),
    ).toBe('ok');
  });

  it(`refuses more than ${ACCURACY_MAX_MODELS} models, on encode and decode`, () => {
    const nine = { ...report(), models: models(ACCURACY_MAX_MODELS + 1) };
    expect(messageOf(() => encodeAccuracyReportV1(nine))).toBe(
      'schema: AccuracyReportV1.models: expected an array of 0..8, got array(9)',
    );
    const wire = wireOf(nine.models.map((m) => [m.modelTag, m.inferences, m.correct]));
    expect(messageOf(() => decodeAccuracyReportV1(wire))).toBe(
      'schema: AccuracyReportV1.models: expected an array of 0..8, got array(9)',
    );
  });

  it.each<[string, () => unknown]>([
    ['models missing', () => encodeAccuracyReportV1({ ...report(), models: undefined } as unknown as AccuracyReportV1)],
    ['models null', () => encodeAccuracyReportV1({ ...report(), models: null as unknown as ModelAccuracyV1[] })],
    [
      'models as object',
      () => encodeAccuracyReportV1({ ...report(), models: { 0: model(1) } as unknown as ModelAccuracyV1[] }),
    ],
    ['sparse models (a hole)', () => encodeAccuracyReportV1({ ...report(), models: new Array<ModelAccuracyV1>(1) })],
    ['model null', () => encodeAccuracyReportV1({ ...report(), models: [null as unknown as ModelAccuracyV1] })],
    [
      'model unknown field',
      () => encodeAccuracyReportV1({ ...report(), models: [{ ...model(1), accuracy: 0.9 } as ModelAccuracyV1] }),
    ],
    [
      'model missing correct',
      () => encodeAccuracyReportV1({ ...report(), models: [{ modelTag: 1, inferences: 1 } as ModelAccuracyV1] }),
    ],
    ['modelTag > uint32', () => encodeAccuracyReportV1({ ...report(), models: [model(2 ** 32)] })],
    ['inferences > 2^53-1', () => encodeAccuracyReportV1({ ...report(), models: [model(1, 2 ** 53, 0)] })],
    ['correct negative', () => encodeAccuracyReportV1({ ...report(), models: [model(1, 1, -1)] })],
    ['correct fraction', () => encodeAccuracyReportV1({ ...report(), models: [model(1, 2, 0.5)] })],
    ['bootId > uint32', () => encodeAccuracyReportV1({ ...report(), bootId: 2 ** 32 })],
    ['decode: 3 elements', () => decodeAccuracyReportV1(encodeCbor([1, 2, 3]))],
    ['decode: models null', () => decodeAccuracyReportV1(encodeCbor([1, 2, 3, null]))],
    ['decode: model of 2', () => decodeAccuracyReportV1(wireOf([[1, 2]]))],
    ['decode: model of 4', () => decodeAccuracyReportV1(wireOf([[1, 2, 1, 0]]))],
    ['decode: model is an integer', () => decodeAccuracyReportV1(encodeCbor([1, 2, 3, [7]]))],
    ['decode: modelTag as text', () => decodeAccuracyReportV1(wireOf([['a', 1, 1]]))],
  ])('refuses %s (schema)', (_name, fn) => {
    expect(reasonOf(fn)).toBe('schema');
  });

  it('reports oversized before parsing', () => {
    expect(reasonOf(() => decodeAccuracyReportV1(new Uint8Array(257)))).toBe('oversized');
  });
});

describe('list(inner, min, max) field codec', () => {
  const field = list(uint8, 1, 3);

  it('accepts min..max items, in both directions', () => {
    expect(field.encode([1], 'x')).toEqual([1]);
    expect(field.encode([1, 2, 255], 'x')).toEqual([1, 2, 255]);
    expect(field.decode([0, 1, 2], 'x')).toEqual([0, 1, 2]);
    expect(list(uint8, 0, 0).decode([], 'x')).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['fewer than min', []],
    ['more than max', [1, 2, 3, 4]],
    ['not an array', 'abc'],
    ['a Uint8Array', Uint8Array.of(1, 2)],
    ['null', null],
  ])('rejects %s', (_name, value) => {
    expect(reasonOf(() => field.encode(value, 'x'))).toBe('schema');
    expect(reasonOf(() => field.decode(value, 'x'))).toBe('schema');
    expect(messageOf(() => field.decode(value, 'x'))).toMatch(/^schema: x: expected an array of 1\.\.3, got /);
  });

  it('validates every item with a path naming its index', () => {
    expect(messageOf(() => field.encode([1, 256], 'x'))).toBe('schema: x[1]: 256 is outside 0..255');
    expect(messageOf(() => field.decode([1, 2, -1], 'x'))).toBe('schema: x[2]: -1 is outside 0..255');
  });

  it('refuses holes of a sparse array instead of emitting CBOR undefined', () => {
    expect(messageOf(() => field.encode(new Array(2), 'x'))).toBe('schema: x[0]: expected an integer, got undefined');
    const holeAt1: unknown[] = [1];
    holeAt1.length = 2;
    expect(messageOf(() => tuple(uint8, 2).encode(holeAt1, 'x'))).toBe(
      'schema: x[1]: expected an integer, got undefined',
    );
    const status = fixture<StatusV1>('status, slot A active, slot B empty');
    const sparseSlots = [status.slots[0]] as unknown as StatusV1['slots'];
    sparseSlots.length = 2;
    expect(reasonOf(() => encodeStatusV1({ ...status, slots: sparseSlots }))).toBe('schema');
  });
});
