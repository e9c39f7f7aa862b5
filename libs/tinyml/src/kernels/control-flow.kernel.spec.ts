/**
 * IF, WHILE and CALL_ONCE on multi-subgraph models: TFLM's if_test.cc, while_test.cc and call_once_test.cc models
 * (testing/test_helpers.cc BuildSimpleModelWithSubgraphsAndIf / …AndWhile / BuildModelWithIfAndSubgraphInputTensor-
 * Overlap) rebuilt as .tflite flatbuffers, with TFLM's expected values.
 */
import { InvokeError, ModelFormatError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { OpResolver, opsNeeded } from '../resolver/op-resolver';
import { allocatedBytesPerCall } from '../testing/heap-allocations';
import { buildModel, TestModel, TestSubgraph } from '../testing/model-builder';
import {
  ACCUMULATOR_MODEL,
  CALL_ONCE_COUNTER_MODEL,
  IF_MODEL as ifModel,
  IF_OVERLAP_MODEL,
  OVERLAP_BLOCK,
  WHILE_MODEL as whileModel,
  subgraphOptions as IF_OPTIONS,
} from '../testing/subgraph-models';

function runIf(model: TestModel, cond: boolean, a: number[], b: number[]): number[] {
  const interpreter = new Interpreter(loadModel(buildModel(model)));
  interpreter.input(0).data[0] = cond ? 1 : 0;
  interpreter.input(1).data.set(a);
  interpreter.input(2).data.set(b);
  interpreter.invoke();
  return Array.from(interpreter.output(0).data);
}

describe('IF (if_test.cc)', () => {
  it('IfShouldInvokeSubgraphConditionTrue: the then-branch adds', () => {
    expect(runIf(ifModel, true, [2, 5], [3, 7])).toEqual([5, 12]);
  });

  it('IfShouldInvokeSubgraphConditionFalse: the else-branch multiplies', () => {
    expect(runIf(ifModel, false, [2, 5], [3, 7])).toEqual([6, 35]);
  });

  it('runs with a resolver holding only the ops of its subgraphs (IF, ADD, MUL), as the TFLM test registers', () => {
    const model = loadModel(buildModel(ifModel));
    expect(
      opsNeeded(model)
        .map((e) => e.op)
        .join(),
    ).toBe('ADD,IF,MUL');
    const interpreter = new Interpreter(model, { resolver: new OpResolver(opsNeeded(model)) });
    interpreter.input(1).data.set([1, 2]);
    interpreter.input(2).data.set([3, 4]);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual([3, 8]);
    expect(() =>
      new Interpreter(loadModel(buildModel(ifModel)), { resolver: new OpResolver([{ op: 'IF' }]) }).allocate(),
    ).toThrow(/ADD .*at index 0 of subgraph 1/);
  });

  /**
   * IfShouldNotOverwriteTensorAcrossSubgraphs: int32 blocks A1 (2 blocks of 4) and A2 (4 blocks) go into the
   * branch, which concatenates them and keeps the first 3 blocks; after the IF, A2 is read again (concatenated
   * with the IF's output), so the branch must neither see a half-copied A2 nor leave A2 overwritten
   * (testing/subgraph-models.ts IF_OVERLAP_MODEL); the expected blocks are the test's minus its zero padding.
   */
  it('IfShouldNotOverwriteTensorAcrossSubgraphs: inputs stay intact for the ops after IF', () => {
    const { model, block } = { model: IF_OVERLAP_MODEL, block: OVERLAP_BLOCK };
    const blocks = (...values: number[]): number[] => values.flatMap((v) => Array<number>(block).fill(v));
    expect(runIf(model, true, blocks(1, 2), blocks(3, 4, 5, 6))).toEqual(blocks(1, 2, 3, 3, 4, 5, 6));
  });

  it('refuses a branch whose tensors do not match only when that branch runs (TFLM checks copies in Eval)', () => {
    const [thenBranch, elseBranch] = ifModel.subgraphs as TestSubgraph[];
    const badElse = { ...elseBranch, tensors: elseBranch.tensors.map((t) => ({ ...t, shape: [1, 3] })) };
    const model = { ...ifModel, subgraphs: [thenBranch, badElse] };
    expect(runIf(model, true, [1, 1], [2, 2])).toEqual([3, 3]);
    expect(() => runIf(model, false, [1, 1], [2, 2])).toThrow(InvokeError);
    expect(() => runIf(model, false, [1, 1], [2, 2])).toThrow(/input 0 into subgraph 2: 8 bytes into 12/);
  });

  it('refuses at allocate: a missing subgraph, a branch that runs the IF itself, a non-bool condition', () => {
    const allocate = (m: TestModel) => () => new Interpreter(loadModel(buildModel(m))).allocate();
    const withOptions = (thenIndex: number, elseIndex: number): TestModel => ({
      ...ifModel,
      ops: [{ ...ifModel.ops[0], options: IF_OPTIONS(thenIndex, elseIndex) }],
    });
    expect(allocate(withOptions(1, 3))).toThrow(/invokes subgraph 3, model has 3/);
    expect(allocate(withOptions(0, 2))).toThrow(ModelFormatError);
    expect(allocate(withOptions(0, 2))).toThrow(/invokes subgraph 0, which is already running/);
    const intCond: TestModel = { ...ifModel, tensors: [{ shape: [1], dtype: 'int8' }, ...ifModel.tensors.slice(1)] };
    expect(allocate(intCond)).toThrow(/IF/);
  });
});

function runWhile(model: TestModel, a: number, b: number): number[] {
  const interpreter = new Interpreter(loadModel(buildModel(model)));
  interpreter.input(0).data[0] = a;
  interpreter.input(1).data[0] = b;
  interpreter.invoke();
  return [interpreter.output(0).data[0], interpreter.output(1).data[0]];
}

describe('WHILE (while_test.cc)', () => {
  it('WhileShouldNeverInvokeConditionFalse', () => {
    expect(runWhile(whileModel, 3, 2)).toEqual([3, 2]);
  });

  it('WhileShouldInvokeOnce', () => {
    expect(runWhile(whileModel, 2, 3)).toEqual([5, 3]);
  });

  it('WhileShouldInvokeMultiple', () => {
    expect(runWhile(whileModel, -5, 3)).toEqual([4, 3]);
  });

  it('loops over int32 values the same way (the copies are bytes, whatever the type)', () => {
    const asInt32 = (g: TestSubgraph): TestSubgraph => ({
      ...g,
      tensors: g.tensors.map((t) => (t.dtype === 'float32' ? { ...t, dtype: 'int32' } : t)),
    });
    const int32While: TestModel = {
      ...asInt32(whileModel),
      subgraphs: (whileModel.subgraphs ?? []).map(asInt32),
    };
    // -100 + 7k: 16 body runs reach 12, the first value not below 7.
    expect(runWhile(int32While, -100, 7)).toEqual([12, 7]);
    expect(runWhile(int32While, 0, 1)).toEqual([1, 1]);
  });

  it('runs again on the next invoke from the new inputs', () => {
    const interpreter = new Interpreter(loadModel(buildModel(whileModel)));
    for (const [a, b, expected] of [
      [-5, 3, 4],
      [-1, 0.5, 0.5],
      [10, 1, 10],
    ]) {
      interpreter.input(0).data[0] = a;
      interpreter.input(1).data[0] = b;
      interpreter.invoke();
      expect(interpreter.output(0).data[0]).toBe(expected);
    }
  });

  it('loops as long as the condition holds (no limit, as TFLM) unless maxWhileIterations bounds it', () => {
    // -1e6 = 2 - 3 * 333,334: 333,335 body runs (exact in float32) reach 5, the first value not below 3.
    expect(runWhile(whileModel, -1e6, 3)).toEqual([5, 3]);
    const bounded = new Interpreter(loadModel(buildModel(whileModel)), { maxWhileIterations: 1000 });
    bounded.input(0).data[0] = -1e6;
    bounded.input(1).data[0] = 3;
    expect(() => bounded.invoke()).toThrow(/operator 0 \(WHILE\): body ran 1000 times \(maxWhileIterations\)/);
    // -2997 reaches 3 after exactly 1000 body runs: within the limit.
    bounded.input(0).data[0] = -2997;
    bounded.invoke();
    expect(bounded.output(0).data[0]).toBe(3);
  });

  it('refuses mismatched counts at allocate, a body copy that cannot run only when the loop runs', () => {
    const [cond, body] = whileModel.subgraphs as TestSubgraph[];
    const oneOutput = { ...whileModel, subgraphs: [cond, { ...body, outputs: [2] }] };
    expect(() => new Interpreter(loadModel(buildModel(oneOutput))).allocate()).toThrow(/body subgraph 2 has 1 outputs/);
    const threeOutputs: TestModel = {
      ...whileModel,
      tensors: [...whileModel.tensors, whileModel.tensors[0]],
      ops: [{ op: 'WHILE', inputs: [0, 1], outputs: [2, 3, 4], options: IF_OPTIONS(1, 2) }],
    };
    expect(() => new Interpreter(loadModel(buildModel(threeOutputs))).allocate()).toThrow(/3 outputs for 2 inputs/);
    // The body's second input (passed through, unused by its op) is int32: the loop value cannot enter it.
    const intBody: TestSubgraph = {
      ...body,
      tensors: [body.tensors[0], { shape: [1], dtype: 'int32' }, body.tensors[2]],
      ops: [{ ...body.ops[0], inputs: [0, 0] }],
    };
    const model = { ...whileModel, subgraphs: [cond, intBody] };
    expect(runWhile(model, 3, 2)).toEqual([3, 2]);
    expect(() => runWhile(model, 2, 3)).toThrow(/value into body 1: type float32 into int32/);
  });
});

describe('CALL_ONCE (call_once_test.cc)', () => {
  const countingModel = CALL_ONCE_COUNTER_MODEL;

  it('CallOnceShouldOnlyInvokeSubgraphOnce: 1 and 10 invokes run the init subgraph once', () => {
    for (const invokes of [1, 10]) {
      const interpreter = new Interpreter(loadModel(buildModel(countingModel)));
      for (let k = 0; k < invokes; k++) interpreter.invoke();
      expect(interpreter.output(0).data[0]).toBe(1);
    }
  });

  it('reset() zeroes the resource variables but, as in TFLM (CALL_ONCE has no Reset), does not rerun init', () => {
    const interpreter = new Interpreter(loadModel(buildModel(countingModel)));
    interpreter.invoke();
    interpreter.reset();
    interpreter.invoke();
    expect(interpreter.output(0).data[0]).toBe(0);
  });

  it('refuses inputs or outputs on CALL_ONCE and a missing init subgraph', () => {
    const bad = (op: TestModel['ops'][number]): TestModel => ({
      ...countingModel,
      ops: [op, ...countingModel.ops.slice(1)],
    });
    const allocate = (m: TestModel) => () => new Interpreter(loadModel(buildModel(m))).allocate();
    expect(allocate(bad({ op: 'CALL_ONCE', inputs: [], outputs: [1], options: [{ id: 0, i32: 1 }] }))).toThrow(
      /CALL_ONCE\): no int32 kernel .*has none/,
    );
    expect(allocate(bad({ ...countingModel.ops[0], options: [{ id: 0, i32: 2 }] }))).toThrow(/invokes subgraph 2/);
  });
});

describe('control flow in eval', () => {
  /**
   * Any allocation on the invoke path (a view, a closure, a boxed number) costs at least 16 bytes per call; what
   * V8 allocates once while it optimises the nested invokes amortises to well under a byte over 20,000 calls.
   */
  it('allocates nothing per invoke (IF both ways, an 8-iteration WHILE, resource variables)', async () => {
    const ifRun = new Interpreter(loadModel(buildModel(ifModel)));
    const whileRun = new Interpreter(loadModel(buildModel(whileModel)));
    const accumulate = new Interpreter(loadModel(buildModel(ACCUMULATOR_MODEL)));
    let k = 0;
    const bytes = await allocatedBytesPerCall(() => {
      ifRun.input(0).data[0] = k++ & 1;
      ifRun.invoke();
      whileRun.input(0).data[0] = -20;
      whileRun.input(1).data[0] = 3;
      whileRun.invoke();
      accumulate.invoke();
    }, 20_000);
    expect(bytes).toBeLessThan(1);
    // -20 + 3 * 8: the first value not below 3.
    expect(whileRun.output(0).data[0]).toBe(4);
  });
});
