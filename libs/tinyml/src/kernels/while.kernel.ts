/**
 * WHILE (while.cc): the op's inputs go to the cond subgraph; while its first output is true, the body subgraph
 * maps the loop values (held in the op's outputs) to their next values. Inputs, outputs, cond inputs and body
 * inputs and outputs correspond one to one. Like TFLM, a loop whose condition never turns false never returns,
 * unless InterpreterOptions.maxWhileIterations bounds it.
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { WHILE_OPTIONS } from '../model/control-flow';
import type { OperatorInfo } from '../model/model.types';
import {
  ANY_TYPE,
  TensorCopy,
  checkSubgraphIndex,
  checkWritableInputs,
  pairCopies,
  runCopies,
} from './control-flow-common';
import { EVAL_ABORT, invokeFailure } from './kernel.types';
import type { EvalStatus, Kernel, PrepareContext, Prepared } from './kernel.types';

interface WhileData {
  graph: MicroGraph;
  node: OperatorInfo;
  cond: number;
  body: number;
  /** Op inputs -> cond inputs, then op inputs -> op outputs (before the first condition). */
  enter: TensorCopy[];
  /** Op outputs -> body inputs (each iteration, before the body). */
  toBody: TensorCopy[];
  /** Body outputs -> op outputs, then op outputs -> cond inputs (each iteration, after the body). */
  fromBody: TensorCopy[];
  /** Why the first copies / the iteration copies are invalid (TFLM fails in Eval when they run), or null. */
  enterError: string | null;
  iterateError: string | null;
}

export const whileKernel: Kernel<WhileData> = {
  op: 'WHILE',
  types: ANY_TYPE,
  prepare(ctx: PrepareContext): Prepared<WhileData> {
    ctx.builtinData(BUILTIN_DATA.while);
    ctx.opData(OP_DATA.while);
    const options = ctx.options;
    const cond = checkSubgraphIndex(ctx, options?.i32(WHILE_OPTIONS.condSubgraphIndex) ?? 0, 'cond');
    const body = checkSubgraphIndex(ctx, options?.i32(WHILE_OPTIONS.bodySubgraphIndex) ?? 0, 'body');
    const condGraph = ctx.graph.subgraph(cond);
    const bodyGraph = ctx.graph.subgraph(body);
    const n = ctx.inputCount();
    ctx.node.inputs.forEach((_, k) => ctx.input(k));
    if (condGraph.inputs.length !== n)
      ctx.fail(`cond subgraph ${cond} has ${condGraph.inputs.length} inputs, WHILE has ${n}`);
    if (bodyGraph.inputs.length !== n)
      ctx.fail(`body subgraph ${body} has ${bodyGraph.inputs.length} inputs, WHILE has ${n}`);
    if (ctx.node.outputs.length !== n) ctx.fail(`${ctx.node.outputs.length} outputs for ${n} inputs`);
    if (bodyGraph.outputs.length !== n)
      ctx.fail(`body subgraph ${body} has ${bodyGraph.outputs.length} outputs, WHILE has ${n}`);
    // TFLM reads the condition as the first byte of cond's first output without checking it exists.
    if (condGraph.outputs.length === 0 || condGraph.tensors[condGraph.outputs[0]].byteLength === 0)
      ctx.fail(`cond subgraph ${cond} has no condition output`);
    checkWritableInputs(ctx, cond);
    checkWritableInputs(ctx, body);

    const own = { subgraph: ctx.node.subgraph, tensors: ctx.node.inputs };
    const outs = { subgraph: ctx.node.subgraph, tensors: ctx.node.outputs };
    const condIn = { subgraph: cond, tensors: condGraph.inputs };
    const bodyIn = { subgraph: body, tensors: bodyGraph.inputs };
    const bodyOut = { subgraph: body, tensors: bodyGraph.outputs };
    const toCond = pairCopies(ctx, own, condIn, 'input into cond');
    const passThrough = pairCopies(ctx, own, outs, 'input into output');
    const toBody = pairCopies(ctx, outs, bodyIn, 'value into body');
    const fromBody = pairCopies(ctx, bodyOut, outs, 'body output');
    const backToCond = pairCopies(ctx, outs, condIn, 'value into cond');
    return {
      data: {
        graph: ctx.graph,
        node: ctx.node,
        cond,
        body,
        enter: [...toCond.copies, ...passThrough.copies],
        toBody: toBody.copies,
        fromBody: [...fromBody.copies, ...backToCond.copies],
        enterError: toCond.error ?? passThrough.error,
        iterateError: toBody.error ?? fromBody.error ?? backToCond.error,
      },
    };
  },
  eval(d: WhileData): EvalStatus {
    if (d.enterError !== null) invokeFailure(d.node, d.enterError);
    const g = d.graph;
    const condOutput = g.subgraph(d.cond).outputs[0];
    runCopies(g, d.enter);
    if (!g.invoke(d.cond)) return EVAL_ABORT; // TF_LITE_ENSURE_OK: an early end ends the run
    for (let runs = 0; g.tensorBytes(d.cond, condOutput)[0] !== 0; runs++) {
      if (d.iterateError !== null) invokeFailure(d.node, d.iterateError);
      if (runs >= g.maxWhileIterations) invokeFailure(d.node, `body ran ${runs} times (maxWhileIterations)`);
      runCopies(g, d.toBody);
      if (!g.invoke(d.body)) return EVAL_ABORT;
      runCopies(g, d.fromBody);
      if (!g.invoke(d.cond)) return EVAL_ABORT;
    }
  },
};
