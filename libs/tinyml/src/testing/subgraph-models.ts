/**
 * Multi-subgraph test models (builder form), shared by the control-flow kernel specs, the memory specs and the
 * reader fuzzing: TFLM's testing/test_helpers.cc BuildSimpleModelWithSubgraphsAndIf / …AndWhile, and a resource-
 * variable accumulator initialised by CALL_ONCE. Kept out of the kernel specs so that the op coverage table
 * (testing/op-coverage.ts credits a spec with every op it names) credits them only with the ops they test.
 * Test helper only; not exported from index.ts.
 */
import type { OptionField, TestModel, TestSubgraph } from './model-builder';

/** IfOptions / WhileOptions fields (then, else / cond, body subgraph indices). */
export const subgraphOptions = (first: number, second: number): OptionField[] => [
  { id: 0, i32: first },
  { id: 1, i32: second },
];

/** VarHandleOptions: shared_name, and a container when given. */
export const handleOptions = (sharedName: string, container?: string): OptionField[] => [
  ...(container === undefined ? [] : [{ id: 0, str: container }]),
  { id: 1, str: sharedName },
];

/** One binary op on two [1, 2] float tensors: the IF model's then (ADD) and else (MUL) branches. */
export const binaryBranch = (op: string): TestSubgraph => ({
  tensors: [
    { shape: [1, 2], dtype: 'float32' },
    { shape: [1, 2], dtype: 'float32' },
    { shape: [1, 2], dtype: 'float32' },
  ],
  ops: [{ op, inputs: [0, 1], outputs: [2] }],
  inputs: [0, 1],
  outputs: [2],
});

/** GetSimpleModelWithSubgraphsAndIf: IF(cond, a, b) with then = ADD, else = MUL. */
export const IF_MODEL: TestModel = {
  tensors: [
    { shape: [1], dtype: 'bool' },
    { shape: [1, 2], dtype: 'float32' },
    { shape: [1, 2], dtype: 'float32' },
    { shape: [1, 2], dtype: 'float32' },
  ],
  ops: [{ op: 'IF', inputs: [0, 1, 2], outputs: [3], options: subgraphOptions(1, 2) }],
  inputs: [0, 1, 2],
  outputs: [3],
  subgraphs: [binaryBranch('ADD'), binaryBranch('MUL')],
};

/** GetSimpleModelWithSubgraphsAndWhile: while (a < b) a = a + b; outputs (a, b). */
export const WHILE_MODEL: TestModel = {
  tensors: [
    { shape: [1], dtype: 'float32' },
    { shape: [1], dtype: 'float32' },
    { shape: [1], dtype: 'float32' },
    { shape: [1], dtype: 'float32' },
  ],
  ops: [{ op: 'WHILE', inputs: [0, 1], outputs: [2, 3], options: subgraphOptions(1, 2) }],
  inputs: [0, 1],
  outputs: [2, 3],
  subgraphs: [
    {
      tensors: [
        { shape: [1], dtype: 'float32' },
        { shape: [1], dtype: 'float32' },
        { shape: [1], dtype: 'bool' },
      ],
      ops: [{ op: 'LESS', inputs: [0, 1], outputs: [2] }],
      inputs: [0, 1],
      outputs: [2],
    },
    {
      tensors: [
        { shape: [1], dtype: 'float32' },
        { shape: [1], dtype: 'float32' },
        { shape: [1], dtype: 'float32' },
      ],
      ops: [{ op: 'ADD', inputs: [0, 1], outputs: [2] }],
      inputs: [0, 1],
      // The body passes its second input straight through as its second output.
      outputs: [2, 1],
    },
  ],
};

