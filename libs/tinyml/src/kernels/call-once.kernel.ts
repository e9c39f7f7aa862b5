/**
 * CALL_ONCE (call_once.cc): runs the init subgraph on the first invoke only (typically ASSIGN_VARIABLEs giving
 * resource variables their initial values); no inputs, no outputs. Like TFLM it has no Reset: after
 * interpreter.reset() the init subgraph does not run again.
 */
import type { MicroGraph } from '../interpreter/micro-graph';
import { BUILTIN_DATA, OP_DATA } from '../memory/device-layout';
import { CALL_ONCE_OPTIONS } from '../model/control-flow';
import { checkSubgraphIndex } from './control-flow-common';
import type { EvalStatus, Kernel, PrepareContext, Prepared } from './kernel.types';
import { EVAL_ABORT } from './kernel.types';

interface CallOnceData {
  graph: MicroGraph;
  init: number;
  hasRun: boolean;
}

export const callOnceKernel: Kernel<CallOnceData> = {
  op: 'CALL_ONCE',
  // TFLM's Prepare ensures no inputs and no outputs: only such a node registers as 'none' (resolver
  // registrationType), so the resolver refuses any other with UnsupportedOpError before prepare().
  types: ['none'],
  prepare(ctx: PrepareContext): Prepared<CallOnceData> {
    ctx.builtinData(BUILTIN_DATA.callOnce);
    ctx.opData(OP_DATA.callOnce);
    const init = checkSubgraphIndex(ctx, ctx.options?.i32(CALL_ONCE_OPTIONS.initSubgraphIndex) ?? 0, 'init');
    return { data: { graph: ctx.graph, init, hasRun: false }, macs: 0 };
  },
  eval(d: CallOnceData): EvalStatus {
    if (d.hasRun) return;
    if (!d.graph.invoke(d.init)) return EVAL_ABORT; // not run to the end: runs again, as TFLM
    // Set after the run, as TFLM: a failed init subgraph runs again on the next invoke.
    d.hasRun = true;
  },
};
