/**
 * VAR_HANDLE, READ_VARIABLE and ASSIGN_VARIABLE: resource variables as TFLM's MicroResourceVariables keeps them
 * (micro_resource_variable.cc, its test micro_resource_variable_test.cc): one buffer per (container, shared_name),
 * allocated by the first ASSIGN_VARIABLE prepared with a known id, filled with the assigned tensor's zero point,
 * kept across invokes, zeroed (to that default) by reset().
 */
import { InvokeError } from '../errors';
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, TestModel } from '../testing/model-builder';
import { ACCUMULATOR_MODEL as accumulator, handleOptions as handle } from '../testing/subgraph-models';

describe('resource variables', () => {
  it('keep their value across invokes: CALL_ONCE initialises, READ + ADD + ASSIGN accumulate', () => {
    const interpreter = new Interpreter(loadModel(buildModel(accumulator)));
    const outputs: number[][] = [];
    for (const x of [
      [1, 2],
      [1, 2],
      [0.5, -20],
    ]) {
      interpreter.input(0).data.set(x);
      interpreter.invoke();
      outputs.push(Array.from(interpreter.output(0).data));
    }
    expect(outputs).toEqual([
      [11, 22],
      [12, 24],
      [12.5, 4],
    ]);
  });

  it('reset() sets them to their default (MicroResourceVariables::ResetAll); init does not run again', () => {
    const interpreter = new Interpreter(loadModel(buildModel(accumulator)));
    interpreter.input(0).data.set([1, 1]);
    interpreter.invoke();
    interpreter.reset();
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual([1, 1]);
  });

  it('start as the assigned tensor zero point (int8), then hold the previous invoke value', () => {
    const q = { scale: 0.5, zeroPoint: -3 };
    const model: TestModel = {
      tensors: [
        { shape: [], dtype: 'resource' },
        { shape: [3], dtype: 'int8', ...q },
        { shape: [3], dtype: 'int8', ...q },
      ],
      ops: [
        { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handle('state') },
        { op: 'READ_VARIABLE', inputs: [0], outputs: [2] },
        { op: 'ASSIGN_VARIABLE', inputs: [0, 1], outputs: [] },
      ],
      inputs: [1],
      outputs: [2],
    };
    const interpreter = new Interpreter(loadModel(buildModel(model)));
    interpreter.input(0).data.set([5, 6, 7]);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual([-3, -3, -3]);
    interpreter.input(0).data.set([8, 9, 10]);
    interpreter.invoke();
    expect(Array.from(interpreter.output(0).data)).toEqual([5, 6, 7]);
  });

  it('match a handle without container to any container (CreateIdIfNoneFound), other containers apart', () => {
    const model = (readContainer: string | undefined): TestModel => ({
      tensors: [
        { shape: [], dtype: 'resource' },
        { shape: [], dtype: 'resource' },
        { shape: [1], dtype: 'int32' },
        { shape: [1], dtype: 'int32' },
      ],
      ops: [
        { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handle('v', 'a') },
        { op: 'ASSIGN_VARIABLE', inputs: [0, 2], outputs: [] },
        { op: 'VAR_HANDLE', inputs: [], outputs: [1], options: handle('v', readContainer) },
        { op: 'READ_VARIABLE', inputs: [1], outputs: [3] },
      ],
      inputs: [2],
      outputs: [3],
    });
    const run = (m: TestModel): number => {
      const interpreter = new Interpreter(loadModel(buildModel(m)));
      interpreter.input(0).data[0] = 42;
      interpreter.invoke();
      return interpreter.output(0).data[0];
    };
    expect(run(model(undefined))).toBe(42);
    expect(run(model('a'))).toBe(42);
    // Container "b" names another variable, which nothing assigned: TFLM's Read finds no buffer.
    expect(() => run(model('b'))).toThrow(InvokeError);
    expect(() => run(model('b'))).toThrow(/operator 3 \(READ_VARIABLE\): resource variable 1 is read before/);
  });

  it('refuse an id no VAR_HANDLE created, at allocate for a constant id, at invoke for a computed one', () => {
    const constantId: TestModel = {
      tensors: [
        { shape: [1], dtype: 'int32', data: [3] },
        { shape: [1], dtype: 'int32' },
      ],
      ops: [{ op: 'ASSIGN_VARIABLE', inputs: [0, 1], outputs: [] }],
      inputs: [1],
      outputs: [],
    };
    expect(() => new Interpreter(loadModel(buildModel(constantId))).allocate()).toThrow(
      /resource variable 3 does not exist \(0 created\)/,
    );
    const computedId: TestModel = {
      tensors: [
        { shape: [1], dtype: 'int32' },
        { shape: [1], dtype: 'int32' },
      ],
      ops: [{ op: 'READ_VARIABLE', inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    };
    const interpreter = new Interpreter(loadModel(buildModel(computedId)));
    interpreter.input(0).data[0] = 7;
    expect(() => interpreter.invoke()).toThrow(/resource variable 7 does not exist/);
  });
});