/** acc starts at [10, 20] (CALL_ONCE's init subgraph); every invoke outputs and stores acc + x. */
export const ACCUMULATOR_MODEL: TestModel = {
  tensors: [
    { shape: [], dtype: 'resource' },
    { shape: [2], dtype: 'float32' },
    { shape: [2], dtype: 'float32' },
    { shape: [2], dtype: 'float32' },
  ],
  ops: [
    { op: 'CALL_ONCE', inputs: [], outputs: [], options: [{ id: 0, i32: 1 }] },
    { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handleOptions('acc') },
    { op: 'READ_VARIABLE', inputs: [0], outputs: [2] },
    { op: 'ADD', inputs: [2, 1], outputs: [3] },
    { op: 'ASSIGN_VARIABLE', inputs: [0, 3], outputs: [] },
  ],
  inputs: [1],
  outputs: [3],
  subgraphs: [
    {
      tensors: [
        { shape: [], dtype: 'resource' },
        { shape: [2], dtype: 'float32', data: [10, 20] },
      ],
      ops: [
        { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handleOptions('acc') },
        { op: 'ASSIGN_VARIABLE', inputs: [0, 1], outputs: [] },
      ],
      inputs: [],
      outputs: [],
    },
  ],
};

/**
 * BuildModelWithIfAndSubgraphInputTensorOverlap, with int32 blocks of 4 (MicroArenaBufferAlignment / 4): IF passes
 * A1 (2 blocks) and A2 (4 blocks) to a branch that concatenates them and keeps the first 3 blocks; after the IF,
 * A2 is concatenated with the IF's output, so A2 must survive the branch. TFLM's custom packer op is
 * CONCATENATION + SLICE here (and the final output has no zero padding block).
 */
export const OVERLAP_BLOCK = 4;
const overlapBranch: TestSubgraph = {
  tensors: [
    { shape: [2 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [4 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [6 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [1], dtype: 'int32', data: [0] },
    { shape: [1], dtype: 'int32', data: [3 * OVERLAP_BLOCK] },
    { shape: [3 * OVERLAP_BLOCK], dtype: 'int32' },
  ],
  ops: [
    { op: 'CONCATENATION', inputs: [0, 1], outputs: [2], options: [{ id: 0, i32: 0 }] },
    { op: 'SLICE', inputs: [2, 3, 4], outputs: [5] },
  ],
  inputs: [0, 1],
  outputs: [5],
};
export const IF_OVERLAP_MODEL: TestModel = {
  tensors: [
    { shape: [1], dtype: 'bool' },
    { shape: [2 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [4 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [3 * OVERLAP_BLOCK], dtype: 'int32' },
    { shape: [7 * OVERLAP_BLOCK], dtype: 'int32' },
  ],
  ops: [
    { op: 'IF', inputs: [0, 1, 2], outputs: [3], options: subgraphOptions(1, 2) },
    { op: 'CONCATENATION', inputs: [3, 2], outputs: [4], options: [{ id: 0, i32: 0 }] },
  ],
  inputs: [0, 1, 2],
  outputs: [4],
  subgraphs: [overlapBranch, overlapBranch],
};

/**
 * CALL_ONCE(init = 1), then READ_VARIABLE of "runs"; subgraph 1 adds 1 to "runs" (its ASSIGN_VARIABLE allocates
 * the buffer, zero-filled), so the output counts how often the init subgraph ran.
 */
export const CALL_ONCE_COUNTER_MODEL: TestModel = {
  tensors: [
    { shape: [], dtype: 'resource' },
    { shape: [1], dtype: 'int32' },
  ],
  ops: [
    { op: 'CALL_ONCE', inputs: [], outputs: [], options: [{ id: 0, i32: 1 }] },
    { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handleOptions('runs') },
    { op: 'READ_VARIABLE', inputs: [0], outputs: [1] },
  ],
  inputs: [],
  outputs: [1],
  subgraphs: [
    {
      tensors: [
        { shape: [], dtype: 'resource' },
        { shape: [1], dtype: 'int32' },
        { shape: [1], dtype: 'int32', data: [1] },
        { shape: [1], dtype: 'int32' },
      ],
      ops: [
        { op: 'VAR_HANDLE', inputs: [], outputs: [0], options: handleOptions('runs') },
        { op: 'READ_VARIABLE', inputs: [0], outputs: [1] },
        { op: 'ADD', inputs: [1, 2], outputs: [3] },
        { op: 'ASSIGN_VARIABLE', inputs: [0, 3], outputs: [] },
      ],
      inputs: [],
      outputs: [],
    },
  ],
};
