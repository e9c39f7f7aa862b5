/**
 * TFLM's allocation scopes over several subgraphs (micro_allocation_info.cc MarkAllocationLifetimes): exact
 * lifetimes of the if_test.cc / while_test.cc models, the device memory TFLM's tail would hold for them, and
 * what a subgraph invoked from two places keeps.
 */
import { Interpreter } from '../interpreter/interpreter';
import { loadModel } from '../model/model-reader';
import { buildModel, TestModel } from '../testing/model-builder';
import {
  IF_MODEL as ifModel,
  WHILE_MODEL as whileModel,
  binaryBranch,
  subgraphOptions,
} from '../testing/subgraph-models';
import { subgraphLifetimes } from './subgraph-lifetimes';

const f32 = (shape: number[]) => ({ shape, dtype: 'float32' as const });
const branch = binaryBranch;
const ifOp = (inputs: number[], outputs: number[], thenIndex: number, elseIndex: number) => ({
  op: 'IF',
  inputs,
  outputs,
  options: subgraphOptions(thenIndex, elseIndex),
});

const spans = (m: TestModel): string[] => {
  const l = subgraphLifetimes(loadModel(buildModel(m)));
  return l.tensors.map((t, k) => `${t.subgraph}:${t.tensor} [${l.requests[k].firstUse},${l.requests[k].lastUse}]`);
};

describe('subgraph lifetimes (TFLM allocation scopes)', () => {
  it('IF: the branches are planned inside the IF scope, one after the other; the IF tensors live through both', () => {
    // micro_allocation_info_test.cc TestMultiSubgraphWithIf expects exactly these ten (first_created, last_used).
    // Scope 0: subgraph 0's inputs; 1: the IF (creates its output); 2: entering then, 3: ADD; 4: entering else,
    // 5: MUL; the IF's inputs are last used after its subgraphs, and subgraph 0's output to its end (5).
    expect(spans(ifModel)).toEqual([
      '0:0 [0,5]',
      '0:1 [0,5]',
      '0:2 [0,5]',
      '0:3 [1,5]',
      '1:0 [2,3]',
      '1:1 [2,3]',
      '1:2 [3,3]',
      '2:0 [4,5]',
      '2:1 [4,5]',
      '2:2 [5,5]',
    ]);
    expect(subgraphLifetimes(loadModel(buildModel(ifModel))).opSpans).toEqual([[[1, 5]], [[3, 3]], [[5, 5]]]);
  });

  it('IF with an empty else-branch: its tensors live in its entry scope only (TestMultiSubgraphWithIfAndEmptySubgraph)', () => {
    // GetSimpleModelWithIfAndEmptySubgraph: the else-subgraph has no operators; TFLM expects these ten lifetimes.
    const [thenBranch, elseBranch] = ifModel.subgraphs ?? [];
    const empty: TestModel = { ...ifModel, subgraphs: [thenBranch, { ...elseBranch, ops: [] }] };
    expect(spans(empty)).toEqual([
      '0:0 [0,4]',
      '0:1 [0,4]',
      '0:2 [0,4]',
      '0:3 [1,4]',
      '1:0 [2,3]',
      '1:1 [2,3]',
      '1:2 [3,3]',
      '2:0 [4,4]',
      '2:1 [4,4]',
      '2:2 [4,4]',
    ]);
  });

  it('WHILE: cond then body inside the WHILE scope; the body output that is its input lives from entry to end', () => {
    expect(spans(whileModel)).toEqual([
      '0:0 [0,5]',
      '0:1 [0,5]',
      '0:2 [1,5]',
      '0:3 [1,5]',
      '1:0 [2,3]',
      '1:1 [2,3]',
      '1:2 [3,3]',
      '2:0 [4,5]',
      '2:1 [4,5]',
      '2:2 [5,5]',
    ]);
  });

  it('a subgraph two IFs (and both their branches) invoke keeps its first creation and its last use', () => {
    const twice: TestModel = {
      tensors: [{ shape: [1], dtype: 'bool' }, f32([1, 2]), f32([1, 2]), f32([1, 2]), f32([1, 2])],
      ops: [ifOp([0, 1, 2], [3], 1, 1), ifOp([0, 3, 2], [4], 1, 1)],
      inputs: [0, 1, 2],
      outputs: [4],
      subgraphs: [branch('ADD')],
    };
    // IF 0 at scope 1 runs subgraph 1 at 2-3 and 4-5; IF 1 at scope 6 runs it at 7-8 and 9-10.
    expect(spans(twice).slice(-3)).toEqual(['1:0 [2,10]', '1:1 [2,10]', '1:2 [3,10]']);
    expect(spans(twice).slice(0, 5)).toEqual(['0:0 [0,10]', '0:1 [0,5]', '0:2 [0,10]', '0:3 [1,10]', '0:4 [6,10]']);
  });

  it('plans nothing for a subgraph no operator reaches', () => {
    const unreached: TestModel = { ...branch('ADD'), subgraphs: [branch('MUL')] };
    expect(spans(unreached)).toEqual(['0:0 [0,1]', '0:1 [0,1]', '0:2 [1,1]']);
  });
});

