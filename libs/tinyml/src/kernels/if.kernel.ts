/**
 * IF (if.cc): input 0 is a one-element bool condition; the other inputs go to the then- or else-subgraph, whose
 * outputs become the op's outputs. The op's tensors and the branch's are planned separately and may share memory
 * (the branch runs inside the op's lifetime, see memory/subgraph-lifetimes.ts), so, as TFLM does, every copy goes
 * through two persistent intermediate buffers: inputs are staged, copied into the branch and restored after it
 * ran (the branch may have overwritten them); outputs are staged before being copied out.
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { IF_OPTIONS } from '../model/control-flow';
import type { OperatorInfo, TensorInfo } from '../model/model.types';
import { checkSubgraphIndex, checkWritableInputs, copyError } from './control-flow-common';
import { EVAL_ABORT, invokeFailure } from './kernel.types';
import type { EvalStatus, Kernel, KernelIo, PrepareContext, Prepared, TensorData } from './kernel.types';

const CONDITION = 0;
/** Inputs after the condition are the branch's inputs. */
const FIRST_DATA_INPUT = 1;

interface IfData {
  graph: MicroGraph;
  node: OperatorInfo;
  /** [then, else] subgraph indices. */
  branches: [number, number];
  /** Per branch: why its copies are invalid (TFLM fails in Eval when that branch runs), or null. */
  errors: [string | null, string | null];
  /** Views into intermediate_input_buffer / intermediate_output_buffer, one per op input / output. */
  inputSlots: Uint8Array[];
  outputSlots: Uint8Array[];
}

/** Consecutive slices of one persistent buffer, one per tensor (TFLM advances its copy pointer per tensor). */
function slots(ctx: PrepareContext, tensors: TensorInfo[], what: string): Uint8Array[] {
  const total = tensors.reduce((s, t) => s + t.byteLength, 0);
  const buffer = ctx.persistentArray('int8', total, what);
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = 0;
  return tensors.map((t) => bytes.subarray(offset, (offset += t.byteLength)));
}

export const ifKernel: Kernel<IfData> = {
  op: 'IF',
  types: ['bool'],
  prepare(ctx: PrepareContext): Prepared<IfData> {
    ctx.builtinData(BUILTIN_DATA.if);
    ctx.opData(OP_DATA.if);
    const options = ctx.options;
    const thenIndex = checkSubgraphIndex(ctx, options?.i32(IF_OPTIONS.thenSubgraphIndex) ?? 0, 'then');
    const elseIndex = checkSubgraphIndex(ctx, options?.i32(IF_OPTIONS.elseSubgraphIndex) ?? 0, 'else');
    if (ctx.inputCount() < 1) ctx.fail('needs a condition input');
    const cond = ctx.input(CONDITION);
    if (cond.dtype !== 'bool') ctx.fail(`condition type ${cond.dtype} (bool only)`);
    if (cond.elementCount !== 1) ctx.fail(`condition has ${cond.elementCount} elements, needs 1`);
    const inputs = ctx.node.inputs.slice(FIRST_DATA_INPUT).map((_, k) => ctx.input(FIRST_DATA_INPUT + k));
    const outputs = ctx.node.outputs.map((_, k) => ctx.output(k));
    // TFLM checks the counts against the then-branch only; the else-branch is checked when it runs.
    const thenGraph = ctx.graph.subgraph(thenIndex);
    if (thenGraph.inputs.length !== inputs.length)
      ctx.fail(`then subgraph ${thenIndex} has ${thenGraph.inputs.length} inputs, IF passes ${inputs.length}`);
    if (thenGraph.outputs.length !== outputs.length)
      ctx.fail(`then subgraph ${thenIndex} has ${thenGraph.outputs.length} outputs, IF has ${outputs.length}`);

    const branchError = (index: number): string | null => {
      const sg = ctx.graph.subgraph(index);
      checkWritableInputs(ctx, index);
      if (sg.inputs.length > inputs.length)
        return `subgraph ${index} has ${sg.inputs.length} inputs, IF passes ${inputs.length}`;
      if (sg.outputs.length > outputs.length)
        return `subgraph ${index} has ${sg.outputs.length} outputs, IF has ${outputs.length}`;
      for (let k = 0; k < sg.inputs.length; k++) {
        const e = copyError(inputs[k], sg.tensors[sg.inputs[k]], `input ${k} into subgraph ${index}`);
        if (e) return e;
      }
      for (let k = 0; k < sg.outputs.length; k++) {
        const e = copyError(sg.tensors[sg.outputs[k]], outputs[k], `output ${k} of subgraph ${index}`);
        if (e) return e;
      }
      return null;
    };
    return {
      data: {
        graph: ctx.graph,
        node: ctx.node,
        branches: [thenIndex, elseIndex],
        errors: [branchError(thenIndex), branchError(elseIndex)],
        inputSlots: slots(ctx, inputs, 'IF intermediate input buffer'),
        outputSlots: slots(ctx, outputs, 'IF intermediate output buffer'),
      },
    };
  },
  eval(d: IfData, io: KernelIo): EvalStatus {
    const branch = (io.inputs[CONDITION] as TensorData)[0] !== 0 ? 0 : 1;
    const error = d.errors[branch];
    if (error !== null) invokeFailure(d.node, error);
    const g = d.graph;
    const own = d.node.subgraph;
    const index = d.branches[branch];
    const sg = g.subgraph(index);
    for (let k = 0; k < sg.inputs.length; k++)
      d.inputSlots[k].set(g.tensorBytes(own, d.node.inputs[FIRST_DATA_INPUT + k]));
    for (let k = 0; k < sg.inputs.length; k++) g.tensorBytes(index, sg.inputs[k]).set(d.inputSlots[k]);
    // TF_LITE_ENSURE_OK: an early end of the branch ends the whole run there.
    if (!g.invoke(index)) return EVAL_ABORT;
    for (let k = 0; k < sg.outputs.length; k++) d.outputSlots[k].set(g.tensorBytes(index, sg.outputs[k]));
    for (let k = 0; k < sg.outputs.length; k++) g.tensorBytes(own, d.node.outputs[k]).set(d.outputSlots[k]);
    // The branch may have reused the memory of the op's inputs; later ops still read them.
    for (let k = 0; k < sg.inputs.length; k++)
      g.tensorBytes(own, d.node.inputs[FIRST_DATA_INPUT + k]).set(d.inputSlots[k]);
  },
};