describe('device memory of a multi-subgraph model', () => {
  it('IF model: arena = the IF tensors plus the larger branch; tail with per-subgraph arrays (32-bit)', () => {
    const interpreter = new Interpreter(loadModel(buildModel(ifModel)));
    // Subgraph 0's four tensors (16 B each once aligned) plus one branch's three: 64 + 48, the lower bound.
    expect(interpreter.allocate()).toMatchObject({ arenaBytes: 112, lowerBoundBytes: 112, plannedBytes: 112 });
    const m = interpreter.memory;
    // IF: TfLiteIfParams 8, OpData (2 ints, 2 pointers) 16, intermediate input buffer 2 x 8 -> 16, output 8 -> 16.
    expect(m.ops.map((o) => [o.subgraph, o.op, o.persistentBytes])).toEqual([
      [0, 'IF', 56],
      [1, 'ADD', 72],
      [2, 'MUL', 52],
    ]);
    // Tail: allocators 120, builtin-data allocator 8 -> 128, 3 SubgraphAllocations 24 -> 152, eval tensors
    // 4 x 12 + 3 x 12 + 3 x 12 -> 272, nodes 3 x 32 -> 368; options 8 + 8 + 4 -> 388, OpData 16 -> 416,
    // OpDataAdd 60 -> 480, OpDataMul 36 -> 528, IF buffers 16 -> 544, 8 -> 560 (kernel bytes 192); inputs: pointer
    // array 12 -> 576, 3 TfLiteTensors 40 -> 696; output: pointer array -> 704, TfLiteTensor -> 744.
    expect(m.persistent).toEqual({ runtimeBytes: 552, kernelBytes: 192, variableBytes: 0 });
    expect(m.persistentBytes).toBe(744);
    expect(m.totalBytes).toBe(112 + 744);
  });

  it('resource variables: MicroResourceVariables before the model allocations, the buffer in Prepare', () => {
    const model: TestModel = {
      tensors: [
        { shape: [], dtype: 'resource' },
        { shape: [1], dtype: 'int32' },
        { shape: [3], dtype: 'int32' },
      ],
      ops: [
        { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: [{ id: 1, str: 'v' }] },
        { op: 'READ_VARIABLE', inputs: [0], outputs: [1] },
        { op: 'ASSIGN_VARIABLE', inputs: [0, 2], outputs: [] },
      ],
      inputs: [2],
      outputs: [1],
    };
    const m = new Interpreter(loadModel(buildModel(model))).memory;
    // Tail: allocators 120, MicroResourceVariables 12 -> 144, one MicroResourceVariable 20 -> 176 (16-aligned),
    // builtin-data allocator 8 -> 184, SubgraphAllocations 8 -> 192, 3 eval tensors 36 -> 228, 3 nodes 96 -> 324;
    // TfLiteVarHandleParams 8 -> 332, OpData 4 -> 336, the variable's 12-byte buffer -> 352 (kernel bytes 28);
    // input pointer array -> 368, TfLiteTensor -> 408; output pointer array -> 416, TfLiteTensor -> 456.
    expect(m.persistent).toEqual({ runtimeBytes: 428, kernelBytes: 28, variableBytes: 0 });
    // The read value (4 B) and the input (12 B), 16 B each. The resource id is no arena tensor: VAR_HANDLE's Prepare
    // points it at its OpData, and TFLM plans (after Prepare) only tensors without data.
    expect(subgraphLifetimes(loadModel(buildModel(model))).opDataOutputs).toEqual([{ subgraph: 0, tensor: 0 }]);
    expect(m.activationsBytes).toBe(32);
    expect(m.totalBytes).toBe(32 + 456);
  });

  it("a branch op's scratch buffer spans every run of the branch and shares the arena (int8 MEAN in an IF)", () => {
    // device-memory.spec.ts's MEAN (an int32 temp sum per output element: 16 B of scratch) as both branches.
    const q = (scale: number, zeroPoint: number) => ({ dtype: 'int8' as const, scale, zeroPoint });
    const mean: TestModel = {
      tensors: [
        { shape: [1], dtype: 'bool' },
        { shape: [1, 2, 4], ...q(0.5, 0) },
        { shape: [1, 4], ...q(0.25, 1) },
      ],
      ops: [ifOp([0, 1], [2], 1, 1)],
      inputs: [0, 1],
      outputs: [2],
      subgraphs: [
        {
          tensors: [
            { shape: [1, 2, 4], ...q(0.5, 0) },
            { shape: [1], dtype: 'int32', data: [1] },
            { shape: [1, 4], ...q(0.25, 1) },
          ],
          ops: [{ op: 'MEAN', inputs: [0, 1], outputs: [2] }],
          inputs: [0],
          outputs: [2],
        },
      ],
    };
    const model = loadModel(buildModel(mean));
    // Subgraph 1 runs at scopes 2-3 (then) and 4-5 (else): its input from 2, its output and MEAN's scratch from 3.
    expect(subgraphLifetimes(model).opSpans[1]).toEqual([[3, 5]]);
    const interpreter = new Interpreter(model);
    // Subgraph 0's three tensors (16 B each) + the branch's two: 80; the scratch adds its 16 B on top.
    expect(interpreter.allocate()).toMatchObject({ arenaBytes: 80, plannedBytes: 96 });
    for (const cond of [1, 0]) {
      interpreter.input(0).data[0] = cond;
      interpreter.input(1).data.set([1, 2, 3, 4, 5, 6, 7, 8]);
      interpreter.invoke();
      // Mean over axis 1 of [[1,2,3,4],[5,6,7,8]] * 0.5 -> [1.5,2,2.5,3] / 0.25 + 1.
      expect(Array.from(interpreter.output(0).data)).toEqual([7, 9, 11, 13]);
    }
  });
});
